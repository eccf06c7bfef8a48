package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * An alert's status changes, for {@code bin/pdm alerts} and the API alike: acknowledge (someone is
 * on it) and resolve (the asset was inspected or repaired). Resolving closes the asset's other
 * open alerts, resets its alerted level in ops.asset_risk and appends to ops.alert_resolutions,
 * which a running stream scorer reads so that the asset's next rise alerts again. Each write is a
 * Delta commit retried when a concurrent writer (the stream scorer appending alerts) wins the race
 * ({@link DeltaRetry}); each is idempotent on its own, so a retry repeats nothing.
 *
 * <p>Usage:
 * <pre>{@code
 * AlertLifecycle.Result r = AlertLifecycle.change(spark, warehouse, alertId, AlertLifecycle.Change.ACK, "on it");
 * if (r.outcome() == AlertLifecycle.Outcome.NOT_FOUND) { ... }
 * }</pre>
 */
public final class AlertLifecycle {

  /** What to do to an alert, and the status it leaves. */
  public enum Change {
    ACK("acknowledged"),
    RESOLVE("resolved");

    private final String status;

    Change(String status) {
      this.status = status;
    }

    public String status() {
      return status;
    }
  }

  /** How a change ended: done, no such alert, or the alert was resolved before. */
  public enum Outcome { CHANGED, NOT_FOUND, ALREADY_RESOLVED }

  /** The alert a change addressed (dataset and asset null when not found) and its status now. */
  public record Result(Outcome outcome, String alertId, String dataset, String assetId, String status) {}

  private AlertLifecycle() {}

  /** Applies {@code change} to the alert {@code alertId} of gold.alerts, with an operator's note (or null). */
  public static Result change(SparkSession spark, Warehouse warehouse, String alertId, Change change, String note) {
    warehouse.requireExists(Tables.GOLD_ALERTS, "pdm score-stream");
    List<Row> found = warehouse.read(Tables.GOLD_ALERTS, "pdm score-stream").where(col("alert_id").equalTo(alertId))
        .select("dataset", "asset_id", "status").collectAsList();
    if (found.isEmpty()) {
      return new Result(Outcome.NOT_FOUND, alertId, null, null, null);
    }
    String dataset = found.get(0).getString(0);
    String asset = found.get(0).getString(1);
    if (found.get(0).getString(2).equals(Change.RESOLVE.status())) {
      return new Result(Outcome.ALREADY_RESOLVED, alertId, dataset, asset, Change.RESOLVE.status());
    }
    String what = change.name().toLowerCase() + " alert " + alertId;
    DeltaRetry.commit(what, () -> warehouse.delta(Tables.GOLD_ALERTS).update(
        col("dataset").equalTo(dataset).and(col("alert_id").equalTo(alertId)),
        Map.of("status", lit(change.status()), "updated_at", current_timestamp(),
            "note", lit(note).cast("string"))));
    if (change == Change.RESOLVE) {
      resolveTheRest(spark, warehouse, what, dataset, asset, alertId);
    }
    return new Result(Outcome.CHANGED, alertId, dataset, asset, change.status());
  }

  private static void resolveTheRest(SparkSession spark, Warehouse warehouse, String what, String dataset,
      String asset, String alertId) {
    DeltaRetry.commit(what + " (the asset's other alerts)", () -> warehouse.delta(Tables.GOLD_ALERTS).update(
        col("dataset").equalTo(dataset).and(col("asset_id").equalTo(asset))
            .and(col("status").notEqual(Change.RESOLVE.status())),
        Map.of("status", lit(Change.RESOLVE.status()), "updated_at", current_timestamp(),
            "note", lit("resolved with " + alertId))));
    // A blind append never conflicts; a second row for the same resolve would only repeat the reset.
    warehouse.ensure(Tables.OPS_ALERT_RESOLUTIONS, Tables.OPS_ALERT_RESOLUTIONS.schema());
    spark.createDataFrame(List.of(RowFactory.create(dataset, asset, alertId, new Timestamp(System.currentTimeMillis()))),
            Tables.OPS_ALERT_RESOLUTIONS.schema())
        .write().format("delta").mode("append").save(warehouse.path(Tables.OPS_ALERT_RESOLUTIONS));
    if (warehouse.exists(Tables.OPS_ASSET_RISK)) {
      DeltaRetry.commit(what + " (ops.asset_risk)", () -> warehouse.delta(Tables.OPS_ASSET_RISK).update(
          col("dataset").equalTo(dataset).and(col("asset_id").equalTo(asset)),
          Map.of("alerted_level", lit(RiskLevels.Level.LOW.name()), "updated_at", current_timestamp())));
    }
  }
}
