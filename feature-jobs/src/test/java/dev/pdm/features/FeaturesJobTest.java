package dev.pdm.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class FeaturesJobTest {

  private final SparkSession spark = TestSpark.session();

  private static List<Row> fleet(String dataset, int regimes) {
    return TinyFleet.concat(List.of(
        TinyFleet.rows(dataset, "train", 1, 1, 40, regimes),
        TinyFleet.rows(dataset, "train", 2, 1, 35, regimes),
        TinyFleet.rows(dataset, "train", 3, 1, 50, regimes),
        TinyFleet.rows(dataset, "test", 1, 1, 20, regimes)));
  }

  private long count(String where) {
    return spark.sql("SELECT count(*) FROM gold.features WHERE dataset = 'T1' AND " + where).head().getLong(0);
  }

  @Test
  void labelsDroppedSensorsAndIncrementalRuns() {
    Path wh = TestSpark.tempDir("wh");
    PdmConfig config = TinyFleet.config(wh);
    TinyFleet.appendSilver(spark, config, fleet("T1", 1));
    var options = new FeaturesJob.Options(config, "T1", false);

    FeaturesJob.Result first = FeaturesJob.run(spark, options);
    assertEquals("full", first.mode());
    assertTrue(first.newFeatureSet());
    assertEquals(1, first.featureSetVersion());
    assertEquals(145, first.rowsWritten());
    assertEquals(145, count("true"));
    assertEquals(3, count("rul = 0"), "each run-to-failure asset's last cycle");
    assertEquals(33, count("fails_within_horizon"), "11 cycles per asset with horizon 10");
    assertEquals(30, spark.sql("SELECT max(rul) FROM gold.features").head().getInt(0), "capped");
    assertEquals(20, count("rul IS NULL AND fails_within_horizon IS NULL AND split = 'test'"));
    Row unit2 = spark.sql("SELECT rul, fails_within_horizon FROM gold.features"
        + " WHERE asset_id = 'T1-train-2' AND cycle = 25").head();
    assertEquals(10, unit2.getInt(0));
    assertTrue(unit2.getBoolean(1));

    Row set = spark.sql("SELECT sensors, dropped_sensors, regimes, normalised, version FROM gold.feature_sets").head();
    assertEquals(List.of("b", "c", "d"), set.getList(0), "a is constant: dropped, and recorded");
    assertEquals(List.of("a"), set.getList(1));
    assertEquals(1, set.getInt(2));
    assertFalse(set.getBoolean(3), "one regime: raw values");
    assertFalse(List.of(spark.table("gold.features").columns()).contains("a_mean_3"));

    // carried forward and flagged: d is missing at cycle 4, so it keeps cycle 3's value
    Row imputed = spark.sql("SELECT d, imputed_sensors, d_delta, d_mean_3 FROM gold.features"
        + " WHERE asset_id = 'T1-train-1' AND cycle = 4").head();
    assertEquals(10.3, imputed.getDouble(0), 1e-12);
    assertEquals(1.0, imputed.getDouble(1));
    assertEquals(0.0, imputed.getDouble(2));
    assertEquals((10.2 + 10.3 + 10.3) / 3, imputed.getDouble(3), 1e-12);

    FeaturesJob.Result again = FeaturesJob.run(spark, options);
    assertEquals(0, again.rowsWritten(), "nothing new: nothing written");
    assertEquals(first.goldVersion(), again.goldVersion(), "and nothing committed");
    assertFalse(again.newFeatureSet());

    // new cycles of a live asset and of a run-to-failure asset
    TinyFleet.appendSilver(spark, config, TinyFleet.concat(List.of(
        TinyFleet.rows("T1", "test", 1, 21, 25, 1), TinyFleet.rows("T1", "train", 2, 36, 38, 1))));
    FeaturesJob.Result incremental = FeaturesJob.run(spark, options);
    assertEquals("incremental", incremental.mode());
    assertEquals(2, incremental.assetsRecomputed());
    assertEquals(5 + 38, incremental.rowsWritten(), "the test asset's new cycles; all rows of the failed asset");
    assertEquals(1, incremental.featureSetVersion(), "same statistics (no normalisation): same feature set");
    assertEquals(153, count("true"));
    assertEquals(0, spark.sql("SELECT rul FROM gold.features WHERE asset_id = 'T1-train-2' AND cycle = 38")
        .head().getInt(0));
    List<Row> afterIncremental = snapshot();

    FeaturesJob.Result full = FeaturesJob.run(spark, new FeaturesJob.Options(config, "T1", true));
    assertEquals("full", full.mode());
    assertEquals(153, full.rowsWritten());
    assertEquals(afterIncremental, snapshot(), "incremental runs give what a full recompute gives");
  }

  @Test
  void aFitThatRacedAnotherTakesTheNextVersionAndADoubledVersionIsRefused() {
    Path wh = TestSpark.tempDir("wh");
    PdmConfig config = TinyFleet.config(wh);
    TinyFleet.appendSilver(spark, config, fleet("T5", 1));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T5", false));
    Warehouse warehouse = new Warehouse(spark, wh.toString());
    FeatureSets sets = new FeatureSets(spark, warehouse);
    FeatureSet first = sets.latest("T5").orElseThrow();
    FeatureSet other = new FeatureSet(first.dataset(), 0, first.spec(), first.dropped(), first.settings(),
        first.settingScale(), first.centres(), first.normalised(), first.mean(), first.std(), first.rulCap() + 1,
        first.horizon(), first.config(), first.fittedOnRows(), first.silverVersion());
    // fits that looked before the first one stored v1 (each would have stored a second v1): the
    // same definition finds its own version, another one takes the next
    assertEquals(1, sets.store(first.withVersion(0), Optional.empty()).version());
    assertEquals(2, sets.store(other, Optional.empty()).version());
    String path = warehouse.path(Tables.GOLD_FEATURE_SETS);
    assertEquals(List.of(1, 2), spark.read().format("delta").load(path).where("dataset = 'T5'").orderBy("version")
        .select("version").collectAsList().stream().map(r -> r.getInt(0)).toList());
    // rows left by two fits that raced before versions were claimed: refused, with the fix
    spark.read().format("delta").load(path).where("dataset = 'T5' AND version = 2")
        .withColumn("fingerprint", lit("another")).write().format("delta").mode("append").save(path);
    PdmException e = assertThrows(PdmException.class, () -> sets.load("T5", 2));
    assertTrue(e.getMessage().startsWith("Cannot load feature set T5 v2: gold.feature_sets holds 2 different"
        + " definitions of that version (two feature fits ran at once)"), e.getMessage());
  }

  @Test
  void regimesAreDetectedAndSensorsNormalisedPerRegime() {
    Path wh = TestSpark.tempDir("wh");
    PdmConfig config = TinyFleet.config(wh);
    TinyFleet.appendSilver(spark, config, fleet("T2", 2));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T2", false));

    Row set = spark.sql("SELECT regimes, normalised, feature_names FROM gold.feature_sets WHERE dataset = 'T2'").head();
    assertEquals(2, set.getInt(0));
    assertTrue(set.getBoolean(1));
    assertTrue(set.getList(2).contains("regime_1_cycles"));
    List<Row> perRegime = spark.sql("SELECT regime, avg(b), stddev_pop(b), avg(c), stddev_pop(c), count(*)"
        + " FROM gold.features WHERE dataset = 'T2' AND split = 'train' GROUP BY regime ORDER BY regime").collectAsList();
    assertEquals(2, perRegime.size());
    for (Row r : perRegime) {
      assertEquals(0.0, r.getDouble(1), 1e-6, "normalised mean of b in regime " + r.getInt(0));
      assertEquals(1.0, r.getDouble(2), 1e-6, "normalised spread of b in regime " + r.getInt(0));
      assertEquals(0.0, r.getDouble(3), 1e-6);
      assertEquals(1.0, r.getDouble(4), 1e-6);
    }
    // regime 1 has the higher settings (centres are sorted); raw rows of regime 1 have x1 = 20
    assertEquals(0, spark.sql("SELECT count(*) FROM gold.features f JOIN silver.telemetry s USING (asset_id, cycle)"
        + " WHERE f.dataset = 'T2' AND (f.regime = 1) <> (s.x1 > 10)").head().getLong(0));
    assertEquals(0, spark.sql("SELECT count(*) FROM gold.features WHERE dataset = 'T2'"
        + " AND regime_0_cycles + regime_1_cycles <> cycle").head().getLong(0));
  }

  @Test
  void changedFeatureSettingsNeedAFullRun() {
    Path wh = TestSpark.tempDir("wh");
    PdmConfig config = TinyFleet.config(wh);
    TinyFleet.appendSilver(spark, config, fleet("T3", 1));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T3", false));
    PdmConfig changed = TinyFleet.config(wh, "pdm.features.windows", "3,6");
    PdmException e = assertThrows(PdmException.class,
        () -> FeaturesJob.run(spark, new FeaturesJob.Options(changed, "T3", false)));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("pdm.features.windows is 3,6 here, 3,5 in the feature set"), e.getMessage());
    assertTrue(e.getMessage().contains("--full"), e.getMessage());

    FeaturesJob.Result refit = FeaturesJob.run(spark, new FeaturesJob.Options(changed, "T3", true));
    assertEquals(2, refit.featureSetVersion());
    assertTrue(List.of(spark.table("gold.features").columns()).contains("b_mean_6"));
    assertEquals(0, spark.sql("SELECT count(*) FROM gold.features WHERE dataset = 'T3' AND"
        + " (feature_set_version <> 2 OR b_mean_6 IS NULL)").head().getLong(0));
  }

  @Test
  void noTrainingRowsIsAClearError() {
    Path wh = TestSpark.tempDir("wh");
    PdmConfig config = TinyFleet.config(wh);
    TinyFleet.appendSilver(spark, config, TinyFleet.rows("T4", "test", 1, 1, 10, 1));
    PdmException e = assertThrows(PdmException.class,
        () -> FeaturesJob.run(spark, new FeaturesJob.Options(config, "T4", false)));
    assertTrue(e.getMessage().startsWith("Cannot fit the feature set of T4: silver.telemetry has no train rows"),
        e.getMessage());
  }

  /**
   * A time fleet end to end to gold: simulated pumps (a reading an hour) landed from JSON lines,
   * then features with windows of 2 h and 6 h: named by duration, keyed by tick, no cycle input
   * but the asset's age in hours, and labels in hours from the last reading.
   */
  @Test
  void aTimeFleetGetsWindowsInDurationsAndLabelsInHours() {
    Path wh = TestSpark.tempDir("wh");
    Path out = TestSpark.tempDir("pumps");
    PdmConfig config = TestSpark.config(wh, "pdm.profile.PUMPS", "builtin:pumps", "pdm.features.windows", "2h,6h");
    dev.pdm.ingest.sim.SimulateJob.run(spark, new dev.pdm.ingest.sim.SimulateJob.Options(config, 3, 1, 11, "PUMPS",
        dev.pdm.ingest.Split.TRAIN, 2, 2, null, out.toString(), 0, dev.pdm.ingest.sim.SimulateJob.DEFAULT_START,
        dev.pdm.ingest.sim.SimulateJob.Fleet.PUMPS, 3_600_000L));
    dev.pdm.ingest.IngestFilesJob.run(spark, new dev.pdm.ingest.IngestFilesJob.Options(config, "PUMPS",
        dev.pdm.ingest.Split.TRAIN, out.toString(), dev.pdm.ingest.TelemetryParser.Format.JSON));

    FeaturesJob.Result r = FeaturesJob.run(spark, new FeaturesJob.Options(config, "PUMPS", false));
    long silverRows = spark.table("silver.telemetry").count();
    assertEquals(silverRows, r.rowsWritten());
    assertEquals(0, r.rowsWithoutCycle());
    FeatureSet set = new FeatureSets(spark, new Warehouse(spark, wh.toString())).latest("PUMPS").orElseThrow();
    assertFalse(set.featureNames().contains("cycle"), "a tick is a date, not a model input");
    assertTrue(set.featureNames().containsAll(List.of("vibration_rms_mean_2h", "bearing_temp_slope_6h", "age_hours")),
        set.featureNames().toString());
    assertEquals(List.of(72, 24, "hours"), List.of(set.rulCap(), set.horizon(), set.rulUnit()));

    // ticks of 10 s: 360 an hour. RUL is the whole hours to the asset's last reading, capped at 72.
    Row labels = spark.sql("SELECT count(*),"
        + " count_if(rul != least(72, floor((last - cycle) / 360))),"
        + " count_if(fails_within_horizon != ((last - cycle) / 360 <= 24)),"
        + " count_if(abs(age_hours - (cycle - first) / double(360)) > 1e-9),"
        + " count_if(cycle = last AND rul = 0), count_if(rul = 72)"
        + " FROM (SELECT *, max(cycle) OVER (PARTITION BY asset_id) AS last,"
        + " min(cycle) OVER (PARTITION BY asset_id) AS first FROM gold.features)").head();
    assertEquals(List.of(silverRows, 0L, 0L, 0L, 3L),
        List.of(labels.get(0), labels.get(1), labels.get(2), labels.get(3), labels.get(4)));
    assertTrue(labels.getLong(5) > 0, "pumps live for days: early readings hit the cap");
    // a reading an hour, jittered: where the reading before the last is 2 h old or more, the 2 h
    // window holds two readings, and its mean is theirs
    Row windows = spark.sql("SELECT count(*), count_if(abs(vibration_rms_mean_2h - (vibration_rms + v1) / 2) > 1e-9)"
        + " FROM (SELECT *, lag(vibration_rms) OVER w AS v1, lag(cycle) OVER w AS c1, lag(cycle, 2) OVER w AS c2"
        + " FROM gold.features WINDOW w AS (PARTITION BY asset_id ORDER BY cycle))"
        + " WHERE cycle - c1 < 720 AND cycle - c2 >= 720").head();
    assertTrue(windows.getLong(0) > 10, "readings whose 2 h window holds two: " + windows.getLong(0));
    assertEquals(0L, windows.getLong(1));
  }

  /** gold.features of T1 without computed_at, in key order. */
  private List<Row> snapshot() {
    return spark.table("gold.features").where("dataset = 'T1'").drop("computed_at")
        .orderBy("asset_id", "cycle").collectAsList();
  }
}
