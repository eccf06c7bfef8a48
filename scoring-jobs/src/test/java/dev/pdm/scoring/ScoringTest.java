package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.stream.StreamTrigger;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.FeaturesJob;
import dev.pdm.features.TinyFleet;
import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.ingest.kafka.KafkaTopics;
import dev.pdm.ingest.kafka.LocalKafkaBroker;
import dev.pdm.ingest.sim.EventJson;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.LocalMlflow;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import dev.pdm.scoring.stream.CycleScorer;
import dev.pdm.training.TrainJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batch and stream scoring against a real MLflow server and Kafka broker: a tiny fleet is trained
 * once; live assets are published as JSON events and scored by the stream, then by score-batch.
 */
@Integration
class ScoringTest {

  private static final String GRID = "3,15,0.3,1.0";
  private static final List<String> READINGS = List.of("x1", "x2", "a", "b", "c", "d");

  private static Path warehouse;
  private static LocalKafkaBroker broker;
  private static String version1;
  private final SparkSession spark = TestSpark.session();

  @BeforeAll
  static void trainFleet() {
    SparkSession spark = TestSpark.session();
    broker = LocalKafkaBroker.start(TestSpark.tempDir("kafka"), 0);
    warehouse = TestSpark.tempDir("score-wh");
    PdmConfig config = config();
    List<List<Row>> parts = new ArrayList<>();
    for (int unit = 1; unit <= 9; unit++) {
      parts.add(TinyFleet.rows("T", "train", unit, 1, 25 + 4 * unit, 1));
    }
    TinyFleet.appendSilver(spark, config, TinyFleet.concat(parts));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T", false));
    TrainJob.Result trained = TrainJob.run(spark, new TrainJob.Options(config, "T", null, 3, false));
    version1 = trained.models().get(Task.RUL).version();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static PdmConfig config(String... more) {
    String[] g = GRID.split(",");
    List<String> kv = new ArrayList<>(List.of("pdm.mlflow.tracking-uri", LocalMlflow.uri(),
        PdmConfigKeys.KAFKA_BOOTSTRAP.name(), broker.bootstrapServers(),
        "pdm.training.grid.max-depth", g[0], "pdm.training.grid.max-iter", g[1],
        "pdm.training.grid.step-size", g[2], "pdm.training.grid.subsampling-rate", g[3],
        PdmConfigKeys.SCORING_MODEL_REFRESH.name(), "0ms"));
    kv.addAll(List.of(more));
    return TinyFleet.config(warehouse, kv.toArray(String[]::new));
  }

  /** Publishes cycles from..to of live assets {@code T-<prefix>-<unit>} as JSON events. */
  private static void publish(String topic, String prefix, int units, int from, int to) {
    publish(topic, prefix, units, from, to, null);
  }

  /** The same, cycle c at {@code start} + c - 1 hours when {@code start} is given. */
  private static void publish(String topic, String prefix, int units, int from, int to, Instant start) {
    List<Row> rows = new ArrayList<>();
    for (int unit = 1; unit <= units; unit++) {
      rows.addAll(TinyFleet.rows("T", prefix, unit, from, to, 1));
    }
    publish(topic, rows, Map.of(), start);
  }

  private static void publish(String topic, List<Row> rows, Map<Integer, Map<Integer, Double>> override) {
    publish(topic, rows, override, null);
  }

  /**
   * Publishes silver-shaped rows as JSON events.
   *
   * @param override readings to replace: cycle -> (reading index -> value)
   */
  private static void publish(String topic, List<Row> rows, Map<Integer, Map<Integer, Double>> override,
      Instant start) {
    // created first and every send acknowledged: a batch the broker refused (seen when the first
    // sends raced the auto-creation of the topic under load) fails here, not as a missing prediction
    KafkaTopics.create(broker.bootstrapServers(), List.of(topic));
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(config()))) {
      for (Row r : rows) {
        // silver's columns: dataset, split, asset_id, cycle, event_time, x1, x2, a, b, c, d, ...
        Double[] readings = new Double[READINGS.size()];
        for (int i = 0; i < readings.length; i++) {
          readings[i] = override.getOrDefault(r.getInt(3), Map.of()).getOrDefault(i, (Double) r.get(5 + i));
        }
        Instant time = start == null ? null : start.plus(Duration.ofHours(r.getInt(3) - 1L));
        String json = EventJson.event(r.getString(2), r.getString(0), r.getInt(3), time, READINGS, 2, readings);
        // keyed by asset, as the simulator and publish do: one asset's cycles stay in order
        sent.add(producer.send(new ProducerRecord<>(topic, r.getString(2).getBytes(StandardCharsets.UTF_8),
            json.getBytes(StandardCharsets.UTF_8))));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("Cannot publish to " + topic + ": " + e.getMessage(), e);
    }
  }

  private ScoreStreamJob.Result stream(String topic) {
    return stream(topic, config());
  }

  private ScoreStreamJob.Result stream(String topic, PdmConfig config) {
    return ScoreStreamJob.run(spark, new ScoreStreamJob.Options(config, topic, "T", "alerts-" + topic,
        StreamTrigger.availableNow(), null));
  }

