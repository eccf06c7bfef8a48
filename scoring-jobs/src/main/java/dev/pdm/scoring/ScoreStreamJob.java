package dev.pdm.scoring;

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
import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.ingest.LandingWriter;
import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.Tracking;
import dev.pdm.scoring.stream.AssetRiskRefresh;
import dev.pdm.scoring.stream.CycleScorer;
import dev.pdm.scoring.stream.AssetRefolds;
import dev.pdm.scoring.stream.ScoringQuery;
import dev.pdm.scoring.stream.TreeModels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.kohsuke.args4j.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous scoring in one streaming query: Kafka telemetry is parsed, each asset's records are
 * classified, folded into window features and scored in Spark's state store
 * ({@code transformWithState}, typed per-asset state: {@link dev.pdm.scoring.stream.AssetProcessor}),
 * and each micro-batch lands its records (bronze, quarantine, silver), its predictions, alerts and
 * metrics ({@link ScoringBatch}). The features are the batch job's definition, at the champions'
 * feature-set version; the models are the registered champions, evaluated tree by tree per row.
 *
 * <p>Exactly once: the checkpoint holds the offsets and the state; every table a batch appends to
 * skips a batch id it committed before (Delta {@code txnAppId}/{@code txnVersion}). The champion
 * aliases are looked up between micro-batches ({@code pdm.scoring.model-refresh-interval}); when
 * they moved, the query restarts on its checkpoint with the new models and the batch that saw the
 * move is scored with them. Champions on another feature-set version (a retrain that refitted the
 * features) are swapped in the same way: each asset's window state is folded again under the new
 * version from its silver history as it next sends, its cycles held meanwhile, so gold.predictions
 * has no gap and no cycle twice (checkpoints begun with a state TTL; older ones keep their pair
 * with a warning). Every prediction names the versions that made it.
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
  /** The tables the scorer appends to every batch, compacted beside the batches ({@link StreamCompaction}). */
  private static final List<TableDef> COMPACTED = List.of(Tables.BRONZE_TELEMETRY, Tables.QUARANTINE,
      Tables.SILVER_TELEMETRY, Tables.GOLD_PREDICTIONS, Tables.GOLD_ALERTS, Tables.GOLD_WORK_ORDERS,
      Tables.OPS_STREAM_METRICS);

  /** Validated options; {@code checkpoint} is the query's checkpoint root. */
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
      config.getDurationMsOrZero(PdmConfigKeys.LATENESS_ALLOWED);
      if (checkpoint == null || checkpoint.isBlank()) {
        checkpoint = config.require(PdmConfigKeys.STREAM_CHECKPOINT_ROOT) + "/score-stream/" + dataset + "/" + topic;
      }
    }
  }

  /** Totals of this run. */
  public record Result(LandingWriter.Counts landing, long batches, long predictions, long alerts, long late,
      String rulModel, String failureModel, int swaps, String checkpoint) implements JobResult {
    @Override
    public String summary() {
      return "score-stream: " + batches + " micro-batches; " + landing + "; " + predictions
          + " predictions into gold.predictions, " + alerts + " alerts raised"
          + (late > 0 ? ", " + late + " late cycles quarantined (LATE_EVENT)" : "") + "; champions now "
          + rulModel + " and " + failureModel
          + (swaps > 0 ? " (" + swaps + " swaps)" : "") + "; checkpoint under " + checkpoint;
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
      DatasetProfile profile = DatasetProfile.forDataset(config, d);
      ensureTables(spark, warehouse, config, profile, o);
      ScoringBatch.Totals totals = new ScoringBatch.Totals();
      long resolvePoll = o.trigger().isAvailableNow() ? 0
          : StreamTrigger.parse(config.require(PdmConfigKeys.SCORING_RESOLVE_POLL)).intervalMs();
      try (ScorerMetrics metrics = ScorerMetrics.register(d, watcher::failedRefreshes, watcher::swaps);
          ResolveNotices notices = ResolveNotices.start(warehouse, d, resolvePoll);
          StreamCompaction compaction = StreamCompaction.start(warehouse, config, d, o.trigger().isAvailableNow(),
              COMPACTED);
          AssetRiskRefresh assetRisk = new AssetRiskRefresh(warehouse, d)) {
        scoreUntilStopped(spark, o, warehouse, profile, watcher, totals, assetRisk);
      }
      // What scored last; asking the registry again here could load models nothing uses.
      ChampionModels.Champions last = watcher.loaded();
      LandingWriter.Counts landed = new LandingWriter.Counts(totals.received.get(), totals.inserted.get(),
          totals.duplicates.get(), totals.conflicts.get(), totals.rejected.get(), 0);
      return new Result(landed, totals.batches.get(), totals.predictions.get(), totals.alerts.get(), totals.late.get(),
          last.rul().toString(), last.failure().toString(), watcher.swaps(), o.checkpoint());
    }
  }

  /** A feature-set version's definition and the anomaly baseline fitted on its features. */
  private record Features(FeatureSet set, Anomalies.Baseline baseline) {}

  /**
   * Runs the query until it ends, restarting it on its checkpoint whenever the champions moved,
   * with their feature set. Champions on another version are taken once every asset was folded
   * under it beside the stream ({@link FeatureSetPrefold}); each asset's state is then folded again
   * from that base and what landed since, as the asset next sends (see {@link ScoringQuery}).
   */
  private static void scoreUntilStopped(SparkSession spark, Options o, Warehouse warehouse, DatasetProfile profile,
      ModelWatcher watcher, ScoringBatch.Totals totals, AssetRiskRefresh assetRisk) {
    Map<Integer, Features> byVersion = new ConcurrentHashMap<>();
    Function<Integer, Features> features = version -> byVersion.computeIfAbsent(version, v -> {
      FeatureSet set = new FeatureSets(spark, warehouse).load(o.dataset(), v);
      return new Features(set, Anomalies.fit(warehouse, set));
    });
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // a prefold's processor: the new champions' scorer under their feature set, broadcast for its run
    Function<ChampionModels.Champions, FeatureSetPrefold.Prepared> processors = next -> {
      Features f = features.apply(next.featureSetVersion());
      Broadcast<CycleScorer> scorer = jsc.broadcast(scorer(o.config(), next, f));
      return new FeatureSetPrefold.Prepared(ScoringQuery.processor(o.config(), o.dataset(), profile, f.set(), scorer, 0),
          scorer::destroy);
    };
    try (FeatureSetPrefold prefold = new FeatureSetPrefold(warehouse, profile, o.dataset(), processors)) {
      scoreUntilStopped(spark, o, warehouse, profile, watcher, totals, assetRisk, features, prefold);
    }
  }

  private static void scoreUntilStopped(SparkSession spark, Options o, Warehouse warehouse, DatasetProfile profile,
      ModelWatcher watcher, ScoringBatch.Totals totals, AssetRiskRefresh assetRisk,
      Function<Integer, Features> byVersion, FeatureSetPrefold prefold) {

    while (true) {
      ChampionModels.Champions champions = watcher.loaded();
      Features features = byVersion.apply(champions.featureSetVersion());
      try {
        runQuery(spark, o, warehouse, features, profile, watcher, champions, totals, assetRisk, prefold);
        return;
      } catch (StreamingQueryException | TimeoutException e) {
        if (movedModels(e) == null) {
          throw PdmErrors.failure("score topic " + o.topic(), StreamRunner.rootCause(e),
              "fix the cause and run again on the same checkpoint; nothing is lost or doubled", e);
        }
        LOG.info("score-stream: {}; restarting the query with them on its checkpoint{}", movedModels(e).getMessage(),
            watcher.loaded().featureSetVersion() == champions.featureSetVersion() ? ""
                : " (each asset's state is folded again from silver under feature set v"
                    + watcher.loaded().featureSetVersion() + " before its next cycles are scored)");
      }
    }
  }

  private static void ensureTables(SparkSession spark, Warehouse warehouse, PdmConfig config, DatasetProfile profile,
      Options o) {
    new LandingWriter(spark, warehouse, profile).ensureTables();
    warehouse.ensure(Tables.GOLD_PREDICTIONS, Tables.GOLD_PREDICTIONS.schema());
    warehouse.ensure(Tables.OPS_ALERT_RESOLUTIONS, Tables.OPS_ALERT_RESOLUTIONS.schema());
    warehouse.ensure(Tables.OPS_ASSET_REFOLDS, AssetRefolds.schema());
    new AlertWriter(warehouse, config, o.dataset(), o.alertsTopic()).ensureTables();
    StreamMetrics.ensureTable(warehouse);
  }

  /** Runs the query with one pair of champions until it ends; throws when they moved. */
  private static void runQuery(SparkSession spark, Options o, Warehouse warehouse, Features features,
      DatasetProfile profile, ModelWatcher watcher, ChampionModels.Champions champions, ScoringBatch.Totals totals,
      AssetRiskRefresh assetRisk, FeatureSetPrefold prefold) throws StreamingQueryException, TimeoutException {
    PdmConfig config = o.config();
    FeatureSet set = features.set();
    CycleScorer scorer = scorer(config, champions, features);
    TreeModels models = scorer.models();
    Broadcast<CycleScorer> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(scorer);
    long assetRiskMillis = o.trigger().isAvailableNow() ? 0
        : StreamTrigger.parse(config.require(PdmConfigKeys.SCORING_ASSET_RISK_REFRESH)).intervalMs();
    // not "/scoring": that held the two-query scorer's state, which this plan cannot read
    String checkpoint = o.checkpoint() + "/query";
    ScoringQuery.Plan plan = ScoringQuery.build(spark, warehouse, config, o.topic(), o.dataset(), set, shared,
        assetRiskMillis, checkpoint, o.checkpoint() + "/initial-state");
    Dataset<Row> out = plan.out();
    watcher.featureSetSwaps(plan.processor().hasStateTtl() ? prefold : null);
    String name = StreamIds.scoringQuery(o.dataset(), o.topic());
    String identity = Checkpoints.identity(spark, checkpoint);
    ScoringBatch batch = new ScoringBatch(config, warehouse.root(), profile, o.dataset(), o.topic(), o.alertsTopic(),
        StreamIds.appId("pdm-score-stream", identity), StreamMetrics.appId(identity),
        IdempotentAppend.Replays.forCheckpoint(spark, checkpoint), name, watcher, champions, models, totals, assetRisk,
        plan.processor());
    PhaseLog phases = new PhaseLog(name);
    spark.streams().addListener(phases);
    try {
      StreamRunner.run(() -> {
        try {
          StreamingQuery q = out.writeStream()
              .queryName(name)
              .option("checkpointLocation", checkpoint)
              .trigger(o.trigger().toSpark())
              .foreachBatch(batch)
              .start();
          LOG.info("score-stream: query {} started on {} with {}", name, o.topic(), champions);
          return q;
        } catch (TimeoutException e) {
          throw PdmErrors.failure("start scoring topic " + o.topic(), e.getMessage(), "run again", e);
        }
      });
    } finally {
      spark.streams().removeListener(phases);
      shared.destroy();
    }
  }

  /** Logs where Spark's own part of each micro-batch went (planning, offsets, the write-ahead and commit logs). */
  private static final class PhaseLog extends StreamingQueryListener {
    private final String name;

    PhaseLog(String name) {
      this.name = name;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      if (name.equals(event.progress().name()) && event.progress().numInputRows() > 0) {
        LOG.info("score-stream batch {}: Spark phases {} ms", event.progress().batchId(),
            event.progress().durationMs());
      }
    }

    @Override
    public void onQueryIdle(QueryIdleEvent event) {}

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}
  }

  /** The row-at-a-time scorer of a pair of champions on their feature set. */
  private static CycleScorer scorer(PdmConfig config, ChampionModels.Champions champions, Features features) {
    FeatureSet set = features.set();
    return new CycleScorer(new TreeModels(champions, set.featureNames()), set.featureNames(), RiskLevels.from(config),
        features.baseline(), Anomalies.Rules.from(config), set.rulUnit());
  }

  private static ScoringBatch.ModelsMoved movedModels(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ScoringBatch.ModelsMoved m) {
        return m;
      }
    }
    return null;
  }
}
