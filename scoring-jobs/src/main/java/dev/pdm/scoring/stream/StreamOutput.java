package dev.pdm.scoring.stream;

import java.io.Serializable;

/**
 * One output row of {@link AssetProcessor}, of one of four kinds: {@link #LANDED} (one per
 * input event: how it lands in bronze, silver and quarantine; with the prediction fields set when
 * its cycle was folded in the same micro-batch), {@link #SCORED} (a prediction alone: a cycle
 * folded in a later micro-batch than the one it came in, after a missing one) and {@link #ASSET}
 * (an asset's row of ops.asset_risk) and {@link #REFOLD} (an asset back after its state expired,
 * or whose state was folded under another feature set, asks for its state folded again from silver). A row is a prediction when {@code predictedRul} is set.
 * Fields a row does not use are null.
 */
public final class StreamOutput implements Serializable {
  public static final String LANDED = "LANDED";
  public static final String SCORED = "SCORED";
  public static final String ASSET = "ASSET";
  public static final String REFOLD = "REFOLD";

  private String kind;
  private String dataset;
  private String assetId;
  private Integer cycle;
  private java.sql.Timestamp eventTime;
  private java.sql.Timestamp kafkaTimestamp;
  private String status;
  private boolean checked;
  private String reasonCode;
  private String reason;
  private String lateReason;
  private double[] readings;
  private String topic;
  private Integer kafkaPartition;
  private Long kafkaOffset;
  private String payload;
  private Double predictedRul;
  private Double rulLower;
  private Double rulUpper;
  private Double failureProbability;
  private String riskLevel;
  private String anomalySeverity;
  private java.util.List<String> anomalyReasons;
  private Integer anomalyStreak;
  private String alertId;
  private String previousLevel;
  private String recommendation;
  private java.util.List<String> topFeatures;
  private String alertedLevel;
  private Double cycleSeconds;
  private java.util.List<String> heldSources;

  public String getKind() {
    return kind;
  }

  public void setKind(String v) {
    kind = v;
  }

  public String getDataset() {
    return dataset;
  }

  public void setDataset(String v) {
    dataset = v;
  }

  public String getAssetId() {
    return assetId;
  }

  public void setAssetId(String v) {
    assetId = v;
  }

  public Integer getCycle() {
    return cycle;
  }

  public void setCycle(Integer v) {
    cycle = v;
  }

  public java.sql.Timestamp getEventTime() {
    return eventTime;
  }

  public void setEventTime(java.sql.Timestamp v) {
    eventTime = v;
  }

  public java.sql.Timestamp getKafkaTimestamp() {
    return kafkaTimestamp;
  }

  public void setKafkaTimestamp(java.sql.Timestamp v) {
    kafkaTimestamp = v;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String v) {
    status = v;
  }

  public boolean isChecked() {
    return checked;
  }

  public void setChecked(boolean v) {
    checked = v;
  }

  public String getReasonCode() {
    return reasonCode;
  }

  public void setReasonCode(String v) {
    reasonCode = v;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String v) {
    reason = v;
  }

  public String getLateReason() {
    return lateReason;
  }

  public void setLateReason(String v) {
    lateReason = v;
  }

  public double[] getReadings() {
    return readings;
  }

  public void setReadings(double[] v) {
    readings = v;
  }

  public String getTopic() {
    return topic;
  }

  public void setTopic(String v) {
    topic = v;
  }

  public Integer getKafkaPartition() {
    return kafkaPartition;
  }

  public void setKafkaPartition(Integer v) {
    kafkaPartition = v;
  }

  public Long getKafkaOffset() {
    return kafkaOffset;
  }

  public void setKafkaOffset(Long v) {
    kafkaOffset = v;
  }

  public String getPayload() {
    return payload;
  }

  public void setPayload(String v) {
    payload = v;
  }

  public Double getPredictedRul() {
    return predictedRul;
  }

  public void setPredictedRul(Double v) {
    predictedRul = v;
  }

  public Double getRulLower() {
    return rulLower;
  }

  public void setRulLower(Double v) {
    rulLower = v;
  }

  public Double getRulUpper() {
    return rulUpper;
  }

  public void setRulUpper(Double v) {
    rulUpper = v;
  }

  public Double getFailureProbability() {
    return failureProbability;
  }

  public void setFailureProbability(Double v) {
    failureProbability = v;
  }

  public String getRiskLevel() {
    return riskLevel;
  }

  public void setRiskLevel(String v) {
    riskLevel = v;
  }

  public String getAnomalySeverity() {
    return anomalySeverity;
  }

  public void setAnomalySeverity(String v) {
    anomalySeverity = v;
  }

  public java.util.List<String> getAnomalyReasons() {
    return anomalyReasons;
  }

  public void setAnomalyReasons(java.util.List<String> v) {
    anomalyReasons = v;
  }

  public Integer getAnomalyStreak() {
    return anomalyStreak;
  }

  public void setAnomalyStreak(Integer v) {
    anomalyStreak = v;
  }

  public String getAlertId() {
    return alertId;
  }

  public void setAlertId(String v) {
    alertId = v;
  }

  public String getPreviousLevel() {
    return previousLevel;
  }

  public void setPreviousLevel(String v) {
    previousLevel = v;
  }

  public String getRecommendation() {
    return recommendation;
  }

  public void setRecommendation(String v) {
    recommendation = v;
  }

  public java.util.List<String> getTopFeatures() {
    return topFeatures;
  }

  public void setTopFeatures(java.util.List<String> v) {
    topFeatures = v;
  }

  public String getAlertedLevel() {
    return alertedLevel;
  }

  public void setAlertedLevel(String v) {
    alertedLevel = v;
  }

  /** On an alert row: the asset's observed seconds per cycle ({@link AssetClock}); null when not known. */
  public Double getCycleSeconds() {
    return cycleSeconds;
  }

  public void setCycleSeconds(Double v) {
    cycleSeconds = v;
  }

  /** On a REFOLD row: the sources of the cycles the asset holds, which its refold leaves out of the history. */
  public java.util.List<String> getHeldSources() {
    return heldSources;
  }

  public void setHeldSources(java.util.List<String> v) {
    heldSources = v;
  }
}
