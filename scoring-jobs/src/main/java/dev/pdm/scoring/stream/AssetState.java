package dev.pdm.scoring.stream;

import java.io.Serializable;

/**
 * What the scoring query keeps per asset in Spark's state store, by schema (a bean of primitive
 * arrays and nested beans, never Java serialization): the feature state, the cycles held for a
 * missing one, the readings hashes of the last {@code recent} cycles (to tell a duplicate from a
 * conflict without reading silver), the anomaly run and the alert level, and what a warehouse held
 * before this checkpoint began ({@code landedThrough}, {@code predictedThrough}).
 */
public final class AssetState implements Serializable {
  private dev.pdm.features.FeatureState features;
  private java.util.List<HeldCycle> held;
  private int[] recentCycles;
  private long[] recentHashes;
  private java.util.List<String> recentSources;
  private int scoredCycle;
  private String riskLevel;
  private String alertedLevel;
  private int anomalyStreak;
  private long flushedWindow;
  private boolean dirty;
  private int landedThrough;
  private int predictedThrough;

  public dev.pdm.features.FeatureState getFeatures() {
    return features;
  }

  public void setFeatures(dev.pdm.features.FeatureState v) {
    features = v;
  }

  public java.util.List<HeldCycle> getHeld() {
    return held;
  }

  public void setHeld(java.util.List<HeldCycle> v) {
    held = v;
  }

  public int[] getRecentCycles() {
    return recentCycles;
  }

  public void setRecentCycles(int[] v) {
    recentCycles = v;
  }

  public long[] getRecentHashes() {
    return recentHashes;
  }

  public void setRecentHashes(long[] v) {
    recentHashes = v;
  }

  public java.util.List<String> getRecentSources() {
    return recentSources;
  }

  public void setRecentSources(java.util.List<String> v) {
    recentSources = v;
  }

  public int getScoredCycle() {
    return scoredCycle;
  }

  public void setScoredCycle(int v) {
    scoredCycle = v;
  }

  public String getRiskLevel() {
    return riskLevel;
  }

  public void setRiskLevel(String v) {
    riskLevel = v;
  }

  public String getAlertedLevel() {
    return alertedLevel;
  }

  public void setAlertedLevel(String v) {
    alertedLevel = v;
  }

  public int getAnomalyStreak() {
    return anomalyStreak;
  }

  public void setAnomalyStreak(int v) {
    anomalyStreak = v;
  }

  public long getFlushedWindow() {
    return flushedWindow;
  }

  public void setFlushedWindow(long v) {
    flushedWindow = v;
  }

  public boolean isDirty() {
    return dirty;
  }

  public void setDirty(boolean v) {
    dirty = v;
  }

  public int getLandedThrough() {
    return landedThrough;
  }

  public void setLandedThrough(int v) {
    landedThrough = v;
  }

  public int getPredictedThrough() {
    return predictedThrough;
  }

  public void setPredictedThrough(int v) {
    predictedThrough = v;
  }
}
