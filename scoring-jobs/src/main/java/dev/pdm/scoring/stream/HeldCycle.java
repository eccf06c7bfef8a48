package dev.pdm.scoring.stream;

import java.io.Serializable;

/** A landed cycle waiting in an asset's state for a missing earlier one (see the lateness allowance). */
public final class HeldCycle implements Serializable {
  private int cycle;
  private java.sql.Timestamp eventTime;
  private java.sql.Timestamp kafkaTimestamp;
  private double[] readings;
  private long hash;
  private String source;

  public int getCycle() {
    return cycle;
  }

  public void setCycle(int v) {
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

  public double[] getReadings() {
    return readings;
  }

  public void setReadings(double[] v) {
    readings = v;
  }

  public long getHash() {
    return hash;
  }

  public void setHash(long v) {
    hash = v;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String v) {
    source = v;
  }
}
