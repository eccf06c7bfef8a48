package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class AnomaliesTest {

  private static final StructType FEATURES = new StructType()
      .add("dataset", DataTypes.StringType)
      .add("asset_id", DataTypes.StringType)
      .add("cycle", DataTypes.IntegerType)
      .add("regime", DataTypes.IntegerType)
      .add("s1", DataTypes.DoubleType)
      .add("s1_baseline_dist", DataTypes.DoubleType);

  private static final StructType STATE = new StructType()
      .add("asset_id", DataTypes.StringType)
      .add("cycle", DataTypes.IntegerType)
      .add("anomaly_streak", DataTypes.IntegerType);

  private final SparkSession spark = TestSpark.session();
  private final Anomalies.Rules rules = new Anomalies.Rules(3.0, 5.0, 3);

  private static Row f(String asset, int cycle, int regime, Double s1, Double dist) {
    return RowFactory.create("D", asset, cycle, regime, s1, dist);
  }

  /** Regime 0: mean 10, regime 1: mean 100, both with population std sqrt(2/3); regime 2 unseen. */
  private Anomalies.Baseline baseline() {
    Dataset<Row> train = spark.createDataFrame(List.of(f("T1", 1, 0, 9.0, 0.0), f("T1", 2, 0, 10.0, 0.0),
        f("T2", 1, 0, 11.0, 0.0), f("T3", 1, 1, 99.0, 0.0), f("T3", 2, 1, 100.0, 0.0), f("T3", 3, 1, 101.0, 0.0),
        f("T3", 4, 1, null, 0.0)), FEATURES);
    return Anomalies.fit(train, List.of("s1"), 3);
  }

  @Test
  void baselineIsTheTrainingMeanAndStdPerRegime() {
    Anomalies.Baseline b = baseline();
    assertEquals(10.0, b.mean()[0][0], 1e-12);
    assertEquals(Math.sqrt(2.0 / 3), b.std()[0][0], 1e-12);
    assertEquals(100.0, b.mean()[1][0], 1e-12);
    assertEquals(Math.sqrt(2.0 / 3), b.std()[1][0], 1e-12);
    assertTrue(Double.isNaN(b.mean()[2][0]) && Double.isNaN(b.std()[2][0]));
  }

  @Test
  void persistentRunsAreReportedWithSeverityAndReasonsAndRunsCarryAcrossBatches() {
    Dataset<Row> features = spark.createDataFrame(List.of(
        // A: two anomalous cycles, a normal one, then three: only the third of those is reported
        f("A", 1, 0, 10.0, 0.0), f("A", 2, 0, 13.0, 0.0), f("A", 3, 0, 13.0, 0.0), f("A", 4, 0, 10.0, 0.0),
        f("A", 5, 0, 13.0, 0.0), f("A", 6, 0, 13.0, 0.0), f("A", 7, 0, 15.0, null),
        // B: drifted from its own start; one anomalous cycle came in an earlier batch
        f("B", 3, 1, 100.0, 3.0), f("B", 1, 1, 100.0, 3.0), f("B", 2, 1, 100.0, 3.0),
        // C: a regime without training rows, and a missing reading: no z-score
        f("C", 1, 2, 1000.0, 0.0), f("C", 2, 0, null, null), f("C", 3, 0, null, null)), FEATURES);
    Dataset<Row> state = spark.createDataFrame(List.of(RowFactory.create("B", 0, 1),
        // a state already past the batch: the batch is a replay and carries nothing
        RowFactory.create("A", 5, 10)), STATE);
    List<String> got = describe(Anomalies.flag(features, baseline(), rules, state));
    assertEquals(List.of(
        "A 1 0 NONE []", "A 2 1 NONE []", "A 3 2 NONE []", "A 4 0 NONE []", "A 5 1 NONE []", "A 6 2 NONE []",
        "A 7 3 CRITICAL [REGIME_Z s1 z=6.1]",
        "B 1 2 NONE []", "B 2 3 WARNING [ASSET_DRIFT s1 z=3.7]", "B 3 4 WARNING [ASSET_DRIFT s1 z=3.7]",
        "C 1 0 NONE []", "C 2 0 NONE []", "C 3 0 NONE []"), got);

    // Whole histories (score-batch): no state, the same runs for A.
    List<String> batch = describe(Anomalies.flag(features.where("asset_id = 'A'"), baseline(), rules, null));
    assertEquals(got.subList(0, 7), batch);
  }

  @Test
  void latestCyclesAreFlaggedOverWholeHistoriesAndKeepTheirOtherColumns() {
    Dataset<Row> features = spark.createDataFrame(List.of(
        f("A", 1, 0, 10.0, 0.0), f("A", 2, 0, 13.0, 0.0), f("A", 3, 0, 13.0, 0.0), f("A", 4, 0, 15.0, 0.0),
        f("B", 2, 1, 100.0, 3.0), f("B", 1, 1, 100.0, 0.0), f("C", 1, 0, 10.0, 0.0)), FEATURES)
        .withColumn("other", org.apache.spark.sql.functions.expr("cycle * 10"));
    LatestCycles.Flagged latest = LatestCycles.flag(features, baseline(), rules);
    try {
      assertEquals(List.of("A 4 3 CRITICAL [REGIME_Z s1 z=6.1]", "B 2 1 NONE []", "C 1 0 NONE []"),
          describe(latest.rows()));
      assertEquals(List.of(40, 20, 10), latest.rows().orderBy("asset_id").select("other").as(
          org.apache.spark.sql.Encoders.INT()).collectAsList());
    } finally {
      latest.release();
    }
  }

  @Test
  void persistenceOfOneReportsAtOnceAndBadRulesAreRefused() {
    Dataset<Row> one = spark.createDataFrame(List.of(f("A", 1, 0, 7.0, 0.0)), FEATURES);
    assertEquals(List.of("A 1 1 WARNING [REGIME_Z s1 z=-3.7]"),
        describe(Anomalies.flag(one, baseline(), new Anomalies.Rules(3.0, 5.0, 1), null)));
    PdmException e = assertThrows(PdmException.class,
        () -> Anomalies.Rules.from(PdmConfig.of(Map.of("pdm.scoring.anomaly.critical-z", "2"))));
    assertTrue(e.getMessage().contains("pdm.scoring.anomaly.critical-z"), e.getMessage());
  }

  private static List<String> describe(Dataset<Row> flagged) {
    List<String> out = new ArrayList<>();
    for (Row r : flagged.orderBy("asset_id", "cycle")
        .select("asset_id", "cycle", "anomaly_streak", "anomaly_severity", "anomaly_reasons").collectAsList()) {
      out.add(r.getString(0) + " " + r.getInt(1) + " " + r.getInt(2) + " " + r.getString(3) + " "
          + r.getList(4));
    }
    return out;
  }
}
