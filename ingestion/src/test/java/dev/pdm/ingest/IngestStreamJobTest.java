package dev.pdm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.Integration;
import dev.pdm.common.stream.StreamTrigger;
import dev.pdm.common.test.TestSpark;
import dev.pdm.ingest.kafka.LocalKafkaBroker;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kafka to Delta against a real broker. */
@Integration
class IngestStreamJobTest {

  private static LocalKafkaBroker broker;
  private final SparkSession spark = TestSpark.session();

  @BeforeAll
  static void startBroker() {
    broker = LocalKafkaBroker.start(TestSpark.tempDir("kafka"), 0);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private PdmConfig config(Path warehouse, String... more) {
    List<String> kv = new ArrayList<>(List.of(PdmConfigKeys.KAFKA_BOOTSTRAP.name(), broker.bootstrapServers()));
    kv.addAll(List.of(more));
    return TestSpark.config(warehouse, kv.toArray(new String[0]));
  }

  private long count(String sql) {
    return spark.sql(sql).head().getLong(0);
  }

  @Test
  void landsValidRejectsBadAndIsIdempotentOnRestart() throws InterruptedException {
    Path wh = TestSpark.tempDir("wh");
    PdmConfig config = config(wh);
    String topic = "t-basic";
    List<String> messages = List.of(
        Events.valid("a1", 1, 641.8),
        Events.valid("a1", 2, 642.0),
        Events.valid("a2", 1, 642.1),
        Events.valid("a1", 2, 642.0),                 // exact duplicate: dropped
        Events.valid("a2", 1, 650.0),                 // conflicting duplicate: quarantined
        "{\"asset_id\":\"a3\",\"cycle\":1",           // malformed
        "[1,2]",                                      // not an object
        "{\"cycle\":4}",                              // no asset id
        "{\"asset_id\":\"a3\",\"dataset\":\"FD001\",\"cycle\":\"x\"}", // cycle not an integer
        Events.valid("a3", 1, 9999),                  // out of range
        Events.valid("a3", 2, 642).replace("642.0", "\"642\""), // non-numeric
        "",                                           // empty
        "{\"asset_id\":\"a4\",\"dataset\":\"FD001\",\"event_time\":\"2026-11-22T10:15:00Z\",\"sensors\":{\"s2\":641.9}}");
    Events.send(config, topic, messages);

    var options = new IngestStreamJob.Options(config, topic, null, StreamTrigger.availableNow(), null);
    IngestStreamJob.Result first = IngestStreamJob.run(spark, options);
    assertEquals(13, first.counts().received());
    assertEquals(4, first.counts().inserted());
    assertEquals(1, first.counts().duplicates());
    assertEquals(1, first.counts().conflicts());
    assertEquals(7, first.counts().rejected());

    assertEquals(13, count("SELECT count(*) FROM bronze.telemetry_raw"));
    assertEquals(13, count("SELECT count(DISTINCT kafka_partition, kafka_offset) FROM bronze.telemetry_raw"));
    assertEquals(8, count("SELECT count(*) FROM bronze.telemetry_quarantine"));
    assertEquals(4, count("SELECT count(*) FROM silver.telemetry"));
    assertEquals(1, count("SELECT count(*) FROM silver.telemetry WHERE dataset = 'FD001' AND asset_id = 'a2' AND s2 = 642.1"));
    assertEquals(1, count("SELECT count(*) FROM silver.telemetry WHERE asset_id = 'a4' AND cycle IS NULL AND event_time IS NOT NULL"));
    List<Row> reasons = spark.sql(
        "SELECT reason_code, count(*) FROM bronze.telemetry_quarantine GROUP BY 1 ORDER BY 1").collectAsList();
    assertEquals("[[CONFLICTING_DUPLICATE,1], [INVALID_CYCLE,1], [MALFORMED_JSON,2], [MISSING_ASSET_ID,1],"
        + " [NON_NUMERIC,1], [NOT_AN_OBJECT,1], [OUT_OF_RANGE,1]]", reasons.toString());

    // one ops.stream_metrics row per micro-batch, with the latency from the Kafka timestamp
    assertEquals(first.batches(), count("SELECT count(*) FROM ops.stream_metrics WHERE job = 'ingest-stream'"));
    assertEquals(13, count("SELECT sum(input_rows) FROM ops.stream_metrics"));
    assertEquals(4, count("SELECT sum(output_rows) FROM ops.stream_metrics"));
    assertEquals(0, count("SELECT count(*) FROM ops.stream_metrics WHERE NOT (latency_max_ms >= latency_p95_ms"
        + " AND latency_p95_ms >= latency_p50_ms AND latency_p50_ms >= 0 AND duration_ms >= 0)"));

    Warehouse warehouse = new Warehouse(spark, wh.toString());
    long silverVersion = warehouse.version(Tables.SILVER_TELEMETRY);
    IngestStreamJob.Result again = IngestStreamJob.run(spark, options);
    assertEquals(0, again.batches(), "nothing new on the same checkpoint");
    assertEquals(first.batches(), count("SELECT count(*) FROM ops.stream_metrics"));
    assertEquals(silverVersion, warehouse.version(Tables.SILVER_TELEMETRY));
    assertEquals(13, count("SELECT count(*) FROM bronze.telemetry_raw"));

    Events.send(config, topic, List.of(Events.valid("a1", 3, 642.2), Events.valid("a1", 1, 641.8)));
    IngestStreamJob.Result more = IngestStreamJob.run(spark, options);
    assertEquals(new LandingWriter.Counts(2, 1, 1, 0, 0, 0), more.counts());
    assertEquals(5, count("SELECT count(*) FROM silver.telemetry"));
    assertEquals(15, count("SELECT count(*) FROM bronze.telemetry_raw"));

    // Kafka orders a partition only: of two conflicting records in one batch, the first sent stays,
    // though it sits in the later partition (the topic has two)
    Events.send(config, topic, 1, List.of(Events.valid("a5", 1, 641.5)));
    Thread.sleep(20); // a later record timestamp (milliseconds)
    Events.send(config, topic, 0, List.of(Events.valid("a5", 1, 645.0)));
    IngestStreamJob.Result conflict = IngestStreamJob.run(spark, options);
    assertEquals(new LandingWriter.Counts(2, 1, 0, 1, 0, 0), conflict.counts());
    assertEquals(641.5, spark.sql("SELECT s2 FROM silver.telemetry WHERE asset_id = 'a5'").head().getDouble(0));
  }

  /** kill -9 of a running stream, then finish on the same checkpoint: nothing lost or doubled. */
  @Test
  void aMissingTopicIsNamedWithTheFix() {
    PdmConfig config = config(TestSpark.tempDir("wh"));
    var options = new IngestStreamJob.Options(config, "no-such-topic", null, StreamTrigger.availableNow(), null);
    PdmException e = assertThrows(PdmException.class, () -> IngestStreamJob.run(spark, options));
    assertTrue(e.getMessage().startsWith("Cannot ingest topic no-such-topic: topic no-such-topic does not exist at "
        + broker.bootstrapServers()), e.getMessage());
    assertTrue(e.getMessage().contains("publish to it first"), e.getMessage());
  }

  @Test
  void survivesKillNine() throws Exception {
    Path wh = TestSpark.tempDir("wh");
    Path checkpoint = wh.resolve("_checkpoints/kill");
    PdmConfig config = config(wh);
    String topic = "t-kill";
    int assets = 20;
    int cycles = 100;
    List<String> messages = new ArrayList<>();
    for (int c = 1; c <= cycles; c++) {
      for (int a = 1; a <= assets; a++) {
        messages.add(Events.valid("k" + a, c, 641 + c / 100.0));
        if (c % 25 == 0 && a == 1) {
          messages.add("{broken json " + c);
          messages.add(Events.valid("k" + a, c, 641 + c / 100.0)); // exact duplicate
        }
      }
    }
    Events.send(config, topic, messages);
    int expectedBad = 4;
    int expectedDuplicates = 4;
    int valid = assets * cycles;

    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-XX:+Ignore") || a.startsWith("-Dlog4j2")
            || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty") || a.startsWith("--enable-native"))
        .forEach(cmd::add);
    cmd.addAll(List.of("-Xmx1g", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false",
        "-Dspark.sql.shuffle.partitions=2",
        "-cp", System.getProperty("java.class.path"), IngestStreamJob.class.getName(),
        "--warehouse", wh.toString(), "--topic", topic, "--trigger", "1s", "--checkpoint", checkpoint.toString(),
        "--set", PdmConfigKeys.KAFKA_BOOTSTRAP.name() + "=" + broker.bootstrapServers(),
        "--set", PdmConfigKeys.STREAM_MAX_OFFSETS_PER_TRIGGER.name() + "=150"));
    Path log = wh.resolve("child.log");
    Files.createDirectories(wh);
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path bronzeLog = wh.resolve("bronze/telemetry_raw/_delta_log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(480); // a busy machine is slow, not broken
    while (commits(bronzeLog) < 4) {
      assertTrue(child.isAlive(), () -> "the stream died: " + tail(log));
      assertTrue(System.nanoTime() < deadline, () -> "no progress in 480 s: " + tail(log));
      Thread.sleep(200);
    }
    child.destroyForcibly(); // SIGKILL
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    long landedBeforeKill = count("SELECT count(*) FROM delta.`" + wh.resolve("bronze/telemetry_raw") + "`");
    assertTrue(landedBeforeKill > 0 && landedBeforeKill < messages.size(),
        "killed part-way: " + landedBeforeKill + " of " + messages.size());

    var finish = new IngestStreamJob.Options(config, topic, null, StreamTrigger.availableNow(), checkpoint.toString());
    IngestStreamJob.run(spark, finish);

    String bronze = "delta.`" + wh.resolve("bronze/telemetry_raw") + "`";
    String silver = "delta.`" + wh.resolve("silver/telemetry") + "`";
    String quarantine = "delta.`" + wh.resolve("bronze/telemetry_quarantine") + "`";
    assertEquals(messages.size(), count("SELECT count(*) FROM " + bronze));
    assertEquals(messages.size(), count("SELECT count(DISTINCT kafka_partition, kafka_offset) FROM " + bronze));
    assertEquals(valid, count("SELECT count(*) FROM " + silver));
    assertEquals(valid, count("SELECT count(DISTINCT asset_id, cycle) FROM " + silver));
    assertEquals(expectedBad, count("SELECT count(*) FROM " + quarantine));
    assertEquals(expectedBad, count("SELECT count(DISTINCT kafka_partition, kafka_offset) FROM " + quarantine));
    assertEquals(valid + expectedBad + expectedDuplicates, messages.size());
  }

  private static long commits(Path deltaLog) throws Exception {
    if (!Files.isDirectory(deltaLog)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(deltaLog)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d+\\.json")).count();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (Exception e) {
      return "(no log)";
    }
  }
}
