package dev.pdm.features;

import java.io.Serializable;

/**
 * A {@link FeatureCalculator.State} as a Java bean of primitive arrays, for state stores that keep
 * state by schema ({@code Encoders.bean}), never by Java serialization: a checkpoint written by
 * one build of pdm is read by the next as long as these properties keep their names and types.
 * The ring buffers are flattened, sensor-major ({@code ring[s * maxWindow + i]}).
 */
public final class FeatureState implements Serializable {
  private double[] ring;
  private long[] count;
  private double[] ewm;
  private double[] last;
  private double[] baselineSum;
  private int[] baselineCount;
  private long[] regimeCycles;
  private int lastCycle;

  public double[] getRing() {
    return ring;
  }

  public void setRing(double[] v) {
    ring = v;
  }

  public long[] getCount() {
    return count;
  }

  public void setCount(long[] v) {
    count = v;
  }

  public double[] getEwm() {
    return ewm;
  }

  public void setEwm(double[] v) {
    ewm = v;
  }

  public double[] getLast() {
    return last;
  }

  public void setLast(double[] v) {
    last = v;
  }

  public double[] getBaselineSum() {
    return baselineSum;
  }

  public void setBaselineSum(double[] v) {
    baselineSum = v;
  }

  public int[] getBaselineCount() {
    return baselineCount;
  }

  public void setBaselineCount(int[] v) {
    baselineCount = v;
  }

  public long[] getRegimeCycles() {
    return regimeCycles;
  }

  public void setRegimeCycles(long[] v) {
    regimeCycles = v;
  }

  public int getLastCycle() {
    return lastCycle;
  }

  public void setLastCycle(int v) {
    lastCycle = v;
  }
}
