package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code GET /api/v1/health}: the server is up, and what it serves: the loaded champions, and the
 * versions of gold.predictions, gold.alerts and gold.work_orders its view holds (-1: not read yet, or no table).
 */
public record Health(@JsonProperty("status") String status, @JsonProperty("started_at") String startedAt,
    @JsonProperty("warehouse") String warehouse, @JsonProperty("datasets") List<Served> datasets,
    @JsonProperty("predictions_version") long predictionsVersion,
    @JsonProperty("alerts_version") long alertsVersion,
    @JsonProperty("work_orders_version") long workOrdersVersion) {

  /** A dataset whose champions are loaded. */
  public record Served(@JsonProperty("dataset") String dataset, @JsonProperty("rul_model") String rulModel,
      @JsonProperty("failure_model") String failureModel,
      @JsonProperty("feature_set_version") int featureSetVersion) {}
}
