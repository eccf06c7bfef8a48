package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;

import dev.pdm.common.stream.PeriodicTask;
import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a running stream scorer about resolves: an alert resolve is one commit of gold.alerts
 * ({@link AlertLifecycle}), and the scorer's state learns of it from ops.alert_resolutions, a
 * Delta stream source of its query. This copies each asset's resolves not yet noted there, one
 * row per asset with the time of its latest resolve, and the scorer resets the asset's alerted
 * level when the row reaches it.
 *
 * <p>The copy is idempotent: an asset's resolve is noted when ops.alert_resolutions holds a row of
 * that asset at or after its time, and the append is an insert-only MERGE on that condition, so a
 * copy repeated (a poll that overlapped another, a restart) notes nothing twice. A resolve made
 * before this class existed was noted by {@code alerts resolve} itself, at or after the time the
 * asset's alerts carry, so an upgrade notes nothing again either.
 *
 * <p>The scorer copies once before its query starts (so {@code --trigger available-now} sees every
 * resolve made before it), then every {@code pdm.scoring.resolve.poll} on a thread of its own; a
 * copy that fails is logged and tried again at the next poll, not fatal to the stream.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * try (ResolveNotices notices = ResolveNotices.start(warehouse, "FD001", 10_000)) {
 *   // run the scoring query
 * }
 * </pre>
 */
final class ResolveNotices implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResolveNotices.class);

  private final PeriodicTask polls;

  private ResolveNotices(PeriodicTask polls) {
    this.polls = polls;
  }

  /**
   * Copies the resolves not yet noted, then again every {@code pollMillis} (0: never again), into
   * ops.alert_resolutions, which the caller made. Call on the job's thread: the poll thread
   * inherits its Spark properties.
   */
  static ResolveNotices start(Warehouse warehouse, String dataset, long pollMillis) {
    copy(warehouse, dataset);
    return new ResolveNotices(PeriodicTask.every("pdm-resolve-notices-" + dataset, pollMillis,
        () -> copy(warehouse, dataset),
        e -> LOG.warn("Cannot note the resolves of {} in ops.alert_resolutions: {}; trying again in {} ms", dataset,
            e.getMessage(), pollMillis)));
  }

  /** Notes in ops.alert_resolutions every asset of {@code dataset} resolved since its last note; returns how many. */
  static long copy(Warehouse warehouse, String dataset) {
    if (!warehouse.exists(Tables.GOLD_ALERTS)) {
      return 0;
    }
    Dataset<Row> latest = warehouse.read(Tables.GOLD_ALERTS, "pdm score-stream")
        .where(col("dataset").equalTo(dataset).and(col("status").equalTo(AlertLifecycle.Change.RESOLVE.status())))
        .groupBy("dataset", "asset_id")
        .agg(max_by(col("alert_id"), col("updated_at")).as("alert_id"), max("updated_at").as("resolved_at"));
    Dataset<Row> noted = warehouse.read(Tables.OPS_ALERT_RESOLUTIONS, "pdm score-stream")
        .where(col("dataset").equalTo(dataset));
    Dataset<Row> due = latest.as("s").join(noted.as("t"), col("t.asset_id").equalTo(col("s.asset_id"))
        .and(col("t.resolved_at").geq(col("s.resolved_at"))), "left_anti");
    // most polls find nothing: no commit then (an empty MERGE would still add a version to the log)
    if (due.isEmpty()) {
      return 0;
    }
    Dataset<Row> rows = due.localCheckpoint(true);
    long n = rows.count();
    DeltaRetry.commit("note the resolves of " + dataset, () -> warehouse.delta(Tables.OPS_ALERT_RESOLUTIONS).as("t")
        .merge(rows.as("s"), "t.dataset = '" + dataset + "' AND t.asset_id = s.asset_id AND t.resolved_at >= s.resolved_at")
        .whenNotMatched().insertAll()
        .execute());
    LOG.info("score-stream: noted the resolves of {} asset(s) of {} for the scorer's state", n, dataset);
    return n;
  }

  /** Stops the polls (a copy in flight finishes: it is one idempotent commit). */
  @Override
  public void close() {
    polls.close();
  }
}
