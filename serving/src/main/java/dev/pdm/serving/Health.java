package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /api/v1/health}: the server is up, and what it serves. */
public record Health(@JsonProperty("status") String status, @JsonProperty("started_at") String startedAt,
    @JsonProperty("warehouse") String warehouse, @JsonProperty("datasets") List<Served> datasets) {

  /** A dataset whose champions are loaded. */
  public record Served(@JsonProperty("dataset") String dataset, @JsonProperty("rul_model") String rulModel,
      @JsonProperty("failure_model") String failureModel,
      @JsonProperty("feature_set_version") int featureSetVersion) {}
}
