package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The bodies of the read endpoints: each names the table version its view holds. */
final class ViewResponses {

  private ViewResponses() {}

  /**
   * {@code GET /api/v1/assets}: the latest prediction of each asset, worst first; {@code levels}
   * counts the assets of each risk level, worst first, with the dataset filter only;
   * {@code datasets} lists every dataset with predictions.
   */
  record Assets(@JsonProperty("assets") List<AssetPrediction> assets, @JsonProperty("total") int total,
      @JsonProperty("levels") Map<String, Integer> levels, @JsonProperty("datasets") List<String> datasets,
      @JsonProperty("clocks") Map<String, DatasetClock> clocks,
      @JsonProperty("predictions_version") long predictionsVersion) {}

  /**
   * {@code GET /api/v1/assets/{asset_id}}: its latest prediction, recent history (newest first),
   * alerts, work orders and recorded failures and maintenance, and how its dataset counts time.
   */
  record Asset(@JsonProperty("dataset") String dataset, @JsonProperty("asset_id") String assetId,
      @JsonProperty("clock") DatasetClock clock,
      @JsonProperty("latest") AssetPrediction latest, @JsonProperty("predictions") List<AssetPrediction> predictions,
      @JsonProperty("alerts") List<AlertView> alerts, @JsonProperty("work_orders") List<WorkOrderView> workOrders,
      @JsonProperty("events") List<AssetEventView> events,
      @JsonProperty("predictions_version") long predictionsVersion) {}

  /** {@code GET /api/v1/alerts}: newest first, with the clocks of their datasets. */
  record Alerts(@JsonProperty("alerts") List<AlertView> alerts, @JsonProperty("total") int total,
      @JsonProperty("clocks") Map<String, DatasetClock> clocks, @JsonProperty("alerts_version") long alertsVersion) {}

  /** {@code POST /api/v1/alerts/{id}/ack|resolve}: the alert's status now. */
  record AlertChanged(@JsonProperty("alert_id") String alertId, @JsonProperty("dataset") String dataset,
      @JsonProperty("asset_id") String assetId, @JsonProperty("status") String status) {}

  /** {@code GET /api/v1/work-orders}: most urgent first, with the clocks of their datasets. */
  record WorkOrdersList(@JsonProperty("work_orders") List<WorkOrderView> workOrders, @JsonProperty("total") int total,
      @JsonProperty("clocks") Map<String, DatasetClock> clocks,
      @JsonProperty("work_orders_version") long workOrdersVersion) {}

  /** The body of schedule, complete and cancel: who (required), a note, when (schedule), the part (complete). */
  record WorkOrderChange(@JsonProperty("by") String by, @JsonProperty("note") String note,
      @JsonProperty("scheduled_for") String scheduledFor, @JsonProperty("part") String part) {}

  /** {@code POST /api/v1/work-orders/{id}/schedule|complete|cancel}: the work order's status now. */
  record WorkOrderChanged(@JsonProperty("work_order_id") String workOrderId, @JsonProperty("dataset") String dataset,
      @JsonProperty("asset_id") String assetId, @JsonProperty("status") String status) {}

  /** {@code GET /api/v1/streams}: the last committed batch of each streaming query, the latest first. */
  record Streams(@JsonProperty("streams") List<StreamView> streams,
      @JsonProperty("stream_metrics_version") long streamMetricsVersion) {}

  /** {@code GET /api/v1/drift-reports}: the drift reports' summaries, newest first. */
  record DriftReports(@JsonProperty("drift_reports") List<DriftReportView> driftReports,
      @JsonProperty("total") int total, @JsonProperty("drift_reports_version") long driftReportsVersion) {}

  /** The optional body of ack and resolve. */
  record AlertNote(@JsonProperty("note") String note) {}
}
