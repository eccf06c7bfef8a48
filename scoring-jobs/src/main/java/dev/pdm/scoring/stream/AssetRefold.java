package dev.pdm.scoring.stream;

import java.io.Serializable;

/**
 * One row of ops.asset_refolds, typed: an asset's state folded again from its silver history
 * ({@link AssetProcessor#refold}), which the scoring query reads back as a source and the asset's
 * state takes before its new cycles are folded ({@link AssetRefolds}).
 */
public final class AssetRefold implements Serializable {
  private String dataset;
  private String assetId;
  private long batchId;
  private int historyCycles;
  private Integer featureSetVersion;
  private AssetState state;
  private AssetClock clock;

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

  public long getBatchId() {
    return batchId;
  }

  public void setBatchId(long v) {
    batchId = v;
  }

  public int getHistoryCycles() {
    return historyCycles;
  }

  public void setHistoryCycles(int v) {
    historyCycles = v;
  }

  /** The feature set the state was folded under (null in rows written before pdm recorded it). */
  public Integer getFeatureSetVersion() {
    return featureSetVersion;
  }

  public void setFeatureSetVersion(Integer v) {
    featureSetVersion = v;
  }

  public AssetState getState() {
    return state;
  }

  public void setState(AssetState v) {
    state = v;
  }

  public AssetClock getClock() {
    return clock;
  }

  public void setClock(AssetClock v) {
    clock = v;
  }
}
