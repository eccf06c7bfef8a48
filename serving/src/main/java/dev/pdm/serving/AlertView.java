package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.spark.sql.Row;

/** One alert of gold.alerts as the API answers it (GET /alerts, /assets/{id}). */
public record AlertView(
    @JsonProperty("alert_id") String alertId,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("asset_id") String assetId,
    @JsonProperty("cycle") int cycle,
    @JsonProperty("risk_level") String riskLevel,
    @JsonProperty("previous_level") String previousLevel,
    @JsonProperty("predicted_rul") double predictedRul,
    @JsonProperty("failure_probability") double failureProbability,
    @JsonProperty("recommendation") String recommendation,
    @JsonProperty("status") String status,
    @JsonProperty("raised_at") String raisedAt,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("note") String note) {

  static AlertView of(Row r) {
    return new AlertView(r.getAs("alert_id"), r.getAs("dataset"), r.getAs("asset_id"), r.<Integer>getAs("cycle"),
        r.getAs("risk_level"), r.getAs("previous_level"), r.<Double>getAs("predicted_rul"),
        r.<Double>getAs("failure_probability"), r.getAs("recommendation"), r.getAs("status"),
        AssetPrediction.instant(r.getAs("raised_at")), AssetPrediction.instant(r.getAs("updated_at")), r.getAs("note"));
  }
}
