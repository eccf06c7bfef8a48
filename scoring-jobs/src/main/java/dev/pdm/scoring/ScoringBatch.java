package dev.pdm.scoring;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.stream.IdempotentAppend;
import dev.pdm.common.stream.StreamMetrics;
import dev.pdm.common.table.Warehouse;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.scoring.stream.AssetProcessor;
import dev.pdm.scoring.stream.AssetRiskRefresh;
import dev.pdm.scoring.stream.ScoringBatchWriter;
import dev.pdm.scoring.stream.TreeModels;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scoring micro-batch after the processor: check the champions, count, then land (bronze,
 * quarantine, silver), write predictions and raise alerts (opening work orders for HIGH and CRITICAL
 * ones) side by side ({@link Steps} of {@link ScoringBatchWriter}), hand the assets' rows to
 * {@link AssetRiskRefresh}, then record metrics, with where the batch's time went in one log line.
 *
 * <p>When the registry's champions moved since the query started, the batch throws
 * {@link ModelsMoved} before writing anything: the scorer restarts the query with the new models
 * on the same checkpoint, and Spark runs the batch again from the state before it.
 */
final class ScoringBatch implements VoidFunction2<Dataset<Row>, Long> {

  private static final Logger LOG = LoggerFactory.getLogger(ScoringBatch.class);

  /** The champions moved: restart the query with them. */
  static final class ModelsMoved extends RuntimeException {
    ModelsMoved(String message) {
      super(message);
    }
  }

  /** Totals over a run, across query restarts. */
  static final class Totals {
    final AtomicLong batches = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong inserted = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong predictions = new AtomicLong();
    final AtomicLong alerts = new AtomicLong();
    final AtomicLong late = new AtomicLong();
  }

  private final PdmConfig config;
  private final String root;
  private final DatasetProfile profile;
  private final String dataset;
  private final String topic;
  private final String alertsTopic;
  private final String appId;
  private final String metricsId;
  private final String queryName;
  private final ModelWatcher watcher;
  private final ChampionModels.Champions champions;
  private final TreeModels models;
  private final Totals totals;
  private final AssetRiskRefresh assetRisk;
  private final AssetProcessor processor;
  private boolean first = true;
  private final IdempotentAppend.Replays replays;

  ScoringBatch(PdmConfig config, String root, DatasetProfile profile, String dataset, String topic, String alertsTopic,
      String appId, String metricsId, IdempotentAppend.Replays replays, String queryName, ModelWatcher watcher,
      ChampionModels.Champions champions, TreeModels models, Totals totals, AssetRiskRefresh assetRisk,
      AssetProcessor processor) {
    this.config = config;
    this.root = root;
    this.profile = profile;
    this.dataset = dataset;
    this.topic = topic;
    this.alertsTopic = alertsTopic;
    this.appId = appId;
    this.metricsId = metricsId;
    this.replays = replays;
    this.queryName = queryName;
    this.watcher = watcher;
    this.champions = champions;
    this.models = models;
    this.totals = totals;
    this.assetRisk = assetRisk;
    this.processor = processor;
  }

  @Override
  public void call(Dataset<Row> batch, Long batchId) {
    long started = System.currentTimeMillis();
    long compiledBefore = compiled();
    ChampionModels.Champions now = watcher.current();
    if (!now.same(champions.rul(), champions.failure())) {
      throw new ModelsMoved("champions moved from " + champions + " to " + now);
    }
    Timestamp at = new Timestamp(started);
    boolean replayPossible = replays.mayBeReplay(batchId);
    Warehouse wh = new Warehouse(batch.sparkSession(), root);
    ScoringBatchWriter writer = new ScoringBatchWriter(wh, profile, dataset, appId, at, replayPossible);
    Dataset<Row> out = batch.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      ScoringBatchWriter.Counts n = ScoringBatchWriter.count(out);
      long processed = System.currentTimeMillis();
      // The tables are independent and each append is idempotent by itself: commit them side by
      // side (a Delta commit is mostly driver-side waiting), then the view of the state, then metrics.
      Dataset<Row> rows = out.coalesce(1);
      Steps steps = new Steps();
      steps.add("bronze", () -> writer.bronze(rows, batchId));
      if (n.rejected() + n.conflicts() + n.late() > 0) {
        steps.add("quarantine", () -> writer.quarantine(rows, batchId));
      }
      if (n.inserted() > 0) {
        steps.add("silver", () -> writer.silver(rows, n, batchId));
      }
      if (n.predictions() > 0) {
        steps.add("predictions", () -> writer.predictions(rows, models, batchId));
      }
      if (n.alerts() > 0 || (alertsTopic != null && first)) {
        steps.add("alerts", () -> {
          if (n.alerts() > 0) {
            writer.alerts(rows, models, batchId);
          }
          if (alertsTopic != null) {
            // the first batch of a run also sends what a crash left unsent
            new AlertWriter(wh, config, dataset, alertsTopic).publishPending();
          }
        });
      }
      if (n.workOrders() > 0) {
        // beside the alerts, not after them: a Delta commit more on the batch's longest path cost 0.3 s
        steps.add("work orders", () -> writer.workOrders(rows, batchId));
      }
      if (n.refolds() > 0) {
        steps.add("refolds", () -> writer.refolds(rows, processor, batchId));
      }
      if (n.assets() > 0) {
        // materialised here, merged beside the next batches: the micro-batch's output ends with it
        steps.add("asset risk", () -> assetRisk.submit(batchId, writer.assetRisk(rows).localCheckpoint(true)));
      }
      steps.await();
      long committed = System.currentTimeMillis();
      first = false;
      add(n);
      StreamMetrics.Latency latency = n.latency(committed);
      LOG.info("score-stream batch {}: {} records ({} new, {} duplicates, {} conflicts, {} rejected, {} late),"
              + " {} predictions, {} alerts, {} asset rows, {} refolds with {} in {} ms (state and scoring {} ms; writes side by"
              + " side {} ms: {}; {} classes compiled){}",
          batchId, n.received(), n.inserted(), n.duplicates(), n.conflicts(), n.rejected(), n.late(), n.predictions(),
          n.alerts(), n.assets(), n.refolds(), champions, committed - started, processed - started, committed - processed,
          steps.timings(), compiled() - compiledBefore, latency.p95() == null ? "" : "; publish to commit p50 " + latency.p50() + " ms, p95 "
              + latency.p95() + " ms");
      StreamMetrics.record(wh, metricsId, new StreamMetrics.Batch("score-stream", queryName, batchId, dataset, topic,
          n.received(), n.predictions(), n.alerts(), started, committed, latency), replayPossible);
    } finally {
      out.unpersist();
    }
  }

  /**
   * Classes Spark generated and compiled so far in this JVM (in local mode, the executors' too): a
   * batch that compiles any means a plan's code changed from the last batch or fell out of the cache.
   */
  private static long compiled() {
    return CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
  }

  private void add(ScoringBatchWriter.Counts n) {
    totals.batches.incrementAndGet();
    totals.received.addAndGet(n.received());
    totals.inserted.addAndGet(n.inserted());
    totals.duplicates.addAndGet(n.duplicates());
    totals.conflicts.addAndGet(n.conflicts());
    totals.rejected.addAndGet(n.rejected());
    totals.predictions.addAndGet(n.predictions());
    totals.alerts.addAndGet(n.alerts());
    totals.late.addAndGet(n.late());
  }
}
