package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.stream.StreamIds;
import dev.pdm.common.stream.StreamMetrics;
import dev.pdm.common.stream.StreamRunner;
import dev.pdm.common.stream.StreamTrigger;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.features.StreamingFeatures;
import dev.pdm.ingest.IngestStreamJob;
import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.training.Tracking;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
 * Continuous scoring: Kafka telemetry is landed as {@code ingest-stream} lands it (validation,
 * quarantine, bronze, silver), and a second query follows silver's rows from this topic, folds
 * each asset's cycles into window features in Spark's state store (the one feature definition of
 * the batch job, at the champion's feature-set version) and scores every new cycle with the
 * registered champions into gold.predictions.
 *
 * <p>Exactly once: both queries checkpoint their progress; the landing is idempotent per
 * micro-batch, and predictions are merged insert-only on (dataset, asset_id, cycle), so a batch
 * replayed after a crash adds nothing. The champion aliases are looked up between micro-batches
 * ({@code pdm.scoring.model-refresh-interval}); a moved alias is scored with from the next batch on,
 * and every prediction names the versions that made it.
 *
 * <p>With {@code --trigger available-now} the landing query drains the topic first, then the
 * scoring query drains silver; with an interval both run side by side until stopped.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.scoring.ScoreStreamJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --conf conf/pdm-cluster.properties --topic telemetry --dataset FD001 --trigger 5s
 * </pre>
 */
public final class ScoreStreamJob {

  private static final Logger LOG = LoggerFactory.getLogger(ScoreStreamJob.class);

  /** Validated options; {@code checkpoint} is the root of both queries' checkpoints. */
  public record Options(PdmConfig config, String topic, String dataset, String alertsTopic, StreamTrigger trigger,
      String checkpoint) {
    public Options {
      Names.requireTopic(topic);
      if (alertsTopic != null && (alertsTopic.isBlank() || alertsTopic.equals("none"))) {
        alertsTopic = null;
      }
      if (alertsTopic != null) {
        Names.requireTopic(alertsTopic);
      }
      if (dataset == null) {
        throw PdmErrors.missingOption("score a stream", "--dataset", "--dataset FD001");
      }
      Names.requireDataset(dataset);
      if (trigger == null) {
        trigger = StreamTrigger.availableNow();
      }
      if (config.getInt(PdmConfigKeys.LATENESS_ALLOWED_CYCLES) < 0) {
        throw PdmErrors.badConfigValue(PdmConfigKeys.LATENESS_ALLOWED_CYCLES.name(),
            config.get(PdmConfigKeys.LATENESS_ALLOWED_CYCLES), "a number of cycles >= 0");
      }
      if (checkpoint == null || checkpoint.isBlank()) {
        checkpoint = config.require(PdmConfigKeys.STREAM_CHECKPOINT_ROOT) + "/score-stream/" + dataset + "/" + topic;
      }
    }
  }

  /** Totals of this run. */
  public record Result(IngestStreamJob.Result landing, long batches, long predictions, long alerts, long late,
      String rulModel, String failureModel, int swaps, String checkpoint) implements JobResult {
    @Override
    public String summary() {
      return "score-stream: " + landing.summary() + "\nscore-stream: " + batches + " scoring micro-batches, "
          + predictions + " predictions into gold.predictions, " + alerts + " alerts raised"
          + (late > 0 ? ", " + late + " late cycles quarantined (LATE_EVENT)" : "") + "; champions now "
          + rulModel + " and " + failureModel
          + (swaps > 0 ? " (" + swaps + " swaps)" : "") + "; checkpoints under " + checkpoint;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--topic", required = true, metaVar = "TOPIC", usage = "Kafka topic of telemetry events")
    String topic;

    @Option(name = "--dataset", required = true, metaVar = "ID", usage = "dataset whose champions score the"
        + " stream; fills events without one")
    String dataset;

    @Option(name = "--alerts-topic", metaVar = "TOPIC", usage = "Kafka topic of alerts (default alerts; none: only"
        + " gold.alerts)")
    String alertsTopic = "alerts";

    @Option(name = "--trigger", metaVar = "available-now|INTERVAL",
        usage = "available-now (score what is there, then stop) or an interval such as 5s (default)")
    String trigger = "5s";

    @Option(name = "--checkpoint", metaVar = "DIR",
        usage = "checkpoint root (default <pdm.stream.checkpoint-root>/score-stream/<dataset>/<topic>)")
    String checkpoint;
  }

  private ScoreStreamJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("score-stream", args, new Cli(),
        (cli, config) -> new Options(config, cli.topic, cli.dataset, cli.alertsTopic,
            StreamTrigger.parse(cli.trigger), cli.checkpoint),
        ScoreStreamJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    PdmConfig config = o.config();
    String d = o.dataset();
    Warehouse warehouse = Sessions.prepare(spark, config, "pdm-score-stream",
        "score-stream --topic " + o.topic() + " --dataset " + d + " --trigger " + o.trigger());
    KafkaSettings.requireTopic(config, o.topic(), "score topic " + o.topic());
    try (Tracking tracking = Tracking.connect(config)) {
      ModelWatcher watcher = new ModelWatcher(spark, tracking, config, d,
          StreamTrigger.parse(config.require(PdmConfigKeys.SCORING_MODEL_REFRESH)).intervalMs(),
          System::currentTimeMillis);
      FeatureSet set = new FeatureSets(spark, warehouse).load(d, watcher.loaded().featureSetVersion());
      IngestStreamJob.Options landing =
          new IngestStreamJob.Options(config, o.topic(), d, o.trigger(), o.checkpoint() + "/landing");
      warehouse.ensure(Tables.GOLD_PREDICTIONS, Tables.GOLD_PREDICTIONS.schema());
      new AlertWriter(warehouse, config, d, o.alertsTopic()).ensureTables();
      AtomicLong batches = new AtomicLong();
      AtomicLong predictions = new AtomicLong();
      AtomicLong alerts = new AtomicLong();
      RiskLevels risk = RiskLevels.from(config);
      Map<String, List<String>> topFeatures = new HashMap<>();
      StreamMetrics.ensureTable(warehouse);
      String metricsId = StreamMetrics.appId(o.checkpoint() + "/scoring");
      AtomicLong late = new AtomicLong();
      String lateId = StreamMetrics.appId(o.checkpoint() + "/scoring/late");
      Anomalies.Rules rules = Anomalies.Rules.from(config);
      Anomalies.Baseline baseline = Anomalies.fit(warehouse, set);
      VoidFunction2<Dataset<Row>, Long> scoreBatch = (batch, batchId) -> {
        long started = System.currentTimeMillis();
        ChampionModels.Champions models = watcher.current();
        List<String> top = topFeatures.computeIfAbsent(models.failure().toString(),
            k -> Alerts.topFeatures(models.failureModel(), set.featureNames()));
        Timestamp now = new Timestamp(started);
        Warehouse wh = new Warehouse(batch.sparkSession(), warehouse.root());
        AlertWriter writer = new AlertWriter(wh, config, d, o.alertsTopic());
        Dataset<Row> state = writer.state();
        Dataset<Row> all = batch.persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> flagged = Anomalies.flag(all.where(col(StreamingFeatures.LATE_REASON).isNull())
            .drop(StreamingFeatures.LATE_REASON), baseline, rules, state);
        List<String> keep = new ArrayList<>(top);
        keep.add("anomaly_streak");
        Dataset<Row> scored = Scorer.score(flagged, models, risk, Scorer.ScoredBy.STREAM, now, keep)
            .persist(StorageLevel.MEMORY_AND_DISK());
        try {
          long n = scored.count();
          long featuresScored = System.currentTimeMillis();
          long predictionsWritten = featuresScored;
          long raised = 0;
          if (n > 0) {
            PredictionsWriter.insertNew(wh, Scorer.predictionsOnly(scored), List.of(d));
            predictionsWritten = System.currentTimeMillis();
            Dataset<Row> raisedRows = Alerts.raise(scored, state, top, risk.critical().rul(), now).cache();
            try {
              raised = raisedRows.count();
              writer.write(raisedRows, raised, Alerts.nextState(scored, state, now));
            } finally {
              raisedRows.unpersist();
            }
          }
          long lateRows = LateEvents.quarantine(wh, all.where(col(StreamingFeatures.LATE_REASON).isNotNull()),
              o.topic(), lateId, batchId);
          long committed = System.currentTimeMillis();
          batches.incrementAndGet();
          predictions.addAndGet(n);
          alerts.addAndGet(raised);
          late.addAndGet(lateRows);
          StreamMetrics.Latency latency =
              n == 0 ? StreamMetrics.Latency.UNKNOWN : StreamMetrics.latency(scored, committed);
          // Where a batch's time goes: features and models, the predictions MERGE, then alerts, state and quarantine.
          LOG.info("score-stream batch {}: {} predictions, {} alerts, {} late cycles quarantined with {} in {} ms"
                  + " (features and scoring {} ms, predictions commit {} ms, alerts/state/quarantine {} ms){}",
              batchId, n, raised, lateRows, models, committed - started, featuresScored - started,
              predictionsWritten - featuresScored, committed - predictionsWritten,
              latency.p95() == null ? "" : "; publish to commit p50 " + latency.p50() + " ms, p95 " + latency.p95()
                  + " ms");
          StreamMetrics.record(wh, metricsId,
              new StreamMetrics.Batch("score-stream", scoringQueryName(o), batchId, d, o.topic(), n + lateRows, n,
                  raised, started, committed, latency));
        } finally {
          scored.unpersist();
          all.unpersist();
        }
      };
      IngestStreamJob.Result landed;
      if (o.trigger().isAvailableNow()) {
        landed = IngestStreamJob.run(spark, landing);
        runScoring(spark, o, warehouse, set, scoreBatch);
      } else {
        CompletableFuture<IngestStreamJob.Result> ingest =
            CompletableFuture.supplyAsync(() -> IngestStreamJob.run(spark, landing));
        ingest.whenComplete((r, e) -> {
          if (e != null) {
            LOG.error("score-stream: the landing query failed; stopping the scoring query", e);
            stopQueries(spark, o);
          }
        });
        try {
          runScoring(spark, o, warehouse, set, scoreBatch);
        } finally {
          stopQueries(spark, o);
        }
        landed = join(ingest);
      }
      // What scored last; asking the registry again here could load models nothing uses.
      ChampionModels.Champions last = watcher.loaded();
      return new Result(landed, batches.get(), predictions.get(), alerts.get(), late.get(), last.rul().toString(),
          last.failure().toString(), watcher.swaps(), o.checkpoint());
    }
  }

  private static void runScoring(SparkSession spark, Options o, Warehouse warehouse, FeatureSet set,
      VoidFunction2<Dataset<Row>, Long> scoreBatch) {
    // The rows this topic landed: silver's source is kafka:<topic>/<partition>/<offset>.
    Dataset<Row> silver = spark.readStream().format("delta").load(warehouse.path(Tables.SILVER_TELEMETRY))
        .where(col("dataset").equalTo(o.dataset()).and(col("source").startsWith("kafka:" + o.topic() + "/")));
    Dataset<Row> features = StreamingFeatures.withLate(silver, set,
        o.config().getInt(PdmConfigKeys.LATENESS_ALLOWED_CYCLES));
    try {
      StreamRunner.run(() -> {
        try {
          StreamingQuery q = features.writeStream()
              .queryName(scoringQueryName(o))
              .option("checkpointLocation", o.checkpoint() + "/scoring")
              .trigger(o.trigger().toSpark())
              .foreachBatch(scoreBatch)
              .start();
          LOG.info("score-stream: scoring query {} started on {}", scoringQueryName(o), o.topic());
          return q;
        } catch (TimeoutException e) {
          throw PdmErrors.failure("start scoring topic " + o.topic(), e.getMessage(), "run again", e);
        }
      });
    } catch (StreamingQueryException | TimeoutException e) {
      throw PdmErrors.failure("score topic " + o.topic(), StreamRunner.rootCause(e),
          "fix the cause and run again on the same checkpoint; nothing is lost or doubled", e);
    }
  }

  private static IngestStreamJob.Result join(CompletableFuture<IngestStreamJob.Result> ingest) {
    try {
      return ingest.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("stop the landing query", "interrupted", "run again on the same checkpoint");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r
          : PdmErrors.failure("land the stream", StreamRunner.rootCause(e), "run again on the same checkpoint", e);
    }
  }

  private static String scoringQueryName(Options o) {
    return StreamIds.scoringQuery(o.dataset(), o.topic());
  }

  /** Stops this job's two queries (the landing query is named by ingest-stream). */
  private static void stopQueries(SparkSession spark, Options o) {
    for (StreamingQuery q : spark.streams().active()) {
      if (scoringQueryName(o).equals(q.name()) || StreamIds.landingQuery(o.topic()).equals(q.name())) {
        try {
          q.stop();
        } catch (TimeoutException e) {
          LOG.warn("Query {} did not stop in time", q.name());
        }
      }
    }
  }
}
