package dev.pdm.serving;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.scoring.AlertLifecycle;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * {@code POST /api/v1/alerts/{id}/ack|resolve}: the same change as {@code bin/pdm alerts ack|resolve}
 * ({@link AlertLifecycle}: Delta commits, retried on conflict), shown in the {@link FleetView} at
 * once by folding the asset's alerts read back from the table. A change is a Spark job (Delta's
 * UPDATE, and that read); reads never are.
 */
final class AlertChanges {

  private static final Pattern ALERT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final int MAX_NOTE = 2000;

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final FleetView view;

  AlertChanges(SparkSession spark, Warehouse warehouse, FleetView view) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.view = view;
  }

  ViewResponses.AlertChanged change(String alertId, AlertLifecycle.Change change, String note) {
    if (!ALERT_ID.matcher(alertId).matches()) {
      throw ApiException.badRequest("alert_id", "'" + alertId + "' is not an alert id (take one from GET /api/v1/alerts)");
    }
    if (note != null && note.length() > MAX_NOTE) {
      throw ApiException.badRequest("note", "the note has " + note.length() + " characters; at most " + MAX_NOTE);
    }
    if (!warehouse.exists(Tables.GOLD_ALERTS)) {
      throw ApiException.notFound("no alert " + alertId + ": gold.alerts does not exist yet (score-stream raises alerts)");
    }
    AlertLifecycle.Result r = AlertLifecycle.change(warehouse, alertId, change, note);
    return switch (r.outcome()) {
      case NOT_FOUND -> throw ApiException.notFound("gold.alerts has no alert " + alertId
          + " (take an id from GET /api/v1/alerts)");
      case ALREADY_RESOLVED -> throw new ApiException(409, "Conflict", "alert " + alertId + " of " + r.assetId()
          + " is resolved already: nothing to do; a new rise of the asset's risk raises a new alert", null);
      case CHANGED -> {
        // the asset's alerts as committed (a resolve changed its other alerts too)
        view.refreshAsset(Tables.GOLD_ALERTS, r.dataset(), r.assetId());
        yield new ViewResponses.AlertChanged(alertId, r.dataset(), r.assetId(), r.status());
      }
    };
  }
}