  /** Every message of a topic, from the start. */
  private static List<String> consume(String topic) {
    Map<String, Object> props = new HashMap<>(KafkaSettings.client(config()));
    props.put("group.id", "test-" + System.nanoTime());
    props.put("auto.offset.reset", "earliest");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    List<String> out = new ArrayList<>();
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
      consumer.subscribe(List.of(topic));
      long idleSince = System.currentTimeMillis();
      while (System.currentTimeMillis() - idleSince < 5_000) {
        var records = consumer.poll(java.time.Duration.ofMillis(500));
        records.forEach(r -> out.add(r.value()));
        if (!records.isEmpty()) {
          idleSince = System.currentTimeMillis();
        }
      }
    }
    return out;
  }

  private List<Row> predictions(String where) {
    return spark.sql("SELECT asset_id, cycle, predicted_rul, failure_probability, risk_level, rul_model_version,"
        + " failure_model_version, scored_by, anomaly_severity, anomaly_reasons, kafka_timestamp, scored_at,"
        + " rul_lower, rul_upper"
        + " FROM delta.`" + warehouse.resolve("gold/predictions")
        + "` WHERE " + where + " ORDER BY asset_id, cycle").collectAsList();
  }

  private long predictionsVersion() {
    return commits("gold/predictions");
  }

  private long commits(String table) {
    return spark.sql("DESCRIBE HISTORY delta.`" + warehouse.resolve(table) + "`").count();
  }

  @Test
  void streamScoresEveryCycleOnceAndItsLastPredictionEqualsScoreBatch() {
    publish("live", "live", 3, 1, 20);
    ScoreStreamJob.Result first = stream("live");
    assertEquals(60, first.landing().inserted());
    assertEquals(60, first.predictions());
    List<Row> streamed = predictions("asset_id LIKE 'T-live-%'");
    assertEquals(60, streamed.size(), "one prediction per cycle");
    RiskLevels risk = RiskLevels.from(config());
    for (Row r : streamed) {
      assertEquals(version1, r.getString(5));
      assertEquals("stream", r.getString(7));
      assertEquals(risk.level(r.getDouble(3), r.getDouble(2)).name(), r.getString(4));
      assertTrue(r.getDouble(3) >= 0 && r.getDouble(3) <= 1);
      assertEquals("NONE", r.getString(8), "healthy live assets: " + r);
      assertTrue(r.get(10) != null && !r.getTimestamp(11).before(r.getTimestamp(10)), "published, then scored: " + r);
    }

    String metrics = "SELECT count(*), sum(input_rows), min(latency_p50_ms), count(latency_p95_ms),"
        + " sum(output_rows) FROM delta.`" + warehouse.resolve("ops/stream_metrics")
        + "` WHERE job = 'score-stream' AND topic = 'live'";
    Row m = spark.sql(metrics).head();
    assertEquals(first.batches(), m.getLong(0), "one metrics row per scoring micro-batch");
    assertEquals(60, m.getLong(1));
    assertEquals(60, m.getLong(4));
    assertTrue(m.getLong(2) >= 0, "publish-to-commit latency of each scoring batch: " + m);
    assertEquals(first.batches(), m.getLong(3));

    // restart on the same checkpoints: nothing new, nothing written
    long version = predictionsVersion();
    ScoreStreamJob.Result again = stream("live");
    assertEquals(0, again.predictions());
    assertEquals(version, predictionsVersion());
    assertEquals(m, spark.sql(metrics).head());

    Map<String, double[]> lastStreamed = new HashMap<>();
    for (Row r : streamed) {
      if (r.getInt(1) == 20) {
        lastStreamed.put(r.getString(0), new double[] {r.getDouble(2), r.getDouble(3), r.getDouble(12),
            r.getDouble(13)});
        // the RUL model's interval, stored with it by train, brackets the prediction
        assertTrue(r.getDouble(12) <= r.getDouble(2) && r.getDouble(2) <= r.getDouble(13), r.toString());
      }
    }
    // score-batch computes the same features from silver with the batch job and scores the latest cycle
    FeaturesJob.run(spark, new FeaturesJob.Options(config(), "T", false));
    ScoreBatchJob.Result batch = ScoreBatchJob.run(spark,
        new ScoreBatchJob.Options(config(), "T", "asset_id LIKE 'T-live-%'", false));
    assertEquals(3, batch.rows());
    List<Row> scored = predictions("asset_id LIKE 'T-live-%' AND cycle = 20");
    assertEquals(3, scored.size());
    for (Row r : scored) {
      assertEquals("batch", r.getString(7));
      assertEquals(lastStreamed.get(r.getString(0))[0], r.getDouble(2), 1e-9, "predicted RUL of " + r.getString(0));
      assertEquals(lastStreamed.get(r.getString(0))[1], r.getDouble(3), 1e-9, "probability of " + r.getString(0));
      assertEquals(lastStreamed.get(r.getString(0))[2], r.getDouble(12), 1e-9, "RUL lower bound of " + r.getString(0));
      assertEquals(lastStreamed.get(r.getString(0))[3], r.getDouble(13), 1e-9, "RUL upper bound of " + r.getString(0));
      assertEquals("NONE", r.getString(8));
      assertTrue(r.isNullAt(10), "no Kafka timestamp from score-batch");
    }
    assertEquals(60, predictions("asset_id LIKE 'T-live-%'").size(), "score-batch updated, added nothing");
  }

  @Test
  void anAssetRunToFailureRaisesOneAlertPerEscalation() {
    // RUL limits for the tiny fleet (labels capped at 30); probabilities never reach 1
    PdmConfig config = config("pdm.scoring.risk.medium", "1,20", "pdm.scoring.risk.high", "1,10",
        "pdm.scoring.risk.critical", "1,3");
    publish("fail", "fail", 1, 1, 61, Instant.parse("2026-01-01T00:00:00Z"));
    ScoreStreamJob.Result first = stream("fail", config);
    List<Row> predicted = predictions("asset_id = 'T-fail-1'");
    assertEquals(61, predicted.size());
    int expected = 0;
    int highest = 0;
    int elevated = 0;
    for (Row r : predicted) {
      int level = RiskLevels.Level.valueOf(r.getString(4)).ordinal();
      elevated += level > 0 ? 1 : 0;
      if (level > highest) {
        expected++;
        highest = level;
      }
    }
    assertEquals(RiskLevels.Level.CRITICAL.ordinal(), highest, "the asset is driven to failure: " + predicted);
    List<Row> alerts = spark.sql("SELECT alert_id, cycle, risk_level, previous_level, recommendation, top_features,"
        + " status, published_at FROM delta.`" + warehouse.resolve("gold/alerts") + "` WHERE asset_id = 'T-fail-1'"
        + " ORDER BY cycle").collectAsList();
    assertEquals(expected, alerts.size(), "one alert per escalation: " + alerts);
    assertEquals(expected, first.alerts());
    // the asset's view of the state was refreshed before the run returned
    assertEquals("61 CRITICAL CRITICAL", spark.sql("SELECT concat_ws(' ', cycle, risk_level, alerted_level) FROM delta.`"
        + warehouse.resolve("ops/asset_risk") + "` WHERE asset_id = 'T-fail-1'").head().getString(0));
    assertTrue(alerts.size() < elevated, alerts.size() + " alerts for " + elevated + " elevated cycles");
    String previous = "LOW";
    for (Row a : alerts) {
      assertEquals(previous, a.getString(3));
      previous = a.getString(2);
      assertEquals("open", a.getString(6));
      assertEquals(CycleScorer.TOP_FEATURES, a.getList(5).size(), a.toString());
      assertTrue(a.getString(4).startsWith(a.getString(2).equals("CRITICAL") ? "inspect now" : "inspect within "),
          a.getString(4));
      assertTrue(a.get(7) != null, "published");
    }
    List<String> sent = consume("alerts-fail");
    assertEquals(alerts.size(), sent.size(), sent.toString());
    assertTrue(sent.get(0).contains("\"alert_id\":\"" + alerts.get(0).getString(0) + "\""), sent.get(0));

    // restart: nothing new in the table or the topic
    ScoreStreamJob.Result again = stream("fail", config);
    assertEquals(0, again.alerts());
    assertEquals(alerts.size(), consume("alerts-fail").size());

    // one work order per HIGH or CRITICAL alert, due by the RUL interval's lower bound, an hour a cycle
    List<Row> orders = spark.sql("SELECT w.work_order_id, w.alert_id, w.risk_level, w.priority, w.cycle, w.due_cycle,"
        + " w.cycle_seconds, w.due_date, w.status, p.rul_lower, p.event_time, a.recommendation = w.recommended_action"
        + " FROM delta.`" + warehouse.resolve("gold/work_orders") + "` w"
        + " JOIN delta.`" + warehouse.resolve("gold/alerts") + "` a USING (alert_id)"
        + " JOIN delta.`" + warehouse.resolve("gold/predictions") + "` p ON p.asset_id = w.asset_id AND p.cycle = w.cycle"
        + " WHERE w.asset_id = 'T-fail-1' ORDER BY w.cycle").collectAsList();
    List<String> opening = alerts.stream().map(a -> a.getString(2)).filter(l -> l.equals("HIGH") || l.equals("CRITICAL"))
        .toList();
    assertEquals(opening, orders.stream().map(o -> o.getString(2)).toList(), orders.toString());
    assertEquals(List.of("HIGH", "CRITICAL"), opening, "this fleet escalates through both");
    for (Row o : orders) {
      assertEquals(WorkOrders.idOf(o.getString(1)), o.getString(0));
      assertEquals(o.getString(2).equals("CRITICAL") ? "P1" : "P2", o.getString(3));
      assertEquals(o.getInt(4) + (int) Math.floor(Math.max(0, o.getDouble(9))), o.getInt(5), o.toString());
      assertEquals(3600.0, o.getDouble(6), 1e-9, "event times an hour apart");
      assertEquals(o.getTimestamp(10).toInstant().plus(Duration.ofHours(o.getInt(5) - o.getInt(4))),
          o.getTimestamp(7).toInstant(), o.toString());
      assertEquals("open", o.getString(8));
      assertTrue(o.getBoolean(11), "the alert's recommendation");
    }
    assertEquals(orders.size(), spark.sql("SELECT count(*) FROM delta.`" + warehouse.resolve("gold/work_orders")
        + "`").head().getLong(0), "the restart opened none again");

    // the lifecycles: ack an alert; cancel one work order, schedule and complete the other
    String last = alerts.get(alerts.size() - 1).getString(0);
    AlertsCommand.run(spark, new AlertsCommand.Options(config, AlertsCommand.Action.ACK, last, "on it", null, false));
    assertEquals("acknowledged", spark.sql("SELECT status FROM delta.`" + warehouse.resolve("gold/alerts")
        + "` WHERE alert_id = '" + last + "'").head().getString(0));
    AlertsCommand.Result open = AlertsCommand.run(spark, new AlertsCommand.Options(config, AlertsCommand.Action.LIST,
        null, null, "T", false));
    assertTrue(open.alerts().size() >= alerts.size());
    String high = orders.get(0).getString(0);
    String critical = orders.get(1).getString(0);
    workOrder(config, WorkOrdersCommand.Action.CANCEL, high, null, null);
    PdmException closed = assertThrows(PdmException.class,
        () -> workOrder(config, WorkOrdersCommand.Action.SCHEDULE, high, null, null));
    assertTrue(closed.getMessage().contains("it is cancelled already"), closed.getMessage());
    Timestamp planned = Timestamp.from(Instant.parse("2026-01-03T08:00:00Z"));
    workOrder(config, WorkOrdersCommand.Action.SCHEDULE, critical, planned, null);
    assertEquals(1, WorkOrdersCommand.run(spark, new WorkOrdersCommand.Options(config, WorkOrdersCommand.Action.LIST,
        null, null, null, null, null, "T", false)).workOrders().size(), "the scheduled one is listed, not the cancelled");
    long alertCommits = commits("gold/alerts");
    long riskCommits = commits("ops/asset_risk");
    long noticeCommits = commits("ops/alert_resolutions");
    workOrder(config, WorkOrdersCommand.Action.COMPLETE, critical, null, "HPC");
    Row done = spark.sql("SELECT status, scheduled_for, scheduled_by, completed_by, completed_at IS NOT NULL,"
        + " cancelled_by FROM delta.`" + warehouse.resolve("gold/work_orders") + "` WHERE work_order_id = '"
        + critical + "'").head();
    assertEquals("done", done.getString(0));
    assertEquals(planned, done.getTimestamp(1));
    assertEquals("planner", done.getString(2));
    assertEquals("planner", done.getString(3));
    assertTrue(done.getBoolean(4));
    assertTrue(done.isNullAt(5));
    assertEquals("cancelled", spark.sql("SELECT status FROM delta.`" + warehouse.resolve("gold/work_orders")
        + "` WHERE work_order_id = '" + high + "'").head().getString(0));
    List<Row> events = spark.sql("SELECT kind, part, work_order_id, recorded_by FROM delta.`"
        + warehouse.resolve("gold/asset_events") + "` WHERE asset_id = 'T-fail-1'").collectAsList();
    assertEquals(List.of(RowFactory.create("maintenance", "HPC", critical, "planner")), events);
    // completing the work resolved the asset's alerts and reset its alerted level
    assertEquals(0, spark.sql("SELECT count(*) FROM delta.`" + warehouse.resolve("gold/alerts")
        + "` WHERE asset_id = 'T-fail-1' AND status <> 'resolved'").head().getLong(0));
    // in one commit of gold.alerts, and none of the tables the scorer writes (which it could undo)
    assertEquals(alertCommits + 1, commits("gold/alerts"));
    assertEquals(riskCommits, commits("ops/asset_risk"));
    assertEquals(noticeCommits, commits("ops/alert_resolutions"));
    // the scorer takes the resolve from gold.alerts: the asset's next rise alerts again, from LOW
    publish("fail", "fail", 1, 62, 63, Instant.parse("2026-01-01T00:00:00Z"));
    ScoreStreamJob.Result after = stream("fail", config);
    List<String> risen = spark.sql("SELECT concat_ws(' ', previous_level, risk_level) FROM delta.`"
        + warehouse.resolve("gold/alerts") + "` WHERE asset_id = 'T-fail-1' AND cycle > 61 ORDER BY cycle")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(risen.size(), after.alerts());
    assertTrue(!risen.isEmpty() && risen.get(0).startsWith("LOW "), risen.toString());
    assertEquals(1, spark.sql("SELECT count(*) FROM delta.`" + warehouse.resolve("ops/alert_resolutions")
        + "` WHERE asset_id = 'T-fail-1'").head().getLong(0), "noted once");
    assertEquals(0, stream("fail", config).alerts(), "a restart notes and alerts nothing again");
    PdmException twice = assertThrows(PdmException.class, () -> AlertsCommand.run(spark,
        new AlertsCommand.Options(config, AlertsCommand.Action.RESOLVE, last, null, null, false)));
    assertTrue(twice.getMessage().contains("resolved already"), twice.getMessage());
  }

  private void workOrder(PdmConfig config, WorkOrdersCommand.Action action, String id, Timestamp planned,
      String part) {
    WorkOrdersCommand.run(spark, new WorkOrdersCommand.Options(config, action, id, "planner", null, planned, part,
        null, false));
  }

  @Test
  void aCycleArrivingAfterALaterOneIsQuarantinedNotSilentlyDropped() {
    publish("late", "late", 1, 1, 5);
    publish("late", "late", 1, 7, 10);
    ScoreStreamJob.Result first = stream("late");
    assertEquals(9, first.predictions());
    assertEquals(0, first.late());
    publish("late", "late", 1, 6, 6);
    ScoreStreamJob.Result second = stream("late");
    assertEquals(0, second.predictions());
    assertEquals(1, second.late());
    assertEquals(9, predictions("asset_id = 'T-late-1'").size());
    assertEquals(0, predictions("asset_id = 'T-late-1' AND cycle = 6").size());
    String quarantine = "SELECT reason_code, reason FROM delta.`" + warehouse.resolve("bronze/telemetry_quarantine")
        + "` WHERE asset_id = 'T-late-1'";
    List<Row> q = spark.sql(quarantine).collectAsList();
    assertEquals(1, q.size(), q.toString());
    assertEquals("LATE_EVENT", q.get(0).getString(0));
    assertTrue(q.get(0).getString(1).startsWith("cycle 6 of T-late-1 arrived after cycle 10"), q.get(0).getString(1));
    assertEquals(1, spark.sql("SELECT count(*) FROM delta.`" + warehouse.resolve("silver/telemetry")
        + "` WHERE asset_id = 'T-late-1' AND cycle = 6").head().getLong(0), "the event itself is in silver");
    stream("late");
    assertEquals(1, spark.sql(quarantine).count(), "recorded once");
  }

  @Test
  void withALatenessAllowanceAMissingCycleIsWaitedForThenGivenUp() {
    PdmConfig config = config(PdmConfigKeys.LATENESS_ALLOWED_CYCLES.name(), "3");
    String asset = "asset_id = 'T-gap-1'";
    publish("gap", "gap", 1, 1, 5);
    publish("gap", "gap", 1, 7, 8);
    assertEquals(5, stream("gap", config).predictions(), "cycles 7 and 8 wait for 6");
    publish("gap", "gap", 1, 6, 6);
    ScoreStreamJob.Result filled = stream("gap", config);
    assertEquals(3, filled.predictions());
    assertEquals(0, filled.late());
    publish("gap", "gap", 1, 10, 13);
    assertEquals(4, stream("gap", config).predictions(), "four cycles wait for 9: more than 3, so 9 is given up");
    publish("gap", "gap", 1, 9, 9);
    ScoreStreamJob.Result late = stream("gap", config);
    assertEquals(0, late.predictions());
    assertEquals(1, late.late());
    List<Row> q = spark.sql("SELECT reason FROM delta.`" + warehouse.resolve("bronze/telemetry_quarantine") + "` WHERE "
        + asset).collectAsList();
    assertEquals(1, q.size());
    assertTrue(q.get(0).getString(0).startsWith("cycle 9 of T-gap-1 arrived after cycle 13 was folded, beyond the"
        + " lateness allowance of 3 cycles"), q.get(0).getString(0));
    assertEquals(12, predictions(asset).size());

    // the cycles folded after the wait have the batch job's features: the same predictions
    Map<Integer, Double> streamed = new HashMap<>();
    predictions(asset).forEach(r -> streamed.put(r.getInt(1), r.getDouble(2)));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T", false));
    ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config, "T", asset + " AND cycle <= 8", true));
    for (Row r : predictions(asset + " AND cycle <= 8")) {
      assertEquals("batch", r.getString(7));
      assertEquals(streamed.get(r.getInt(1)), r.getDouble(2), 1e-9, "cycle " + r.getInt(1));
    }
  }

  @Test
  void aSensorStuckFarFromItsRegimeIsReportedAfterThePersistenceRunAcrossBatches() {
    // sensor c (reading 4) of the fleet reads 50..51; stuck at 80 from cycle 8, back to normal at 14
    Map<Integer, Map<Integer, Double>> stuck = new HashMap<>();
    for (int c = 8; c <= 13; c++) {
      stuck.put(c, Map.of(4, 80.0));
    }
    List<Row> rows = TinyFleet.rows("T", "odd", 1, 1, 15, 1);
    publish("odd", rows.subList(0, 8), stuck);
    stream("odd");
    publish("odd", rows.subList(8, 15), stuck);
    stream("odd");
    List<String> got = new ArrayList<>();
    for (Row r : predictions("asset_id = 'T-odd-1'")) {
      got.add(r.getInt(1) + " " + r.getString(8) + " " + r.getList(9));
    }
    assertEquals(15, got.size());
    for (int c = 1; c <= 15; c++) {
      String line = got.get(c - 1);
      // The run reaches 3 at cycle 10, across the two runs' micro-batches. From cycle 14 c reads
      // normally again, but its smoothed value is still far from the asset's first cycles.
      String expected = c >= 10 ? "CRITICAL" : "NONE";
      assertTrue(line.startsWith(c + " " + expected + " "), got.toString());
      assertEquals(expected.equals("NONE"), line.endsWith("[]"), line);
      if (c >= 10) {
        assertEquals(c <= 13, line.contains("REGIME_Z c z="), line);
        assertTrue(line.contains("ASSET_DRIFT c z="), line);
      }
    }
    // score-batch of the same history reports the same for the latest cycle
    FeaturesJob.run(spark, new FeaturesJob.Options(config(), "T", false));
    ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config(), "T", "asset_id = 'T-odd-1' AND cycle <= 12", false));
    Row batch = predictions("asset_id = 'T-odd-1' AND cycle = 12").get(0);
    assertEquals("batch", batch.getString(7));
    assertEquals(got.get(11), "12 " + batch.getString(8) + " " + batch.getList(9));
  }

  @Test
  void scoreBatchIsIdempotentAndChecksItsPredicate() {
    ScoreBatchJob.Options latest = new ScoreBatchJob.Options(config(), "T", "split = 'train'", false);
    ScoreBatchJob.Result first = ScoreBatchJob.run(spark, latest);
    assertEquals(9, first.rows());
    List<Row> once = predictions("asset_id LIKE 'T-train-%'");
    assertEquals(9, once.size());
    ScoreBatchJob.run(spark, latest);
    List<Row> twice = predictions("asset_id LIKE 'T-train-%'");
    assertEquals(once, twice, "scoring again with the same champions changes nothing");

    ScoreBatchJob.Result all = ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config(), "T", "split = 'train'",
        true));
    long rows = spark.sql("SELECT count(*) FROM delta.`" + warehouse.resolve("gold/features")
        + "` WHERE split = 'train'").head().getLong(0);
    assertEquals(rows, all.rows());
    assertEquals(9, all.assets());

    PdmException bad = assertThrows(PdmException.class, () -> ScoreBatchJob.run(spark,
        new ScoreBatchJob.Options(config(), "T", "no_such_column = 1", false)));
    assertTrue(bad.getMessage().startsWith("Cannot select rows with --where no_such_column = 1"), bad.getMessage());
  }

  @Test
  void movedChampionIsUsedByTheRunningStreamWithoutGapOrDuplicate() throws Exception {
    // a new version of each model (the same run's model registered again: a real registry version,
    // without a second training) stands in for a promotion
    PdmConfig config = config();
    try (Tracking t = Tracking.connect(config)) {
      Map<Task, String> before = new HashMap<>();
      Map<Task, String> next = new HashMap<>();
      for (Task task : Task.values()) {
        String name = Registry.registeredName(config, "T", task);
        var champion = t.versionByAlias(name, Registry.CHAMPION).orElseThrow();
        before.put(task, champion.version());
        next.put(task, t.createModelVersion(name, champion.source(), champion.runId(), champion.tags()));
      }
      String v2 = next.get(Task.RUL);
      String f2 = next.get(Task.FAILURE);
      // then champions on feature set v2 (v1's definition stored again as v2: the same trees read it)
      Path sets = warehouse.resolve("gold/feature_sets");
      spark.read().format("delta").load(sets.toString()).where("dataset = 'T' AND version = 1")
          .withColumn("version", org.apache.spark.sql.functions.lit(2))
          .withColumn("definition", org.apache.spark.sql.functions.lit(
              new dev.pdm.features.FeatureSets(spark, new dev.pdm.common.table.Warehouse(spark, warehouse.toString()))
                  .load("T", 1).withVersion(2).toJson()))
          .write().format("delta").mode("append").save(sets.toString());
      Map<Task, String> onV2 = new HashMap<>();
      for (Task task : Task.values()) {
        String name = Registry.registeredName(config, "T", task);
        var champion = t.versionByAlias(name, Registry.CHAMPION).orElseThrow();
        Map<String, String> tags = new HashMap<>(champion.tags());
        tags.put(Registry.TAG_FEATURE_SET, "2");
        onV2.put(task, t.createModelVersion(name, champion.source(), champion.runId(), tags));
      }
      try {
        // one running stream (500 ms trigger, the aliases looked up before every micro-batch)
        publish("swap", "swap", 2, 1, 10);
        CompletableFuture<ScoreStreamJob.Result> running = CompletableFuture.supplyAsync(() -> ScoreStreamJob.run(
            spark, new ScoreStreamJob.Options(config, "swap", "T", "none", StreamTrigger.parse("500ms"), null)));
        awaitPredictions("asset_id LIKE 'T-swap-%'", 20, running);
        setChampions(t, config, v2, f2);
        // sent twice: the exact duplicates are dropped by the landing, not scored again
        publish("swap", "swap", 2, 11, 20);
        publish("swap", "swap", 2, 11, 20);
        awaitPredictions("asset_id LIKE 'T-swap-%'", 40, running);
        // a retrain on a new feature-set version: the loaded pair scores on while every asset is
        // folded under it beside the stream; then the stream swaps, folds what landed since, and goes on
        setChampions(t, config, onV2.get(Task.RUL), onV2.get(Task.FAILURE));
        publish("swap", "swap", 2, 21, 25);
        awaitPredictions("asset_id LIKE 'T-swap-%'", 50, running);
        String refolds = warehouse.resolve("ops/asset_refolds").toString();
        long deadline = System.currentTimeMillis() + 120_000;
        while (spark.read().format("delta").load(refolds).where("asset_id LIKE 'T-swap-%' AND batch_id = -1")
            .count() < 2) {
          assertTrue(System.currentTimeMillis() < deadline, "no prefold after 120 s");
          Thread.sleep(300);
        }
        publish("swap", "swap", 2, 26, 30);
        awaitPredictions("asset_id LIKE 'T-swap-%'", 60, running);
        // stop until the job returns: a swap restarts the query, and a stop that lands between
        // the two queries finds none to stop
        stopUntilDone(running, "swap");
        ScoreStreamJob.Result result = running.get(10, TimeUnit.SECONDS);
        assertEquals(2, result.swaps(), result.summary());
        assertTrue(result.rulModel().endsWith(" v" + onV2.get(Task.RUL)), result.rulModel());

        List<Row> rows = spark.sql("SELECT asset_id, cycle, rul_model_version, failure_model_version,"
            + " feature_set_version FROM delta.`" + warehouse.resolve("gold/predictions")
            + "` WHERE asset_id LIKE 'T-swap-%' ORDER BY asset_id, cycle").collectAsList();
        assertEquals(60, rows.size(), "every cycle of both assets exactly once");
        for (Row r : rows) {
          int era = r.getInt(1) <= 10 ? 0 : r.getInt(1) <= 25 ? 1 : 2;
          String where = r.getString(0) + " cycle " + r.getInt(1);
          assertEquals(List.of(before.get(Task.RUL), v2, onV2.get(Task.RUL)).get(era), r.getString(2), where);
          assertEquals(List.of(before.get(Task.FAILURE), f2, onV2.get(Task.FAILURE)).get(era), r.getString(3), where);
          assertEquals(era == 2 ? 2 : 1, r.getInt(4), where);
        }
        // each asset's state was folded again under v2 from its 25 cycles in silver (on its prefold's base)
        assertEquals(List.of("T-swap-1 25 25 2", "T-swap-2 25 25 2"), spark.read().format("delta")
            .load(refolds).where("asset_id LIKE 'T-swap-%' AND batch_id >= 0")
            .selectExpr("concat_ws(' ', asset_id, history_cycles, state.features.lastCycle, feature_set_version)")
            .orderBy("asset_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());

        // the refresh interval bounds how long the move takes to be seen
        setChampions(t, config, before.get(Task.RUL), before.get(Task.FAILURE));
        AtomicLong clock = new AtomicLong();
        ModelWatcher watcher = new ModelWatcher(spark, t, config, "T", 60_000, clock::get);
        assertEquals(version1, watcher.current().rul().version());
        setChampions(t, config, v2, f2);
        clock.addAndGet(59_000);
        assertEquals(version1, watcher.current().rul().version(), "not asked again within the refresh interval");
        clock.addAndGet(1_000);
        assertEquals(v2, watcher.current().rul().version());
        assertEquals(f2, watcher.current().failure().version());
        assertEquals(1, watcher.swaps());

        // a promotion to another feature set caught between its two alias moves is not loaded
        String rulName = Registry.registeredName(config, "T", Task.RUL);
        var rulV2 = t.versionByAlias(rulName, Registry.CHAMPION).orElseThrow();
        Map<String, String> otherSet = new HashMap<>(rulV2.tags());
        otherSet.put(Registry.TAG_FEATURE_SET, "99");
        t.setAlias(rulName, Registry.CHAMPION, t.createModelVersion(rulName, rulV2.source(), rulV2.runId(),
            otherSet));
        clock.addAndGet(60_000);
        assertEquals(v2, watcher.current().rul().version(), "the loaded pair scores on");
        assertEquals(1, watcher.swaps());
        PdmException half = assertThrows(PdmException.class, () -> ChampionModels.resolve(t, config, "T"));
        assertTrue(half.getMessage().contains("the champions read different feature sets"), half.getMessage());

        // champions whose artifacts are gone: a warning per refresh, and the loaded pair scores on;
        // Spark's metrics system (what its Prometheus servlet renders) counts the failed refreshes
        ScorerMetrics metrics = ScorerMetrics.register("T", watcher::failedRefreshes, watcher::swaps);
        String failureName = Registry.registeredName(config, "T", Task.FAILURE);
        var failureV2 = t.versionByAlias(failureName, Registry.CHAMPION).orElseThrow();
        var empty = t.startRun(t.experiment("pdm-T"), "no-artifacts", Map.of()); // no model saved, no artifacts
        String root = t.artifactUri(empty.getRunId());
        t.setAlias(rulName, Registry.CHAMPION, t.createModelVersion(rulName, root + "/rul-model", empty.getRunId(),
            rulV2.tags()));
        t.setAlias(failureName, Registry.CHAMPION, t.createModelVersion(failureName, root + "/failure-model",
            empty.getRunId(), failureV2.tags()));
        clock.addAndGet(60_000);
        assertEquals(v2, watcher.current().rul().version(), "the loaded pair scores on");
        assertEquals(1, watcher.failedRefreshes());
        assertEquals(1, gauge("pdm.scoring.T", "failedModelRefreshes"));
        clock.addAndGet(60_000);
        assertEquals(f2, watcher.current().failure().version());
        assertEquals(2, watcher.failedRefreshes(), "asked again after the interval, and failed again");
        assertEquals(1, watcher.swaps());
        assertEquals(2, gauge("pdm.scoring.T", "failedModelRefreshes"));
        assertEquals(1, gauge("pdm.scoring.T", "modelSwaps"));
        // champions on another feature set, for a stream whose checkpoint cannot fold its assets again
        // (begun without a state TTL): the loaded pair scores on, a failed refresh each interval
        setChampions(t, config, onV2.get(Task.RUL), onV2.get(Task.FAILURE));
        clock.addAndGet(60_000);
        assertEquals(f2, watcher.current().failure().version());
        assertEquals(3, watcher.failedRefreshes());
        metrics.close();
        assertTrue(SparkEnv.get().metricsSystem().getSourcesByName("pdm.scoring.T").isEmpty());
      } finally {
        setChampions(t, config, before.get(Task.RUL), before.get(Task.FAILURE));
        spark.sql("DELETE FROM delta.`" + sets + "` WHERE dataset = 'T' AND version = 2");
      }
    }
  }

  @Test
  void twoScorersOfTwoDatasetsScoreBatchAndAlertCommandsRunSideBySide() throws Exception {
    // RUL limits for the tiny fleet, as in the alert test: the assets below alert before cycle 40
    PdmConfig config = config("pdm.scoring.risk.medium", "1,20", "pdm.scoring.risk.high", "1,10",
        "pdm.scoring.risk.critical", "1,3");
    try (Tracking t = Tracking.connect(config)) {
      copyDataset(t, config, "U");
    }
    publish("side-t", sideRows("T", 1, 30), Map.of());
    publish("side-u", sideRows("U", 1, 30), Map.of());
    CompletableFuture<ScoreStreamJob.Result> scoringT = CompletableFuture.supplyAsync(() -> ScoreStreamJob.run(spark,
        new ScoreStreamJob.Options(config, "side-t", "T", "none", StreamTrigger.parse("500ms"), null)));
    CompletableFuture<ScoreStreamJob.Result> scoringU = CompletableFuture.supplyAsync(() -> ScoreStreamJob.run(spark,
        new ScoreStreamJob.Options(config, "side-u", "U", "none", StreamTrigger.parse("500ms"), null)));
    String alert;
    try {
      awaitPredictions("asset_id LIKE 'T-side-%'", 60, scoringT);
      awaitPredictions("asset_id LIKE 'U-side-%'", 60, scoringU);
      // while both write: score-batch of T (a MERGE into gold.predictions), and one of T's alerts
      // acknowledged and resolved (commits to gold.alerts) as more cycles arrive
      publish("side-t", sideRows("T", 31, 40), Map.of());
      publish("side-u", sideRows("U", 31, 40), Map.of());
      ScoreBatchJob.Result batch = ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config, "T", "split = 'train'",
          false));
      assertEquals(9, batch.rows());
      alert = spark.sql("SELECT alert_id FROM delta.`" + warehouse.resolve("gold/alerts")
          + "` WHERE asset_id = 'T-side-1' ORDER BY cycle DESC").head().getString(0);
      AlertsCommand.run(spark, new AlertsCommand.Options(config, AlertsCommand.Action.ACK, alert, "seen", null,
          false));
      AlertsCommand.run(spark, new AlertsCommand.Options(config, AlertsCommand.Action.RESOLVE, alert, "fixed", null,
          false));
      awaitPredictions("asset_id LIKE 'T-side-%'", 80, scoringT);
      awaitPredictions("asset_id LIKE 'U-side-%'", 80, scoringU);
    } finally {
      stopUntilDone(scoringT, "side-t");
      stopUntilDone(scoringU, "side-u");
    }
    // neither scorer failed (get() rethrows), and every cycle of each dataset is there once
    assertTrue(scoringT.get().predictions() > 0 && scoringU.get().predictions() > 0);
    for (String d : List.of("T", "U")) {
      Row counts = spark.sql("SELECT count(*), count(DISTINCT asset_id, cycle), min(dataset), max(dataset) FROM delta.`"
          + warehouse.resolve("gold/predictions") + "` WHERE asset_id LIKE '" + d + "-side-%'").head();
      assertEquals(List.of(80L, 80L, d, d), List.of(counts.get(0), counts.get(1), counts.get(2), counts.get(3)));
    }
    Row train = spark.sql("SELECT count(*), count(DISTINCT asset_id, cycle) FROM delta.`"
        + warehouse.resolve("gold/predictions") + "` WHERE asset_id LIKE 'T-train-%'").head();
    assertEquals(train.getLong(1), train.getLong(0), "score-batch's rows, none twice");
    // the resolve stayed: no later batch of the scorer reverted it
    assertEquals("resolved", spark.sql("SELECT status FROM delta.`" + warehouse.resolve("gold/alerts")
        + "` WHERE alert_id = '" + alert + "'").head().getString(0));
    assertEquals(List.of("T 2", "U 2"), spark.sql("SELECT concat_ws(' ', dataset, count(*)) FROM delta.`"
        + warehouse.resolve("ops/asset_risk") + "` WHERE asset_id LIKE '%-side-%' GROUP BY dataset ORDER BY dataset")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(), "each scorer's view of its own assets");
  }

  /** Silver-shaped rows of assets {@code <dataset>-side-1} and {@code -2}, cycles from..to. */
  private static List<Row> sideRows(String dataset, int from, int to) {
    List<Row> rows = new ArrayList<>(TinyFleet.rows(dataset, "side", 1, from, to, 1));
    rows.addAll(TinyFleet.rows(dataset, "side", 2, from, to, 1));
    return rows;
  }

  /**
   * Dataset {@code other}: T's feature set v1 and T's champions registered again under its names
   * and tags (the same trees; no second training).
   */
  private void copyDataset(Tracking t, PdmConfig config, String other) throws Exception {
    Path sets = warehouse.resolve("gold/feature_sets");
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(new dev.pdm.features.FeatureSets(spark, new dev.pdm.common.table.Warehouse(spark,
            warehouse.toString())).load("T", 1).toJson());
    json.put("dataset", other);
    spark.read().format("delta").load(sets.toString()).where("dataset = 'T' AND version = 1")
        .withColumn("dataset", org.apache.spark.sql.functions.lit(other))
        .withColumn("definition", org.apache.spark.sql.functions.lit(json.toString()))
        .write().format("delta").mode("append").save(sets.toString());
    for (Task task : Task.values()) {
      String from = Registry.registeredName(config, "T", task);
      String name = Registry.registeredName(config, other, task);
      Map<String, String> modelTags = new HashMap<>(t.registeredModel(from).orElseThrow().tags());
      modelTags.replaceAll((k, v) -> k.equals(Registry.TAG_DATASET) ? other : v);
      t.createRegisteredModel(name, "test copy of " + from, modelTags);
      var champion = t.versionByAlias(from, Registry.CHAMPION).orElseThrow();
      Map<String, String> tags = new HashMap<>(champion.tags());
      tags.put(Registry.TAG_DATASET, other);
      t.setAlias(name, Registry.CHAMPION, t.createModelVersion(name, champion.source(), champion.runId(), tags));
    }
  }

  /** Stops the query of {@code topic} until the job running it returns (a restart may start it again meanwhile). */
  private void stopUntilDone(CompletableFuture<?> running, String topic) throws Exception {
    long stopBy = System.currentTimeMillis() + 120_000;
    while (!running.isDone() && System.currentTimeMillis() < stopBy) {
      for (StreamingQuery q : spark.streams().active()) {
        if (q.name().endsWith(topic)) {
          q.stop();
        }
      }
      Thread.sleep(200);
    }
  }

  /** A gauge's value as the driver's metrics system holds it. */
  private static Object gauge(String source, String name) {
    var sources = SparkEnv.get().metricsSystem().getSourcesByName(source);
    assertEquals(1, sources.size(), source + " is registered once");
    return sources.head().metricRegistry().getGauges().get(name).getValue();
  }

  private static void setChampions(Tracking t, PdmConfig config, String rul, String failure) {
    t.setAlias(Registry.registeredName(config, "T", Task.RUL), Registry.CHAMPION, rul);
    t.setAlias(Registry.registeredName(config, "T", Task.FAILURE), Registry.CHAMPION, failure);
  }

  private void awaitPredictions(String where, int count, CompletableFuture<?> running) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    while (true) {
      if (running.isDone()) {
        running.get();
        throw new AssertionError("the stream stopped before " + count + " predictions");
      }
      if (warehouse.resolve("gold/predictions/_delta_log").toFile().exists() && predictions(where).size() >= count) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("fewer than " + count + " predictions after 180 s: " + predictions(where).size());
      }
      Thread.sleep(300);
    }
  }
}
