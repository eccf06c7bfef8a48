package dev.pdm.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.stream.Checkpoints;
import dev.pdm.common.stream.IdempotentAppend;
import dev.pdm.common.stream.StreamCompaction;
import dev.pdm.common.stream.StreamIds;
import dev.pdm.common.stream.StreamMetrics;
import dev.pdm.common.stream.StreamRunner;
import dev.pdm.common.stream.StreamTrigger;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.TelemetryParser.Format;
import dev.pdm.ingest.kafka.KafkaSettings;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.storage.StorageLevel;
import org.kohsuke.args4j.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured Streaming from Kafka into bronze, quarantine and silver, exactly once across
 * restarts, a {@code kill -9} included: Spark's checkpoint replays an unfinished micro-batch with
 * the same offsets, bronze and quarantine skip a batch id they committed before (Delta's
 * {@code txnAppId}/{@code txnVersion}), and silver is merged insert-only on its key. Bad records go
 * to quarantine; the stream never stops on data.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.ingest.IngestStreamJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --conf conf/pdm-cluster.properties --topic telemetry --dataset FD001 --trigger 10s
 * </pre>
 */
public final class IngestStreamJob {

  private static final Logger LOG = LoggerFactory.getLogger(IngestStreamJob.class);

  /** Validated options; {@code dataset} fills events without one, and may be null. */
  public record Options(PdmConfig config, String topic, String dataset, StreamTrigger trigger, String checkpoint) {
    public Options {
      Names.requireTopic(topic);
      if (dataset != null) {
        Names.requireDataset(dataset);
      }
      if (checkpoint == null || checkpoint.isBlank()) {
        checkpoint = config.require(PdmConfigKeys.STREAM_CHECKPOINT_ROOT) + "/ingest-stream/" + topic;
      }
    }
  }

  /** Totals over the micro-batches this run processed. */
  public record Result(long batches, LandingWriter.Counts counts, String checkpoint) implements JobResult {
    @Override
    public String summary() {
      return "ingest-stream: " + batches + " micro-batches; " + counts + "; checkpoint " + checkpoint;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--topic", required = true, metaVar = "TOPIC", usage = "Kafka topic of telemetry events")
    String topic;

    @Option(name = "--dataset", metaVar = "ID", usage = "dataset of events that carry none")
    String dataset;

    @Option(name = "--trigger", metaVar = "available-now|INTERVAL",
        usage = "available-now (process what is there, then stop) or an interval such as 5s (default)")
    String trigger = "5s";

    @Option(name = "--checkpoint", metaVar = "DIR",
        usage = "checkpoint directory (default <pdm.stream.checkpoint-root>/ingest-stream/<topic>)")
    String checkpoint;
  }

  private IngestStreamJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("ingest-stream", args, new Cli(),
        (cli, config) -> new Options(config, cli.topic, cli.dataset, StreamTrigger.parse(cli.trigger), cli.checkpoint),
        IngestStreamJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    PdmConfig config = o.config();
    Warehouse warehouse = Sessions.prepare(spark, config, "pdm-ingest-stream",
        "ingest-stream --topic " + o.topic() + " --trigger " + o.trigger());
    DatasetProfile profile = DatasetProfile.forDataset(config, o.dataset());
    KafkaSettings.requireTopic(config, o.topic(), "ingest topic " + o.topic());
    new LandingWriter(spark, warehouse, profile).ensureTables();
    String identity = Checkpoints.identity(spark, o.checkpoint());
    String appId = StreamIds.appId("pdm-ingest-stream", identity);
    String metricsId = StreamMetrics.appId(identity);
    AtomicLong batches = new AtomicLong();
    AtomicReference<LandingWriter.Counts> total = new AtomicReference<>(LandingWriter.Counts.ZERO);
    String root = warehouse.root();

    StreamMetrics.ensureTable(warehouse);
    String queryName = StreamIds.landingQuery(o.topic());
    IdempotentAppend.Replays replays = IdempotentAppend.Replays.forCheckpoint(spark, o.checkpoint());
    VoidFunction2<Dataset<Row>, Long> landBatch = (batch, batchId) -> {
      long started = System.currentTimeMillis();
      boolean replayPossible = replays.mayBeReplay(batchId);
      SparkSession session = batch.sparkSession();
      Warehouse wh = new Warehouse(session, root);
      LandingWriter writer = new LandingWriter(session, wh, profile);
      Dataset<Row> cached = batch.persist(StorageLevel.MEMORY_AND_DISK());
      try {
        LandingWriter.Counts counts =
            writer.land(cached, Format.JSON, LandingWriter.Idempotence.transaction(appId, batchId, replayPossible));
        long committed = System.currentTimeMillis();
        batches.incrementAndGet();
        total.updateAndGet(t -> t.plus(counts));
        StreamMetrics.Latency latency = StreamMetrics.latency(cached, committed);
        LOG.info("ingest-stream batch {}: {} in {} ms", batchId, counts, committed - started);
        StreamMetrics.record(wh, metricsId, new StreamMetrics.Batch("ingest-stream", queryName,
            batchId, o.dataset(), o.topic(), counts.received(), counts.inserted(), null, started, committed, latency),
            replayPossible);
      } finally {
        cached.unpersist();
      }
    };

    Dataset<Row> raw =
        spark.readStream().format("kafka")
            .options(KafkaSettings.sparkSource(config))
            .option("subscribe", o.topic())
            .option("startingOffsets", config.require(PdmConfigKeys.STREAM_STARTING_OFFSETS))
            .option("failOnDataLoss", config.getBoolean(PdmConfigKeys.STREAM_FAIL_ON_DATA_LOSS))
            .option("maxOffsetsPerTrigger", config.getLong(PdmConfigKeys.STREAM_MAX_OFFSETS_PER_TRIGGER))
            .load()
            .select(
                lit("kafka").as("source_type"),
                col("topic").as("source"),
                lit(null).cast("long").as("source_line"),
                col("partition").as("kafka_partition"),
                col("offset").as("kafka_offset"),
                col("timestamp").as("kafka_timestamp"),
                lit(o.dataset()).cast("string").as("dataset"),
                lit(null).cast("string").as("split"),
                col("value").cast("string").as("payload"));
    try (StreamCompaction compaction = StreamCompaction.start(warehouse, config, o.dataset(),
        o.trigger().isAvailableNow(), List.of(Tables.BRONZE_TELEMETRY, Tables.QUARANTINE, Tables.SILVER_TELEMETRY,
            Tables.OPS_STREAM_METRICS))) {
      StreamRunner.run(() -> {
        try {
          StreamingQuery query =
              raw.writeStream()
                  .queryName(queryName)
                  .option("checkpointLocation", o.checkpoint())
                  .trigger(o.trigger().toSpark())
                  .foreachBatch(landBatch)
                  .start();
          LOG.info("ingest-stream started: topic {}, trigger {}, checkpoint {}", o.topic(), o.trigger(), o.checkpoint());
          return query;
        } catch (TimeoutException e) {
          throw PdmErrors.failure("start the stream of topic " + o.topic(), e.getMessage(), "run again", e);
        }
      });
    } catch (StreamingQueryException | TimeoutException e) {
      throw PdmErrors.failure("ingest topic " + o.topic(), StreamRunner.rootCause(e),
          "fix the cause and run again on the same checkpoint; nothing is lost or doubled", e);
    }
    return new Result(batches.get(), total.get(), o.checkpoint());
  }
}
