package dev.pdm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.stream.StreamTrigger;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import dev.pdm.ingest.kafka.KafkaTopics;
import dev.pdm.ingest.kafka.LocalKafkaBroker;
import dev.pdm.ingest.sim.SimulateJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;

/**
 * The local broker stopped for 30 s and started again while a stream lands and the three
 * publishers ({@code simulate --topic}, {@code replay}, {@code publish}) send: the stream keeps
 * running, every publisher finishes, and every event sent is landed once.
 */
@Integration
class KafkaOutageTest {

  private static final long OUTAGE_MS = 30_000;

  private final SparkSession spark = TestSpark.session();

  @Test
  void aThirtySecondBrokerOutageLosesAndDoublesNothing() throws Exception {
    Path kafkaDir = TestSpark.tempDir("kafka-outage");
    LocalKafkaBroker broker = LocalKafkaBroker.start(kafkaDir, 0);
    int port = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().indexOf(':') + 1));
    Path wh = TestSpark.tempDir("wh-outage");
    PdmConfig config = TestSpark.config(wh, PdmConfigKeys.KAFKA_BOOTSTRAP.name(), broker.bootstrapServers());
    String topic = "t-outage";
    KafkaTopics.create(broker.bootstrapServers(), List.of(topic));

    Path in = TestSpark.tempDir("in-outage");
    List<String> lines = new ArrayList<>();
    for (int c = 1; c <= 150; c++) {
      for (int u = 1; u <= 2; u++) {
        lines.add(IngestFilesJobTest.line(u, c, 641.5 + c / 100.0));
      }
    }
    Files.write(in.resolve("test_FD001.txt"), lines);
    Path file = in.resolve("events.jsonl");
    List<String> messages = new ArrayList<>();
    for (int c = 1; c <= 100; c++) {
      messages.add(Events.valid("pub-1", c, 641.5 + c / 100.0));
    }
    Files.write(file, messages);

    CompletableFuture<IngestStreamJob.Result> stream = CompletableFuture.supplyAsync(() -> IngestStreamJob.run(spark,
        new IngestStreamJob.Options(config, topic, null, StreamTrigger.parse("1s"), null)));
    String silver = "delta.`" + wh.resolve("silver/telemetry") + "`";
    try {
      // the stream has landed a batch, so the outage meets it running
      Events.send(config, topic, List.of(Events.valid("warm-1", 1, 641.5)));
      awaitLanded(silver, 1, stream);
      // about 40 s each at their rates, so both are sending before, during and after the outage
      CompletableFuture<SimulateJob.Result> simulate = CompletableFuture.supplyAsync(() -> SimulateJob.run(spark,
          new SimulateJob.Options(config, 2, 1, 7, "SIM", Split.TRAIN, 1, 1, topic, null, 12, Instant.EPOCH)));
      CompletableFuture<ReplayJob.Result> replay = CompletableFuture.supplyAsync(() -> ReplayJob.run(spark,
          new ReplayJob.Options(config, "FD001", Split.TEST, in.toString(), topic, 8, Instant.EPOCH)));
      Thread.sleep(8_000);
      broker.close();
      long down = System.nanoTime();
      Thread.sleep(2_000);
      // a publish that starts while the broker is down waits for it
      CompletableFuture<PublishJob.Result> publish = CompletableFuture.supplyAsync(() -> PublishJob.run(
          new PublishJob.Options(config, topic, file.toString())));
      Thread.sleep(OUTAGE_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down));
      assertFalse(stream.isDone(), () -> "the stream ended during the outage: " + outcome(stream));
      broker = LocalKafkaBroker.start(kafkaDir, port);

      long sent = 1 + simulate.get(180, TimeUnit.SECONDS).rows() + replay.get(180, TimeUnit.SECONDS).events()
          + publish.get(180, TimeUnit.SECONDS).messages();
      assertEquals(1 + 300 + 100, sent - simulate.get().rows(), "replay and publish sent everything");
      awaitLanded(silver, sent, stream);
      assertFalse(stream.isDone(), () -> "the stream ended: " + outcome(stream));
      String bronze = "delta.`" + wh.resolve("bronze/telemetry_raw") + "`";
      assertEquals(sent, count("SELECT count(*) FROM " + silver));
      assertEquals(sent, count("SELECT count(DISTINCT dataset, asset_id, cycle) FROM " + silver));
      assertEquals(sent, count("SELECT count(*) FROM " + bronze), "no event sent twice by a producer's retry");
    } finally {
      for (StreamingQuery q : spark.streams().active()) {
        q.stop();
      }
      broker.close();
    }
    stream.get(60, TimeUnit.SECONDS);
  }

  private void awaitLanded(String silver, long rows, CompletableFuture<?> stream) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240); // a busy machine is slow, not broken
    while (landed(silver) < rows) {
      assertFalse(stream.isDone(), () -> "the stream ended: " + outcome(stream));
      assertTrue(System.nanoTime() < deadline, () -> "landed " + landed(silver) + " of " + rows + " in 240 s");
      Thread.sleep(500);
    }
  }

  /** Silver's rows; 0 before the stream has created it. */
  private long landed(String silver) {
    try {
      return count("SELECT count(*) FROM " + silver);
    } catch (Exception notYet) { // AnalysisException: no table yet
      return 0;
    }
  }

  private long count(String sql) {
    return spark.sql(sql).head().getLong(0);
  }

  private static String outcome(CompletableFuture<?> f) {
    try {
      return String.valueOf(f.getNow(null));
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }
}
