package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/**
 * An alert's status changes, for {@code bin/pdm alerts} and the API alike: acknowledge (someone is
 * on it) and resolve (the asset was inspected or repaired). Each change is one Delta commit of
 * gold.alerts, retried when a concurrent writer (the stream scorer appending alerts) wins the race
 * ({@link DeltaRetry}). Resolving closes the alert and the asset's other open ones in that one
 * commit; a running stream scorer finds the resolve there ({@link ResolveNotices}) and resets the
 * asset's alerted level, so its next rise alerts again. The resolve writes nothing the scorer
 * writes too (ops.asset_risk is the scorer's own view), so no scorer's write can undo it.
 *
 * <p>Usage:
 * <pre>{@code
 * AlertLifecycle.Result r = AlertLifecycle.change(warehouse, alertId, AlertLifecycle.Change.ACK, "on it");
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
  public static Result change(Warehouse warehouse, String alertId, Change change, String note) {
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
    // the status condition makes a change that lost a race to a resolve a no-op, not an overwrite
    Column unresolved = col("dataset").equalTo(dataset).and(col("status").notEqual(Change.RESOLVE.status()));
    if (change == Change.ACK) {
      DeltaRetry.commit(what, () -> warehouse.delta(Tables.GOLD_ALERTS).update(
          unresolved.and(col("alert_id").equalTo(alertId)),
          Map.of("status", lit(change.status()), "updated_at", current_timestamp(),
              "note", lit(note).cast("string"))));
    } else {
      DeltaRetry.commit(what, () -> warehouse.delta(Tables.GOLD_ALERTS).update(
          unresolved.and(col("asset_id").equalTo(asset)),
          Map.of("status", lit(change.status()), "updated_at", current_timestamp(),
              "note", when(col("alert_id").equalTo(alertId), lit(note).cast("string"))
                  .otherwise(lit("resolved with " + alertId)))));
    }
    return new Result(Outcome.CHANGED, alertId, dataset, asset, change.status());
  }
}
