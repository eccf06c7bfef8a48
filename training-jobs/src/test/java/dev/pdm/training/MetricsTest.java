package dev.pdm.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.test.TestSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void phm08ScoreMatchesHandComputedValues() {
    assertEquals(0.0, Metrics.phm08(0), 1e-12);
    assertEquals(Math.E - 1, Metrics.phm08(-13), 1e-12); // early by 13: e^1 - 1
    assertEquals(Math.E - 1, Metrics.phm08(10), 1e-12); // late by 10: e^1 - 1
    assertEquals(6.38905609893065, Metrics.phm08(-26), 1e-12); // e^2 - 1
    assertEquals(0.6487212707001282, Metrics.phm08(5), 1e-12); // e^0.5 - 1
    // Late costs more than early by the same amount.
    assertEquals(true, Metrics.phm08(7) > Metrics.phm08(-7));
  }

  @Test
  void rulMetricsUseTheLastCycleOfEachAssetAndAllRows() {
    SparkSession spark = TestSpark.session();
    StructType schema = new StructType().add("asset_id", DataTypes.StringType).add("cycle", DataTypes.IntegerType)
        .add("truth", DataTypes.DoubleType).add("pred", DataTypes.DoubleType);
    List<Row> rows = List.of(
        RowFactory.create("a", 1, 3.0, 3.0),
        RowFactory.create("a", 2, 2.0, 12.0), // last of a: d = +10
        RowFactory.create("b", 1, 20.0, 20.0),
        RowFactory.create("b", 5, 15.0, 2.0), // last of b: d = -13
        RowFactory.create("c", 7, 4.0, 4.0)); // last of c: d = 0
    Metrics.Rul m = Metrics.rul(spark.createDataFrame(rows, schema), "truth", "pred");
    assertEquals(3, m.assets());
    assertEquals(5, m.rows());
    assertEquals(Math.sqrt((100 + 169 + 0) / 3.0), m.rmse(), 1e-9);
    assertEquals(23 / 3.0, m.mae(), 1e-9);
    assertEquals(2 * (Math.E - 1), m.phm08(), 1e-9);
    assertEquals(Math.sqrt((100 + 169) / 5.0), m.rmseAllRows(), 1e-9);
    // below the largest truth (20, b's first row): every row but that one
    assertEquals(Math.sqrt((100 + 169) / 4.0), m.rmseBelowCap(), 1e-9);
  }

  @Test
  void thresholdIsTheBestF1WithinTheFalseAlarmLimit() {
    SparkSession spark = TestSpark.session();
    StructType schema = new StructType().add("label", DataTypes.DoubleType).add("p1", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    // 10 positives at 0.9, 5 positives at 0.35; 90 negatives at 0.1, 10 negatives at 0.4.
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create(1.0, 0.9));
    }
    for (int i = 0; i < 5; i++) {
      rows.add(RowFactory.create(1.0, 0.35));
    }
    for (int i = 0; i < 90; i++) {
      rows.add(RowFactory.create(0.0, 0.1));
    }
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create(0.0, 0.4));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    // At most 5% false alarms: the negatives at 0.4 (10%) must stay unflagged, so the first admissible
    // threshold on the 1/1000 grid is 0.401, where F1 is 0.8.
    double t = Metrics.chooseThreshold(df, "label", "p1", 0.05);
    assertEquals(0.401, t, 1e-9);
    Metrics.Classifier c = Metrics.classifier(df, "label", "p1", t);
    assertEquals(1.0, c.precision(), 1e-9);
    assertEquals(10 / 15.0, c.recall(), 1e-9);
    assertEquals(0.0, c.falseAlarmRate(), 1e-9);
    assertEquals(15, c.positives());
    assertEquals(100, c.negatives());
    assertEquals(0.8, c.f1(), 1e-9);
    // A looser limit admits flagging everything above 0.35 (F1 0.75), which is still worse than 0.8.
    assertEquals(0.401, Metrics.chooseThreshold(df, "label", "p1", 0.2), 1e-9);
    // Without the 0.9 group: the 0.1 negatives must stay unflagged (90% false alarms); flagging 0.35
    // and 0.4 gives F1 0.5 at 10% false alarms, the best admissible.
    Dataset<Row> hard = df.where("p1 < 0.5");
    double h = Metrics.chooseThreshold(hard, "label", "p1", 0.2);
    assertEquals(0.101, h, 1e-9);
    Metrics.Classifier hc = Metrics.classifier(hard, "label", "p1", h);
    assertEquals(0.5, hc.f1(), 1e-9);
    assertEquals(0.1, hc.falseAlarmRate(), 1e-9);
  }
}
