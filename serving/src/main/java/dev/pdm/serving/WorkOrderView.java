package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.spark.sql.Row;

/** One work order of gold.work_orders as the API answers it (GET /work-orders, /assets/{id}). */
public record WorkOrderView(
    @JsonProperty("work_order_id") String workOrderId,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("asset_id") String assetId,
    @JsonProperty("alert_id") String alertId,
    @JsonProperty("risk_level") String riskLevel,
    @JsonProperty("priority") String priority,
    @JsonProperty("cycle") int cycle,
    @JsonProperty("due_cycle") int dueCycle,
    @JsonProperty("cycle_seconds") Double cycleSeconds,
    @JsonProperty("due_date") String dueDate,
    @JsonProperty("recommended_action") String recommendedAction,
    @JsonProperty("status") String status,
    @JsonProperty("scheduled_for") String scheduledFor,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("scheduled_by") String scheduledBy,
    @JsonProperty("scheduled_at") String scheduledAt,
    @JsonProperty("completed_by") String completedBy,
    @JsonProperty("completed_at") String completedAt,
    @JsonProperty("cancelled_by") String cancelledBy,
    @JsonProperty("cancelled_at") String cancelledAt,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("note") String note) {

  static WorkOrderView of(Row r) {
    return new WorkOrderView(r.getAs("work_order_id"), r.getAs("dataset"), r.getAs("asset_id"), r.getAs("alert_id"),
        r.getAs("risk_level"), r.getAs("priority"), r.<Integer>getAs("cycle"), r.<Integer>getAs("due_cycle"),
        r.getAs("cycle_seconds"), AssetPrediction.instant(r.getAs("due_date")), r.getAs("recommended_action"),
        r.getAs("status"), AssetPrediction.instant(r.getAs("scheduled_for")),
        AssetPrediction.instant(r.getAs("created_at")), r.getAs("scheduled_by"),
        AssetPrediction.instant(r.getAs("scheduled_at")), r.getAs("completed_by"),
        AssetPrediction.instant(r.getAs("completed_at")), r.getAs("cancelled_by"),
        AssetPrediction.instant(r.getAs("cancelled_at")), AssetPrediction.instant(r.getAs("updated_at")),
        r.getAs("note"));
  }
}
