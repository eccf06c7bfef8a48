package dev.pdm.scoring.stream;

import java.io.Serializable;

/**
 * One input record of the scoring query, typed: a Kafka event parsed (or rejected) by
 * {@link dev.pdm.ingest.TelemetryParser}, an operator's resolve of an asset's alerts, or an asset's
 * state folded again from silver ({@link AssetRefold}). Readings are primitive doubles in the
 * dataset profile's order, NaN where missing.
 */
public final class StreamInput implements Serializable {
  public static final String EVENT = "EVENT";
  public static final String RESOLVE = "RESOLVE";
  public static final String REFOLD = "REFOLD";

  private String kind;
  private String dataset;
  private String assetId;
  private Integer cycle;
  private java.sql.Timestamp eventTime;
  private double[] readings;
  private String reasonCode;
  private String reason;
  private String topic;
  private Integer kafkaPartition;
  private Long kafkaOffset;
  private java.sql.Timestamp kafkaTimestamp;
  private String payload;
  private AssetState refoldState;
  private AssetClock refoldClock;
  private Integer refoldFeatureSet;

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

  public double[] getReadings() {
    return readings;
  }

  public void setReadings(double[] v) {
    readings = v;
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

  public java.sql.Timestamp getKafkaTimestamp() {
    return kafkaTimestamp;
  }

  public void setKafkaTimestamp(java.sql.Timestamp v) {
    kafkaTimestamp = v;
  }

  public String getPayload() {
    return payload;
  }

  public void setPayload(String v) {
    payload = v;
  }

  public AssetState getRefoldState() {
    return refoldState;
  }

  public void setRefoldState(AssetState v) {
    refoldState = v;
  }

  public AssetClock getRefoldClock() {
    return refoldClock;
  }

  public void setRefoldClock(AssetClock v) {
    refoldClock = v;
  }

  /** A refold's feature-set version (null: written before pdm recorded it). */
  public Integer getRefoldFeatureSet() {
    return refoldFeatureSet;
  }

  public void setRefoldFeatureSet(Integer v) {
    refoldFeatureSet = v;
  }
}
