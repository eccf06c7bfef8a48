package dev.pdm.scoring.stream;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.stream.Checkpoints;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.FeatureConfig;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSetFitter;
import dev.pdm.features.FeaturesJob;
import dev.pdm.features.TinyFleet;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.Task;
import dev.pdm.scoring.Anomalies;
import dev.pdm.scoring.RiskLevels;
import dev.pdm.scoring.Scorer;
import dev.pdm.training.GbtModels;
import dev.pdm.training.GridPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.streaming.runtime.MemoryStream;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The scoring query's per-asset step without Kafka or MLflow: classification (new, duplicate,
 * conflict, held for a missing cycle), and stream/batch parity of the predictions (the same
 * features and trees, row by row, as gold.features and the pipelines give, within 1e-9).
 *
 * <p>It resumes a <b>golden checkpoint</b> (src/test/resources/golden/score-stream-state-v1),
 * written by the first version of this state: a later pdm must read the typed per-asset state of
 * an older checkpoint (features, held cycles, readings hashes), or this test fails. Rewrite it
 * only for a deliberate, documented break: {@code mvn test -Dtest=AssetProcessorTest#<its test>
 * -Dpdm.golden.write=true} from scoring-jobs/. A second golden checkpoint
 * (score-stream-state-ttl-v1) holds the same batches in the state with a TTL (processing time, a
 * {@code seen} mark per asset), which checkpoints begun since pdm had the TTL use.
 */
class AssetProcessorTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden/score-stream-state-v1");
  /** The same batches on the state with a TTL (processing time, a {@code seen} mark per asset). */
  private static final Path GOLDEN_TTL = Path.of("src/test/resources/golden/score-stream-state-ttl-v1");
  private static final Map<Long, List<Row>> OUT = new ConcurrentHashMap<>();
  /** The tiny profile's readings: two settings, four sensors. */
  private static final List<String> READINGS = List.of("x1", "x2", "a", "b", "c", "d");
  /** One set of risk thresholds for the row-at-a-time and the batch scorers. */
  private static final RiskLevels RISK = RiskLevels.from(TinyFleet.config(Path.of("unused")));
  private final SparkSession spark = TestSpark.session();

  /** A feature set and champions fitted on a tiny fleet, and the row-at-a-time scorer of both. */
  private record Fixture(FeatureSet set, ChampionModels.Champions champions, Anomalies.Baseline baseline,
      CycleScorer scorer) {}

  private static Fixture fixture;

  private synchronized Fixture fixture() {
    if (fixture == null) {
      fixture = fit(1);
    }
    return fixture;
  }

  /**
   * A feature set fitted as version {@code version}, champions trained on it, and their scorer:
   * version 1 with the tiny fleet's windows (3, 5), any other with windows 4 and 6 and another
   * EWM weight, so that a state folded under one cannot pass for the other's.
   */
  private Fixture fit(int version) {
    String[] windows = version == 1 ? new String[0]
        : new String[] {"pdm.features.windows", "4,6", "pdm.features.ewm-alpha", "0.5"};
    FeatureSet set = FeatureSetFitter.fit(trainRows(), "P", TinyFleet.profile(),
        FeatureConfig.from(TinyFleet.config(Path.of("unused"), windows), TinyFleet.profile()), 0)
        .withVersion(version);
    ChampionModels.Champions champions = train(set);
    TreeModels models = new TreeModels(champions, set.featureNames());
    Anomalies.Baseline baseline = Anomalies.fit(FeaturesJob.compute(trainRows(), set, 0), set.spec().sensors(),
        set.regimes());
    CycleScorer scorer = new CycleScorer(models, set.featureNames(), RISK, baseline, new Anomalies.Rules(3, 5, 2),
        set.rulUnit());
    return new Fixture(set, champions, baseline, scorer);
  }

  /** gold.features of a series scored by the pipelines, as score-batch scores it: asset@cycle -> row. */
  private Map<String, Row> batchScored(List<Row> series) {
    return batchScored(fixture(), series);
  }

  private Map<String, Row> batchScored(Fixture fx, List<Row> series) {
    Dataset<Row> features = FeaturesJob.compute(TinyFleet.frame(spark, series), fx.set(), 0);
    Dataset<Row> expected = Scorer.score(Anomalies.flag(features, fx.baseline(), new Anomalies.Rules(3, 5, 2), null),
        fx.champions(), RISK, Scorer.ScoredBy.BATCH,
        new Timestamp(0));
    Map<String, Row> batch = new HashMap<>();
    for (Row r : expected.select("asset_id", "cycle", "predicted_rul", "failure_probability", "risk_level",
        "anomaly_severity").collectAsList()) {
      batch.put(r.getString(0) + "@" + r.getInt(1), r);
    }
    return batch;
  }

  @Test
  void resumesTheGoldenCheckpointAndScoresAsTheBatchPathDoes() throws Exception {
    resumesGolden(GOLDEN, processor(fixture()));
  }

  @Test
  void resumesTheGoldenCheckpointOfTheStateWithATtl() throws Exception {
    // ten years: nothing expires between the checkpoint's batches and this run
    resumesGolden(GOLDEN_TTL, processor(fixture()).withStateTtl(3_650L * 86_400_000L, 3_650L * 86_400_000L));
  }

  private AssetProcessor processor(Fixture fx) {
    return AssetProcessor.create("P", fx.set(), READINGS,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(fx.scorer()), 2, 1000, 8, 0);
  }

  private void resumesGolden(Path golden, AssetProcessor processor) throws Exception {

    // batch A: asset 1 cycles 1..6 sent newest first; asset 2 cycles 1..4 and 6 (5 is missing)
    List<Row> a = new ArrayList<>(TinyFleet.rows("P", null, 1, 1, 6, 2));
    Collections.reverse(a);
    a.addAll(TinyFleet.rows("P", null, 2, 1, 4, 2));
    a.addAll(TinyFleet.rows("P", null, 2, 6, 6, 2));
    // batch B: asset 1 cycles 7..10, cycle 3 again (the same), cycle 2 again with other readings;
    // asset 2 cycle 7 (held too: two cycles may wait for 5)
    List<Row> b = new ArrayList<>(TinyFleet.rows("P", null, 1, 7, 10, 2));
    b.addAll(TinyFleet.rows("P", null, 1, 3, 3, 2));
    b.add(changed(TinyFleet.rows("P", null, 1, 2, 2, 2).get(0)));
    b.addAll(TinyFleet.rows("P", null, 2, 7, 7, 2));
    // batch C, after the resume: asset 1 cycles 11..12 and 10 again; asset 2 cycle 5 (the gap), then 8
    List<Row> c = new ArrayList<>(TinyFleet.rows("P", null, 1, 11, 12, 2));
    c.addAll(TinyFleet.rows("P", null, 1, 10, 10, 2));
    c.addAll(TinyFleet.rows("P", null, 2, 5, 5, 2));
    c.addAll(TinyFleet.rows("P", null, 2, 8, 8, 2));

    boolean write = Boolean.getBoolean("pdm.golden.write");
    Path checkpoint = write ? golden.toAbsolutePath() : copy(golden, TestSpark.tempDir("golden-cp"));
    if (write) {
      deleteTree(checkpoint);
    }
    OUT.clear();
    MemoryStream<StreamInput> in = new MemoryStream<>(1, spark, Option.empty(), Encoders.bean(StreamInput.class));
    long[] offset = {0};
    if (write) {
      // two micro-batches, A then B, make the golden checkpoint
      StreamingQuery q = run(in.toDS(), processor, checkpoint);
      add(in, a, offset);
      q.processAllAvailable();
      add(in, b, offset);
      q.processAllAvailable();
      q.stop();
      return;
    }
    add(in, a, offset);
    add(in, b, offset);
    add(in, c, offset);
    StreamingQuery q = run(in.toDS(), processor, checkpoint);
    q.processAllAvailable();
    q.stop();
    assertEquals(List.of(2L), List.copyOf(OUT.keySet()), "the checkpoint had batches 0 and 1: only C is new");
    List<Row> out = OUT.get(2L);
    Map<String, String> status = new HashMap<>();
    List<Row> scored = new ArrayList<>();
    for (Row r : out) {
      String key = r.getAs("assetId") + "@" + r.getAs("cycle");
      if (StreamOutput.LANDED.equals(r.getAs("kind"))) {
        status.put(key, r.getAs("status"));
      }
      if (r.getAs("predictedRul") != null) {
        scored.add(r);
      }
    }
    assertEquals(Map.of("P-null-1@11", "INSERT", "P-null-1@12", "INSERT", "P-null-1@10", "DUPLICATE",
        "P-null-2@5", "INSERT", "P-null-2@8", "INSERT"), status, "cycle 10's readings hash came from the checkpoint");
    List<String> predicted = scored.stream().map(r -> r.getAs("assetId") + "@" + r.getAs("cycle")).sorted().toList();
    assertEquals(List.of("P-null-1@11", "P-null-1@12", "P-null-2@5", "P-null-2@6", "P-null-2@7", "P-null-2@8"),
        predicted, "the held cycles 6 and 7 came from the checkpoint and were folded after 5");

    // the batch path: gold.features of the whole series, scored by the pipelines
    Map<String, Row> batch = batchScored(TinyFleet.concat(List.of(TinyFleet.rows("P", null, 1, 1, 12, 2),
        TinyFleet.rows("P", null, 2, 1, 8, 2))));
    for (Row r : scored) {
      String key = r.getAs("assetId") + "@" + r.getAs("cycle");
      assertEquals(batch.get(key).getDouble(2), (Double) r.getAs("predictedRul"), 1e-9, "RUL of " + key);
      assertEquals(batch.get(key).getDouble(3), (Double) r.getAs("failureProbability"), 1e-9, "probability of " + key);
    }
  }

  @Test
  void anAssetsHistoryInAnyOrderIsPredictedAsTheBatchPathScoresItsLastCycle() {
    Fixture fx = fixture();
    ChampionModels.Pair pair = new ChampionModels.Pair(fx.champions().rul(), fx.champions().failure());
    AssetPredictor predictor = AssetPredictor.create("P", fx.set(), READINGS, fx.scorer(), pair);
    // sensor b far off from cycle 33 (back for cycle 36 only): the anomaly run of the last cycle
    // counts the earlier cycles, which predict folds without their trees (CycleScorer.pass)
    List<Row> history = new ArrayList<>();
    for (Row r : TinyFleet.rows("P", null, 3, 1, 40, 2)) {
      history.add(r.getInt(3) >= 33 && r.getInt(3) != 36 ? offset(r, 8, 50) : r);
    }
    Map<String, Row> batch = batchScored(history);
    List<String> severities = new ArrayList<>();
    for (int end = 32; end <= 40; end++) {
      List<AssetPredictor.Reading> upTo = new ArrayList<>();
      for (Row r : history.subList(0, end)) {
        upTo.add(new AssetPredictor.Reading(r.getInt(3), input(r, 0).getReadings()));
      }
      String severity = predictor.predict("P-null-3", upTo).anomalySeverity();
      assertEquals(batch.get("P-null-3@" + end).getString(5), severity, "cycle " + end);
      severities.add(severity);
    }
    assertEquals("NONE", severities.get(1), "the first anomalous cycle is not reported yet (persistence 2)");
    assertTrue(!severities.get(2).equals("NONE"), "the second is: " + severities);
    Collections.reverse(history);
    List<AssetPredictor.Reading> sent = new ArrayList<>();
    for (Row r : history) {
      sent.add(new AssetPredictor.Reading(r.getInt(3), input(r, 0).getReadings()));
    }
    sent.add(sent.get(5)); // a cycle sent twice, the same: counted once

    AssetPredictor.Prediction p = predictor.predict("P-null-3", sent);
    Row last = batch.get("P-null-3@40");
    assertEquals(40, p.cycle());
    assertEquals(40, p.cycles());
    assertEquals(last.getDouble(2), p.predictedRul(), 1e-9);
    assertEquals(last.getDouble(3), p.failureProbability(), 1e-9);
    assertEquals(last.getString(4), p.riskLevel());
    assertEquals(last.getString(5), p.anomalySeverity());
    assertEquals(List.of("1", "1", 1), List.of(p.rulModelVersion(), p.failureModelVersion(), p.featureSetVersion()));

    List<AssetPredictor.Reading> conflicting = new ArrayList<>(sent);
    double[] other = sent.get(7).values().clone();
    other[2] += 1;
    conflicting.add(new AssetPredictor.Reading(sent.get(7).cycle(), other));
    PdmException e = assertThrows(PdmException.class, () -> predictor.predict("P-null-3", conflicting));
    assertTrue(e.getMessage().contains("cycle " + sent.get(7).cycle() + " was sent twice with different readings"),
        e.getMessage());
    e = assertThrows(PdmException.class, () -> predictor.predict("P-null-3", List.of()));
    assertTrue(e.getMessage().contains("no readings were sent"), e.getMessage());
    e = assertThrows(PdmException.class,
        () -> predictor.predict("P-null-3", List.of(new AssetPredictor.Reading(1, new double[2]))));
    assertTrue(e.getMessage().contains("has 2 readings, the dataset profile defines 6"), e.getMessage());
  }

  @Test
  void aCycleFarBeyondItsAssetsLastIsQuarantinedAndTheSeriesGoesOn() throws Exception {
    Fixture fx = fixture();
    OUT.clear();
    MemoryStream<StreamInput> in = new MemoryStream<>(1, spark, Option.empty(), Encoders.bean(StreamInput.class));
    long[] offset = {0};
    StreamingQuery q = run(in, fx.set(), fx.scorer(), TestSpark.tempDir("jump-cp"));
    add(in, TinyFleet.rows("P", null, 4, 1, 3, 2), offset);
    q.processAllAvailable();
    // a counter error (1,000 is the largest gap allowed), then the true cycles 4..6 in later batches
    Row bogus = TinyFleet.rows("P", null, 4, 1004, 1004, 2).get(0);
    add(in, List.of(bogus), offset);
    q.processAllAvailable();
    for (int c = 4; c <= 6; c++) {
      add(in, TinyFleet.rows("P", null, 4, c, c, 2), offset);
      q.processAllAvailable();
    }
    q.stop();
    Map<String, String> status = new HashMap<>();
    List<String> predicted = new ArrayList<>();
    String reason = null;
    for (List<Row> batch : OUT.values()) {
      for (Row r : batch) {
        String key = r.getAs("assetId") + "@" + r.getAs("cycle");
        if (StreamOutput.LANDED.equals(r.getAs("kind"))) {
          status.put(key, r.getAs("status") + (r.getAs("reasonCode") == null ? "" : " " + r.getAs("reasonCode")));
          reason = r.getAs("cycle").equals(1004) ? r.getAs("reason") : reason;
        }
        if (r.getAs("predictedRul") != null) {
          predicted.add(key);
        }
      }
    }
    assertEquals("REJECT CYCLE_JUMP", status.get("P-null-4@1004"));
    assertEquals("cycle 1004 of P-null-4 is 1001 cycles after its last scored cycle 3, more than"
        + " pdm.scoring.max-cycle-gap (1000); a counter that jumped would make every later cycle of the asset late"
        + " (raise the gap if the asset really ran that long unseen)", reason);
    assertEquals(List.of("INSERT", "INSERT", "INSERT"), List.of(status.get("P-null-4@4"), status.get("P-null-4@5"),
        status.get("P-null-4@6")), "not LATE_EVENT");
    assertEquals(List.of("P-null-4@1", "P-null-4@2", "P-null-4@3", "P-null-4@4", "P-null-4@5", "P-null-4@6"),
        predicted.stream().sorted().toList());
  }

  /**
   * A time fleet (a tick an hour here, so labels in hours equal the cycle fixture's): readings
   * with gaps, some out of order within the 2-tick allowance, are folded in time order and scored
   * as the batch path scores the same series; a reading older than one folded is LATE_EVENT, with
   * the allowance named; a reading after a gap waits for one 2 ticks newer (the asset's watermark).
   */
  @Test
  void aTimeFleetsReadingsAreFoldedInTimeOrderWithinTheAllowanceAndLateOnesQuarantined() throws Exception {
    DatasetProfile tiny = TinyFleet.profile();
    DatasetProfile hourly = new DatasetProfile("tiny-hourly", DatasetProfile.Clock.TIME, 3_600_000L, tiny.settings(),
        tiny.sensors(), Map.of());
    FeatureSet set = FeatureSetFitter.fit(trainRows(), "P", hourly, FeatureConfig.from(TinyFleet.config(
        Path.of("unused"), "pdm.features.windows", "3h,5h", "pdm.labels.rul-cap", "30h", "pdm.labels.horizon", "10h"),
        hourly), 0).withVersion(1);
    assertEquals(3_600_000L, set.spec().tickMillis());
    ChampionModels.Champions champions = train(set);
    Anomalies.Baseline baseline = Anomalies.fit(FeaturesJob.compute(trainRows(), set, 0), set.spec().sensors(),
        set.regimes());
    CycleScorer scorer = new CycleScorer(new TreeModels(champions, set.featureNames()), set.featureNames(), RISK,
        baseline, new Anomalies.Rules(3, 5, 2), set.rulUnit());
    Fixture fx = new Fixture(set, champions, baseline, scorer);

    Map<Integer, Row> byTick = new HashMap<>();
    for (Row r : TinyFleet.rows("P", null, 5, 1, 42, 2)) {
      byTick.put(r.getInt(3), r);
    }
    OUT.clear();
    MemoryStream<StreamInput> in = new MemoryStream<>(1, spark, Option.empty(), Encoders.bean(StreamInput.class));
    long[] offset = {0};
    StreamingQuery q = run(in.toDS(), AssetProcessor.create("P", set, READINGS,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(scorer), 2, 0, 8, 0),
        TestSpark.tempDir("time-cp"));
    List<List<Integer>> batches = new ArrayList<>(List.of(
        List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), // then a gap: ticks 10 to 12 never come
        List.of(14, 13), List.of(15, 16, 18), List.of(17)));
    List<Integer> rest = new ArrayList<>();
    for (int t = 19; t <= 42; t++) {
      if (t != 25 && t != 41) {
        rest.add(t);
      }
    }
    batches.add(rest);
    batches.add(List.of(25)); // 17 ticks behind the newest folded one
    for (List<Integer> ticks : batches) {
      List<StreamInput> inputs = new ArrayList<>();
      for (int t : ticks) {
        StreamInput i = input(byTick.get(t), offset[0]++);
        i.setEventTime(new Timestamp(hourly.tickMillis(t)));
        inputs.add(i);
      }
      in.addData(CollectionConverters.asScala(inputs.iterator()));
      q.processAllAvailable();
    }
    q.stop();

    List<Row> sent = new ArrayList<>();
    for (int t = 1; t <= 42; t++) {
      if ((t < 10 || t > 12) && t != 25 && t != 41) {
        sent.add(byTick.get(t));
      }
    }
    Map<String, Row> batch = batchScored(fx, sent);
    List<Integer> predicted = new ArrayList<>();
    String late = null;
    for (List<Row> rows : OUT.values()) {
      for (Row r : rows) {
        if (r.getAs("predictedRul") != null) {
          int tick = r.getAs("cycle");
          predicted.add(tick);
          Row b = batch.get("P-null-5@" + tick);
          assertEquals(b.getDouble(2), (Double) r.getAs("predictedRul"), 1e-9, "tick " + tick);
          assertEquals(b.getDouble(3), (Double) r.getAs("failureProbability"), 1e-9, "tick " + tick);
        }
        if (Integer.valueOf(25).equals(r.getAs("cycle")) && StreamOutput.LANDED.equals(r.getAs("kind"))) {
          late = r.getAs("lateReason");
        }
      }
    }
    List<Integer> expected = new ArrayList<>();
    sent.forEach(r -> expected.add(r.getInt(3)));
    // 42 follows a gap (41 never comes): it waits for a reading at tick 44 or later; a reading of
    // the next tick is folded at once (nothing can come between)
    expected.remove(Integer.valueOf(42));
    assertEquals(expected, predicted.stream().sorted().toList());
    assertEquals("the reading of P-null-5 at " + java.time.Instant.ofEpochMilli(hourly.tickMillis(25)) + " arrived after"
        + " one 15h newer was folded, beyond the lateness allowance of 2h (pdm.scoring.lateness.allowed); the stream"
        + " folds an asset's readings in time order (the next features run and score-batch cover it)", late);
  }

  @Test
  void anAssetBackAfterItsStateExpiredIsFoldedAgainFromSilverAndScoredAsTheBatchPathDoes() throws Exception {
    Fixture fx = fixture();
    Path root = TestSpark.tempDir("refold-wh");
    Warehouse wh = new Warehouse(spark, root.toString());
    wh.ensure(Tables.OPS_ASSET_REFOLDS, AssetRefolds.schema());
    AssetProcessor processor = AssetProcessor.create("P", fx.set(), READINGS,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(fx.scorer()), 2, 1000, 8, 0)
        // longer than the test's steps between two batches of an asset (the fold below is one), on a loaded
        // machine: 8 s was not, once, with bin/test's five lanes and a sixth JVM on 2 cores (the held cycles
        // expired before the refold came, and nothing was scored)
        .withStateTtl(20_000, 86_400_000L);
    OUT.clear();
    MemoryStream<StreamInput> in = new MemoryStream<>(1, spark, Option.empty(), Encoders.bean(StreamInput.class));
    long[] offset = {0};
    Path checkpoint = TestSpark.tempDir("refold-cp");
    StreamingQuery q = run(in.toDS().union(AssetRefolds.source(spark, wh, "P", 0, 1)), processor, checkpoint);
    List<Row> first = TinyFleet.rows("P", null, 5, 1, 20, 2);
    add(in, first, offset);
    q.processAllAvailable();
    assertEquals(20, predictions(drain()).size());
    assertEquals(1L, stateRows(checkpoint, "asset"));

    // silent beyond the TTL: another asset's batch runs after it, and the state store lets asset 5 go
    Thread.sleep(21_000);
    add(in, TinyFleet.rows("P", null, 6, 1, 1, 2), offset);
    q.processAllAvailable();
    drain();
    assertEquals(1L, stateRows(checkpoint, "asset"), "asset 5's state expired, asset 6's is new");

    // back: cycles 21 and 22 are landed for a merge (unchecked), held, and a refold is asked for
    long back = offset[0];
    add(in, TinyFleet.rows("P", null, 5, 21, 22, 2), offset);
    q.processAllAvailable();
    List<Row> asked = drain();
    assertEquals(List.of(), predictions(asked), "nothing is scored on an empty state");
    assertEquals(List.of("LANDED INSERT false", "LANDED INSERT false", "REFOLD"), asked.stream()
        .map(r -> r.getAs("kind") + (r.getAs("status") == null ? "" : " " + r.getAs("status") + " "
            + r.getAs("checked"))).sorted().toList());

    // the batch writer's part: silver holds the history and the batch's two records; only the history is folded
    List<Row> silver = new ArrayList<>(first);
    for (Row r : TinyFleet.rows("P", null, 5, 21, 22, 2)) {
      Object[] v = new Object[r.length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.get(i);
      }
      v[11] = "kafka:golden/0/" + (back + r.getInt(3) - 21);
      silver.add(org.apache.spark.sql.RowFactory.create(v));
    }
    wh.ensure(Tables.SILVER_TELEMETRY, TinyFleet.schema());
    TinyFleet.frame(spark, silver).write().format("delta").mode("append").save(wh.path(Tables.SILVER_TELEMETRY));
    Dataset<Row> out = spark.createDataFrame(asked, asked.get(0).schema());
    Dataset<Row> refolds = AssetRefolds.fold(wh, TinyFleet.profile(), "P", out, processor, 2L,
        org.apache.spark.sql.functions.current_timestamp());
    refolds.write().format("delta").mode("append").save(wh.path(Tables.OPS_ASSET_REFOLDS));
    Row refold = spark.read().format("delta").load(wh.path(Tables.OPS_ASSET_REFOLDS))
        .selectExpr("asset_id", "history_cycles", "state.features.lastCycle", "state.predictedThrough").head();
    assertEquals(List.of("P-null-5", 20, 20, 20), List.of(refold.get(0), refold.get(1), refold.get(2), refold.get(3)));

    // the next batch takes the refold from its third source, then folds 21, 22 and the new 23
    add(in, TinyFleet.rows("P", null, 5, 23, 23, 2), offset);
    q.processAllAvailable();
    q.stop();
    List<Row> scored = predictions(drain());
    assertEquals(List.of("P-null-5@21", "P-null-5@22", "P-null-5@23"), scored.stream()
        .map(r -> r.getAs("assetId") + "@" + r.getAs("cycle")).sorted().toList());
    Map<String, Row> batch = batchScored(TinyFleet.rows("P", null, 5, 1, 23, 2));
    for (Row r : scored) {
      String key = r.getAs("assetId") + "@" + r.getAs("cycle");
      assertEquals(batch.get(key).getDouble(2), (Double) r.getAs("predictedRul"), 1e-9, "RUL of " + key);
      assertEquals(batch.get(key).getDouble(3), (Double) r.getAs("failureProbability"), 1e-9, "probability of " + key);
      assertEquals(batch.get(key).getString(5), r.getAs("anomalySeverity"), "anomaly of " + key);
    }
  }

  @Test
  void championsOnAnotherFeatureSetTakeEachAssetFoldedAgainUnderItWithoutGapOrDuplicate() throws Exception {
    Fixture v1 = fixture();
    Fixture v2 = fit(2);
    assertTrue(!v1.set().featureNames().equals(v2.set().featureNames()), "two different feature sets");
    Path root = TestSpark.tempDir("swap-wh");
    Warehouse wh = new Warehouse(spark, root.toString());
    wh.ensure(Tables.OPS_ASSET_REFOLDS, AssetRefolds.schema());
    wh.ensure(Tables.SILVER_TELEMETRY, TinyFleet.schema());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long day = 86_400_000L;
    AssetProcessor before = AssetProcessor.create("P", v1.set(), READINGS, jsc.broadcast(v1.scorer()), 2, 1000, 8, 0)
        .withStateTtl(day, day);
    OUT.clear();
    MemoryStream<StreamInput> in = new MemoryStream<>(1, spark, Option.empty(), Encoders.bean(StreamInput.class));
    long[] offset = {0};
    Path checkpoint = TestSpark.tempDir("swap-cp");
    // under v1: asset 7 cycles 1-10 scored, 12 held for the missing 11; asset 8 cycles 1-10
    List<Row> sent = new ArrayList<>(TinyFleet.rows("P", null, 7, 1, 10, 2));
    sent.addAll(TinyFleet.rows("P", null, 7, 12, 12, 2));
    sent.addAll(TinyFleet.rows("P", null, 8, 1, 10, 2));
    StreamingQuery q = run(in.toDS().union(AssetRefolds.source(spark, wh, "P", 0, 1)), before, checkpoint);
    add(in, sent, offset);
    q.processAllAvailable();
    assertEquals(20, predictions(drain()).size());
    land(wh, sent, 0);

    // v2's champions are known: every asset is folded under v2 beside the running stream (bases)
    AssetProcessor after = AssetProcessor.create("P", v2.set(), READINGS, jsc.broadcast(v2.scorer()), 2, 1000, 8, 0)
        .withStateTtl(day, day, 1);
    Column at = org.apache.spark.sql.functions.current_timestamp();
    AssetRefolds.prefold(wh, TinyFleet.profile(), "P", after, at).write().format("delta").mode("append")
        .save(wh.path(Tables.OPS_ASSET_REFOLDS));
    // v1 scores on meanwhile: asset 8 cycles 11-12
    long more = offset[0];
    add(in, TinyFleet.rows("P", null, 8, 11, 12, 2), offset);
    q.processAllAvailable();
    q.stop();
    assertEquals(2, predictions(drain()).size());
    land(wh, TinyFleet.rows("P", null, 8, 11, 12, 2), more);

    // the swap: the query restarts on the checkpoint (whose states were folded under v1) with v2
    q = run(in.toDS().union(AssetRefolds.source(spark, wh, "P", 0, 2)), after, checkpoint);
    long thirteen = offset[0];
    List<Row> next = new ArrayList<>(TinyFleet.rows("P", null, 7, 13, 13, 2));
    next.addAll(TinyFleet.rows("P", null, 8, 13, 13, 2));
    add(in, next, offset);
    q.processAllAvailable();
    List<Row> asked = drain();
    assertEquals(List.of(), predictions(asked), "nothing is scored on v1's window state");
    Map<String, List<String>> held = new HashMap<>();
    asked.stream().filter(r -> StreamOutput.REFOLD.equals(r.getAs("kind")))
        .forEach(r -> held.put(r.getAs("assetId"), r.getList(r.fieldIndex("heldSources"))));
    assertEquals(Map.of("P-null-7", List.of("kafka:golden/0/10"), "P-null-8", List.of()), held,
        "both ask; 7's held cycle 12 stays held, out of its history");

    // the batch writer's part: 7 is folded from its whole history (its base had folded 12), 8 from
    // its base (cycles 1-10) and the cycles since (11, 12); a v1 refold asked before is not taken
    land(wh, next, thirteen);
    // 8's cycles before its base taken out of silver: its fold can only have them from the base
    spark.sql("DELETE FROM delta.`" + wh.path(Tables.SILVER_TELEMETRY) + "` WHERE asset_id = 'P-null-8' AND cycle <= 10");
    Dataset<Row> out = spark.createDataFrame(asked, asked.get(0).schema());
    AssetRefolds.fold(wh, TinyFleet.profile(), "P", out, before, 1L, at)
        .unionByName(AssetRefolds.fold(wh, TinyFleet.profile(), "P", out, after, 2L, at))
        .write().format("delta").mode("append").save(wh.path(Tables.OPS_ASSET_REFOLDS));
    assertEquals(List.of("P-null-7 -1 11 12", "P-null-7 2 10 10", "P-null-8 -1 10 10", "P-null-8 2 12 12"),
        spark.read().format("delta").load(wh.path(Tables.OPS_ASSET_REFOLDS)).where("feature_set_version = 2")
            .selectExpr("concat_ws(' ', asset_id, batch_id, history_cycles, state.features.lastCycle)")
            .orderBy("asset_id", "batch_id").as(Encoders.STRING()).collectAsList());

    // 7's missing 11 comes, and 8's 14: 11-13 of 7 and 13-14 of 8 are scored under v2, as the batch path scores them
    add(in, TinyFleet.rows("P", null, 7, 11, 11, 2), offset);
    add(in, TinyFleet.rows("P", null, 8, 14, 14, 2), offset);
    q.processAllAvailable();
    List<Row> scored = new ArrayList<>(predictions(drain()));
    // and 8's next cycle at once: the asset is marked as folded under v2
    add(in, TinyFleet.rows("P", null, 8, 15, 15, 2), offset);
    q.processAllAvailable();
    q.stop();
    List<Row> last = drain();
    assertTrue(last.stream().noneMatch(r -> StreamOutput.REFOLD.equals(r.getAs("kind"))), "no refold asked again");
    scored.addAll(predictions(last));
    assertEquals(List.of("P-null-7@11", "P-null-7@12", "P-null-7@13", "P-null-8@13", "P-null-8@14", "P-null-8@15"),
        scored.stream().map(r -> r.getAs("assetId") + "@" + r.getAs("cycle")).sorted().toList());
    List<Row> series = new ArrayList<>(TinyFleet.rows("P", null, 7, 1, 13, 2));
    series.addAll(TinyFleet.rows("P", null, 8, 1, 15, 2));
    Map<String, Row> batch = batchScored(v2, series);
    for (Row r : scored) {
      String key = r.getAs("assetId") + "@" + r.getAs("cycle");
      assertEquals(batch.get(key).getDouble(2), (Double) r.getAs("predictedRul"), 1e-9, "RUL of " + key);
      assertEquals(batch.get(key).getDouble(3), (Double) r.getAs("failureProbability"), 1e-9, "probability of " + key);
    }
  }

  /** Appends {@code rows} to silver as the stream lands them: sources {@code kafka:golden/0/<offset>} from {@code first}. */
  private void land(Warehouse wh, List<Row> rows, long first) {
    TinyFleet.frame(spark, withKafkaSources(rows, first)).write().format("delta").mode("append")
        .save(wh.path(Tables.SILVER_TELEMETRY));
  }

  /** {@code rows} as silver holds them from the stream: sources {@code kafka:golden/0/<offset>}, from {@code first} on. */
  private static List<Row> withKafkaSources(List<Row> rows, long first) {
    List<Row> out = new ArrayList<>();
    long offset = first;
    for (Row r : rows) {
      Object[] v = new Object[r.length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.get(i);
      }
      v[11] = "kafka:golden/0/" + offset++;
      out.add(org.apache.spark.sql.RowFactory.create(v));
    }
    return out;
  }

  /** The output of the batches since the last call (with a TTL, Spark may run batches without data too). */
  private static List<Row> drain() {
    List<Row> all = new ArrayList<>();
    new java.util.TreeMap<>(OUT).values().forEach(all::addAll);
    OUT.clear();
    return all;
  }

  private static List<Row> predictions(List<Row> out) {
    return out.stream().filter(r -> r.getAs("predictedRul") != null).toList();
  }

  /** Rows of one of the scoring state's variables in the checkpoint's last committed batch. */
  private long stateRows(Path checkpoint, String variable) {
    return spark.read().format("statestore").option("path", checkpoint.toString())
        .option("stateVarName", variable).load().count();
  }

  @Test
  void aConflictNamesTheFirstRecordAndADuplicateIsDropped() {
    StreamInput first = input(TinyFleet.rows("P", null, 1, 2, 2, 2).get(0), 5);
    StreamInput again = input(TinyFleet.rows("P", null, 1, 2, 2, 2).get(0), 9);
    StreamInput other = input(changed(TinyFleet.rows("P", null, 1, 2, 2, 2).get(0)), 11);
    assertEquals(AssetStates.hash(first.getReadings()), AssetStates.hash(again.getReadings()));
    assertTrue(AssetStates.hash(first.getReadings()) != AssetStates.hash(other.getReadings()));
    assertEquals("kafka:golden/0/5", AssetProcessor.source(first));
  }

  private StreamingQuery run(MemoryStream<StreamInput> in, FeatureSet set, CycleScorer scorer, Path checkpoint)
      throws Exception {
    return run(in.toDS(), AssetProcessor.create("P", set, READINGS,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(scorer), 2, 1000, 8, 0), checkpoint);
  }

  private StreamingQuery run(Dataset<StreamInput> in, AssetProcessor processor, Path checkpoint) throws Exception {
    ScoringQuery.configure(spark);
    // as the scorer does: an initial state for a new checkpoint, none when it resumes one
    Dataset<Row> out = ScoringQuery.process(in, processor, !Checkpoints.isNew(spark, checkpoint.toString())
        ? null : spark.emptyDataset(Encoders.bean(AssetState.class)).groupByKey(
            (MapFunction<AssetState, String>) s -> "", Encoders.STRING()));
    return out.writeStream().option("checkpointLocation", checkpoint.toString())
        .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> OUT.put(id, batch.collectAsList()))
        .start();
  }

  private static void add(MemoryStream<StreamInput> in, List<Row> rows, long[] offset) {
    List<StreamInput> inputs = new ArrayList<>();
    for (Row r : rows) {
      inputs.add(input(r, offset[0]++));
    }
    in.addData(CollectionConverters.asScala(inputs.iterator()));
  }

  private static StreamInput input(Row r, long offset) {
    StreamInput in = new StreamInput();
    in.setKind(StreamInput.EVENT);
    in.setDataset(r.getString(0));
    in.setAssetId(r.getString(2));
    in.setCycle(r.getInt(3));
    double[] readings = new double[6];
    for (int i = 0; i < 6; i++) {
      readings[i] = r.isNullAt(5 + i) ? Double.NaN : r.getDouble(5 + i);
    }
    in.setReadings(readings);
    in.setTopic("golden");
    in.setKafkaPartition(0);
    in.setKafkaOffset(offset);
    in.setKafkaTimestamp(new Timestamp(1_700_000_000_000L + offset));
    in.setPayload("{}");
    return in;
  }

  /** {@code r} with the value at {@code at} moved by {@code by}. */
  private static Row offset(Row r, int at, double by) {
    Object[] v = new Object[r.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.get(i);
    }
    v[at] = (Double) v[at] + by;
    return org.apache.spark.sql.RowFactory.create(v);
  }

  private static Row changed(Row r) {
    return offset(r, 7, 1);
  }

  private Dataset<Row> trainRows() {
    return TinyFleet.frame(spark, TinyFleet.concat(List.of(
        TinyFleet.rows("P", "train", 1, 1, 60, 2), TinyFleet.rows("P", "train", 2, 1, 45, 2))));
  }

  private ChampionModels.Champions train(FeatureSet set) {
    Dataset<Row> features = FeaturesJob.compute(trainRows(), set, 0).cache();
    GridPoint p = new GridPoint(2, 5, 0.3, 1.0);
    PipelineModel rul = GbtModels.fit(features.withColumn(GbtModels.LABEL, col("rul").cast("double")),
        set.featureNames(), Task.RUL, p, new GbtModels.Trees(16, 7, "all", 1), 0.5);
    PipelineModel failure = GbtModels.fit(
        features.withColumn(GbtModels.LABEL, col("fails_within_horizon").cast("double")),
        set.featureNames(), Task.FAILURE, p, new GbtModels.Trees(16, 7, "all", 1), 0.5);
    return new ChampionModels.Champions("P", new ChampionModels.ModelRef("rul", "1", "run", set.version()),
        new ChampionModels.ModelRef("failure", "1", "run", set.version()), rul, failure, null);
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return to;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> files = Files.walk(p)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
