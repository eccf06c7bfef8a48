package dev.pdm.serving;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.scoring.WorkOrders;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * {@code POST /api/v1/work-orders/{id}/schedule|complete|cancel}: the same change as
 * {@code bin/pdm work-orders} ({@link WorkOrders}: Delta commits, retried on conflict), shown in
 * the {@link FleetView} at once by folding the asset's work orders (and, after a completion, its
 * alerts, which it resolves, and its maintenance events) read back from the tables.
 */
final class WorkOrderChanges {

  private static final Pattern ID = Pattern.compile("wo-[A-Za-z0-9_-]{1,64}");

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final FleetView view;

  WorkOrderChanges(SparkSession spark, Warehouse warehouse, FleetView view) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.view = view;
  }

  ViewResponses.WorkOrderChanged change(String id, WorkOrders.Change change, ViewResponses.WorkOrderChange body) {
    WorkOrders.Request request = request(id, change, body);
    if (!warehouse.exists(Tables.GOLD_WORK_ORDERS)) {
      throw ApiException.notFound("no work order " + id + ": gold.work_orders does not exist yet (score-stream opens"
          + " one for each HIGH or CRITICAL alert)");
    }
    WorkOrders.Result r = WorkOrders.change(spark, warehouse, id, request);
    return switch (r.outcome()) {
      case NOT_FOUND -> throw ApiException.notFound("gold.work_orders has no work order " + id
          + " (take an id from GET /api/v1/work-orders)");
      case CLOSED -> throw new ApiException(409, "Conflict", "work order " + id + " of " + r.assetId() + " is "
          + r.status() + " already: nothing to do; a new HIGH or CRITICAL alert of the asset opens a new one", null);
      case CHANGED -> {
        view.refreshAsset(Tables.GOLD_WORK_ORDERS, r.dataset(), r.assetId());
        if (change == WorkOrders.Change.COMPLETE) {
          // completing resolved the asset's alerts and recorded its maintenance
          view.refreshAsset(Tables.GOLD_ALERTS, r.dataset(), r.assetId());
          view.refreshAsset(Tables.GOLD_ASSET_EVENTS, r.dataset(), r.assetId());
        }
        yield new ViewResponses.WorkOrderChanged(id, r.dataset(), r.assetId(), r.status());
      }
    };
  }

  /** The body checked field by field: each bad one is a 400 naming it. */
  private static WorkOrders.Request request(String id, WorkOrders.Change change, ViewResponses.WorkOrderChange b) {
    if (!ID.matcher(id).matches()) {
      throw ApiException.badRequest("work_order_id", "'" + id + "' is not a work order id (take one from GET"
          + " /api/v1/work-orders)");
    }
    String by = ApiFields.by(b == null ? null : b.by());
    if (b.part() != null && change != WorkOrders.Change.COMPLETE) {
      throw ApiException.badRequest("part", "a part goes with complete");
    }
    if (b.scheduledFor() != null && change != WorkOrders.Change.SCHEDULE) {
      throw ApiException.badRequest("scheduled_for", "scheduled_for goes with schedule");
    }
    return new WorkOrders.Request(change, by, ApiFields.text("note", b.note()),
        ApiFields.instant("scheduled_for", b.scheduledFor()), ApiFields.text("part", b.part()));
  }
}
