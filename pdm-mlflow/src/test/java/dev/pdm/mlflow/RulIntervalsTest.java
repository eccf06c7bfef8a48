package dev.pdm.mlflow;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
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

/** Conformal RUL intervals by predicted-RUL band, on residuals whose spread is known. */
class RulIntervalsTest {

  private final SparkSession spark = TestSpark.session();

  /**
   * 1,000 out-of-fold rows: predictions 0..49 miss by -5..+4 (near failure), predictions 100..149
   * by -50..+49: each residual value equally often.
   */
  private Dataset<Row> oof() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      double near = i % 50;
      rows.add(RowFactory.create(near + (i % 10) - 5, near));
      double far = 100 + i % 50;
      rows.add(RowFactory.create(far + (i % 100) - 50, far));
    }
    return spark.createDataFrame(rows, new StructType().add("label", DataTypes.DoubleType)
        .add("oof", DataTypes.DoubleType));
  }

  @Test
  void eachBandHasItsOwnWidthAndCoversItsLevel() {
    RulIntervals i = RulIntervals.fit(oof(), "label", "oof", 0.9, 2);
    assertEquals(2, i.bands().size());
    assertNull(i.bands().get(1).below());
    // cut at the median prediction (49: its own rows go up)
    assertEquals(49, i.bands().get(0).below(), 1e-9);
    assertEquals(490, i.bands().get(0).rows());
    assertEquals(510, i.bands().get(1).rows());
    // 90%: the 5% and 95% quantiles of -5..+4 and of -50..+49
    assertEquals(-5, i.bands().get(0).lower(), 1.0);
    assertEquals(4, i.bands().get(0).upper(), 1.0);
    assertEquals(-45, i.bands().get(1).lower(), 1.5);
    assertEquals(45, i.bands().get(1).upper(), 1.5);
    double[] near = i.around(30);
    double[] far = i.around(120);
    assertTrue(near[1] - near[0] < 12 && far[1] - far[0] > 85, near[0] + ".." + near[1] + ", " + far[0] + ".." + far[1]);
    assertEquals(0.0, i.around(2)[0], "the lower bound is floored at 0");

    // the column form agrees with around(), and covers about 90% of the rows it was fitted on
    Dataset<Row> scored = oof().withColumn("lo", i.lower(col("oof"))).withColumn("hi", i.upper(col("oof")));
    for (Row r : scored.collectAsList()) {
      double[] lu = i.around(r.getDouble(1));
      assertEquals(lu[0], r.getDouble(2), 1e-9);
      assertEquals(lu[1], r.getDouble(3), 1e-9);
    }
    double covered = scored.where(col("label").geq(col("lo")).and(col("label").leq(col("hi")))).count() / 1000.0;
    assertTrue(covered >= 0.88 && covered <= 0.95, "coverage " + covered);

    assertEquals(i, RulIntervals.fromJson(i.toJson(), "test"));
  }

  @Test
  void fewRowsMakeFewerBandsAndBadInputIsNamed() {
    Dataset<Row> few = oof().limit(300);
    assertEquals(1, RulIntervals.fit(few, "label", "oof", 0.9, 5).bands().size(), "200 rows at least per band");
    PdmException level = assertThrows(PdmException.class, () -> new RulIntervals(1.5,
        List.of(new RulIntervals.Band(null, -1, 1, 10))));
    assertTrue(level.getMessage().contains("a coverage between 0 and 1"), level.getMessage());
    PdmException json = assertThrows(PdmException.class, () -> RulIntervals.fromJson("{\"level\": 0.9}", "m/x.json"));
    assertTrue(json.getMessage().startsWith("Cannot read the RUL intervals of m/x.json"), json.getMessage());
  }
}
