package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;

/** One row of gold.predictions as the API answers it (GET /assets, /assets/{id}). */
public record AssetPrediction(
    @JsonProperty("dataset") String dataset,
    @JsonProperty("asset_id") String assetId,
    @JsonProperty("cycle") int cycle,
    @JsonProperty("event_time") String eventTime,
    @JsonProperty("predicted_rul") double predictedRul,
    @JsonProperty("rul_lower") Double rulLower,
    @JsonProperty("rul_upper") Double rulUpper,
    @JsonProperty("failure_probability") double failureProbability,
    @JsonProperty("risk_level") String riskLevel,
    @JsonProperty("anomaly_severity") String anomalySeverity,
    @JsonProperty("anomaly_reasons") List<String> anomalyReasons,
    @JsonProperty("rul_model_version") String rulModelVersion,
    @JsonProperty("failure_model_version") String failureModelVersion,
    @JsonProperty("feature_set_version") int featureSetVersion,
    @JsonProperty("scored_by") String scoredBy,
    @JsonProperty("scored_at") String scoredAt) {

  /** A row of gold.predictions, read by column name. */
  static AssetPrediction of(Row r) {
    return new AssetPrediction(r.getAs("dataset"), r.getAs("asset_id"), r.<Integer>getAs("cycle"),
        instant(r.getAs("event_time")), r.<Double>getAs("predicted_rul"), r.getAs("rul_lower"), r.getAs("rul_upper"),
        r.<Double>getAs("failure_probability"), r.getAs("risk_level"), r.getAs("anomaly_severity"),
        r.getList(r.fieldIndex("anomaly_reasons")), r.getAs("rul_model_version"), r.getAs("failure_model_version"),
        r.<Integer>getAs("feature_set_version"), r.getAs("scored_by"), instant(r.getAs("scored_at")));
  }

  static String instant(Timestamp t) {
    return t == null ? null : t.toInstant().toString();
  }
}
