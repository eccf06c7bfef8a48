package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pdm.scoring.stream.AssetPredictor;
import java.util.List;

/** The answer of {@code POST /api/v1/predict}: the asset's last cycle, scored by the champions. */
public record PredictResponse(
    @JsonProperty("dataset") String dataset,
    @JsonProperty("asset_id") String assetId,
    @JsonProperty("cycle") int cycle,
    @JsonProperty("cycles") int cycles,
    @JsonProperty("predicted_rul") double predictedRul,
    @JsonProperty("rul_lower") double rulLower,
    @JsonProperty("rul_upper") double rulUpper,
    @JsonProperty("failure_probability") double failureProbability,
    @JsonProperty("risk_level") String riskLevel,
    @JsonProperty("anomaly_severity") String anomalySeverity,
    @JsonProperty("anomaly_reasons") List<String> anomalyReasons,
    @JsonProperty("rul_model_version") String rulModelVersion,
    @JsonProperty("failure_model_version") String failureModelVersion,
    @JsonProperty("feature_set_version") int featureSetVersion) {

  /** A model stored without intervals answers its point estimate as both bounds. */
  static PredictResponse of(AssetPredictor.Prediction p) {
    return new PredictResponse(p.dataset(), p.assetId(), p.cycle(), p.cycles(), p.predictedRul(),
        p.rulLower() == null ? p.predictedRul() : p.rulLower(), p.rulUpper() == null ? p.predictedRul() : p.rulUpper(),
        p.failureProbability(), p.riskLevel(), p.anomalySeverity(), p.anomalyReasons(), p.rulModelVersion(),
        p.failureModelVersion(), p.featureSetVersion());
  }
}
