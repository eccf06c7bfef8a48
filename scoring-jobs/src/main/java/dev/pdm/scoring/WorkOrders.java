package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.feedback.AssetEvents;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A work order's changes, for {@code bin/pdm work-orders} and the API alike: {@code open →
 * scheduled → done | cancelled}. Schedule (again, to move the date) while open or scheduled;
 * complete or cancel while open or scheduled; done and cancelled are final. Each change records
 * who made it and when. Completing one records a maintenance event in gold.asset_events (the
 * work order's id names it, so a retried completion records it once) and resolves the alert that
 * opened it, which resets the asset's alerted level: a new rise after the repair alerts again.
 * Each write is a Delta commit retried when the stream scorer's append wins the race.
 *
 * <p>Usage:
 * <pre>{@code
 * WorkOrders.Result r = WorkOrders.change(spark, warehouse, "wo-3f9a...",
 *     new WorkOrders.Request(WorkOrders.Change.COMPLETE, "j.smith", "HPC replaced", null, "HPC"));
 * }</pre>
 */
public final class WorkOrders {

  /** A change, and the status it leaves. */
  public enum Change {
    SCHEDULE("scheduled"),
    COMPLETE("done"),
    CANCEL("cancelled");

    private final String status;

    Change(String status) {
      this.status = status;
    }

    public String status() {
      return status;
    }

    /** The column prefix of who and when: scheduled_, completed_, cancelled_. */
    String column() {
      return switch (this) {
        case SCHEDULE -> "scheduled";
        case COMPLETE -> "completed";
        case CANCEL -> "cancelled";
      };
    }
  }

  /** Statuses a work order can change from. */
  public static final List<String> OPEN_STATUSES = List.of("open", "scheduled");

  /**
   * A change: who makes it, an optional note, when the work is planned (schedule, optional) and
   * the part serviced (complete, optional).
   */
  public record Request(Change change, String by, String note, Timestamp scheduledFor, String part) {
    public Request {
      if (by == null || by.isBlank()) {
        throw new IllegalArgumentException("by is required");
      }
    }
  }

  /** How a change ended: done, no such work order, or it was done or cancelled before. */
  public enum Outcome { CHANGED, NOT_FOUND, CLOSED }

  /** The work order a change addressed (dataset and asset null when not found) and its status now. */
  public record Result(Outcome outcome, String workOrderId, String dataset, String assetId, String status) {}

  private WorkOrders() {}

  /** The id of the work order an alert opens. */
  public static String idOf(String alertId) {
    return "wo-" + alertId;
  }

  /** Applies a change to work order {@code id} of gold.work_orders. */
  public static Result change(SparkSession spark, Warehouse warehouse, String id, Request request) {
    warehouse.requireExists(Tables.GOLD_WORK_ORDERS, "pdm score-stream (HIGH and CRITICAL alerts open work orders)");
    List<Row> found = warehouse.read(Tables.GOLD_WORK_ORDERS, "pdm score-stream")
        .where(col("work_order_id").equalTo(id))
        .select("dataset", "asset_id", "status", "alert_id").collectAsList();
    if (found.isEmpty()) {
      return new Result(Outcome.NOT_FOUND, id, null, null, null);
    }
    Row wo = found.get(0);
    String dataset = wo.getString(0);
    String asset = wo.getString(1);
    if (!OPEN_STATUSES.contains(wo.getString(2))) {
      return new Result(Outcome.CLOSED, id, dataset, asset, wo.getString(2));
    }
    String what = request.change().name().toLowerCase() + " work order " + id;
    if (request.change() == Change.COMPLETE) {
      recordMaintenance(spark, warehouse, dataset, asset, id, request);
    }
    Map<String, Column> set = new HashMap<>();
    set.put("status", lit(request.change().status()));
    set.put(request.change().column() + "_by", lit(request.by()));
    set.put(request.change().column() + "_at", current_timestamp());
    set.put("updated_at", current_timestamp());
    set.put("note", lit(request.note()).cast("string"));
    if (request.change() == Change.SCHEDULE && request.scheduledFor() != null) {
      set.put("scheduled_for", lit(request.scheduledFor()));
    }
    // the status condition makes a change that lost a race to another one a no-op, not an overwrite
    DeltaRetry.commit(what, () -> warehouse.delta(Tables.GOLD_WORK_ORDERS).update(
        col("dataset").equalTo(dataset).and(col("work_order_id").equalTo(id)).and(col("status").isin(
            OPEN_STATUSES.toArray())), set));
    if (request.change() == Change.COMPLETE) {
      AlertLifecycle.change(warehouse, wo.getString(3), AlertLifecycle.Change.RESOLVE,
          "work order " + id + " done by " + request.by());
    }
    return new Result(Outcome.CHANGED, id, dataset, asset, request.change().status());
  }

  private static void recordMaintenance(SparkSession spark, Warehouse warehouse, String dataset, String asset,
      String id, Request request) {
    AssetEvents.record(spark, warehouse, AssetEvents.Event.maintenance(dataset, asset, null,
        new Timestamp(System.currentTimeMillis()), request.part(), id, request.by(), request.note()));
  }
}
