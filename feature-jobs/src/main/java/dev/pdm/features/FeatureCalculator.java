package dev.pdm.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The one feature definition, for batch and stream alike: an asset's features at cycle c from its
 * readings up to c, computed incrementally from a small per-asset {@link State} (O(rows) over a
 * fleet; the state is bounded by the largest window). The batch job folds each asset's rows in
 * cycle order through it; the stream scorer keeps the State in Spark's state store and folds each
 * new cycle, so both paths run this code and nothing else.
 *
 * <p>A missing (null) reading is carried forward from the asset's last value, and the row's
 * {@code imputed_sensors} counts the sensors carried forward in it; before
 * the first value of a sensor its features are null (NaN here). Window statistics use the cycles
 * available when the asset is younger than the window.
 */
public final class FeatureCalculator implements Serializable {

  /** Per-asset state: the last {@code maxWindow} values of each sensor and running aggregates. */
  public static final class State implements Serializable {
    /** Ring buffer per sensor, newest at {@code (count - 1) % maxWindow}. */
    double[][] ring;
    /** Values seen per sensor (after carry-forward), and cycles seen by the asset. */
    long[] count;
    double[] ewm;
    double[] last;
    double[] baselineSum;
    int[] baselineCount;
    long[] regimeCycles;
    int lastCycle;

    State(int sensors, int maxWindow, int regimes) {
      ring = new double[sensors][maxWindow];
      count = new long[sensors];
      ewm = new double[sensors];
      last = new double[sensors];
      Arrays.fill(last, Double.NaN);
      baselineSum = new double[sensors];
      baselineCount = new int[sensors];
      regimeCycles = new long[regimes];
    }

    public int lastCycle() {
      return lastCycle;
    }

    /** This state as a bean of flat arrays (see {@link FeatureState}). */
    public FeatureState toBean() {
      FeatureState b = new FeatureState();
      int window = ring.length == 0 ? 0 : ring[0].length;
      double[] flat = new double[ring.length * window];
      for (int s = 0; s < ring.length; s++) {
        System.arraycopy(ring[s], 0, flat, s * window, window);
      }
      b.setRing(flat);
      b.setCount(count.clone());
      b.setEwm(ewm.clone());
      b.setLast(last.clone());
      b.setBaselineSum(baselineSum.clone());
      b.setBaselineCount(baselineCount.clone());
      b.setRegimeCycles(regimeCycles.clone());
      b.setLastCycle(lastCycle);
      return b;
    }
  }

  /**
   * The state a bean holds, checked against this calculator's spec: a bean of another shape (a
   * checkpoint of another feature set) is refused rather than folded into wrong features.
   */
  public State fromBean(FeatureState b) {
    State s = newState();
    int sensors = s.ring.length;
    int window = spec.maxWindow();
    if (b.getRing() == null || b.getRing().length != sensors * window || b.getCount().length != sensors
        || b.getRegimeCycles().length != s.regimeCycles.length) {
      throw new IllegalStateException("the stored feature state does not fit feature set " + spec.sensors()
          + " with windows up to " + window + " and " + s.regimeCycles.length + " regimes");
    }
    for (int i = 0; i < sensors; i++) {
      System.arraycopy(b.getRing(), i * window, s.ring[i], 0, window);
    }
    s.count = b.getCount().clone();
    s.ewm = b.getEwm().clone();
    s.last = b.getLast().clone();
    s.baselineSum = b.getBaselineSum().clone();
    s.baselineCount = b.getBaselineCount().clone();
    s.regimeCycles = b.getRegimeCycles().clone();
    s.lastCycle = b.getLastCycle();
    return s;
  }

  private final FeatureSpec spec;
  private final int width;
  private final FeatureSpec.Statistic[] statistics;

  public FeatureCalculator(FeatureSpec spec) {
    this.spec = spec;
    this.width = spec.featureNames().size();
    this.statistics = spec.statistics().toArray(FeatureSpec.Statistic[]::new);
  }

  public FeatureSpec spec() {
    return spec;
  }

  public State newState() {
    return new State(spec.sensors().size(), spec.maxWindow(), spec.regimes());
  }

  /**
   * Folds the next cycle of an asset into {@code state} and returns its features, in the order of
   * {@link FeatureSpec#featureNames()}; NaN where a feature is undefined yet.
   *
   * @param readings sensor values in the order of {@link FeatureSpec#sensors()}, NaN if missing
   * @param regime operating regime of this cycle, 0-based (0 for single-regime fleets)
   */
  public double[] next(State state, int cycle, double[] readings, int regime) {
    return next(state, cycle, readings, regime, true);
  }

  /**
   * The same; with {@code withStatistics} false the window statistics are left NaN (the state is
   * folded the same): for cycles only passed through on the way to a later one, whose window
   * statistics nobody reads (predict scores an asset's last cycle; the earlier ones count only
   * for the anomaly run, which reads values and baseline distances).
   */
  public double[] next(State state, int cycle, double[] readings, int regime, boolean withStatistics) {
    if (cycle <= state.lastCycle) {
      throw new IllegalArgumentException(
          "cycles must be folded in increasing order: " + cycle + " after " + state.lastCycle);
    }
    state.lastCycle = cycle;
    int per = spec.perSensor();
    double[] out = new double[width];
    int maxWindow = spec.maxWindow();
    int imputedSensors = 0;
    for (int s = 0; s < readings.length; s++) {
      int base = s * per;
      double reading = readings[s];
      boolean imputed = Double.isNaN(reading);
      double value = imputed ? state.last[s] : reading;
      if (imputed) {
        imputedSensors++;
      }
      if (Double.isNaN(value)) {
        Arrays.fill(out, base, base + per, Double.NaN);
        continue;
      }
      double previous = state.last[s];
      state.ring[s][(int) (state.count[s] % maxWindow)] = value;
      state.count[s]++;
      state.ewm[s] = state.count[s] == 1 ? value : spec.ewmAlpha() * value + (1 - spec.ewmAlpha()) * state.ewm[s];
      state.last[s] = value;
      if (state.baselineCount[s] < spec.baselineCycles()) {
        state.baselineSum[s] += value;
        state.baselineCount[s]++;
      }
      out[base] = value;
      int k;
      if (withStatistics) {
        k = windows(state, s, out, base + 1);
      } else {
        k = base + 1 + spec.windows().length * statistics.length;
        Arrays.fill(out, base + 1, k, Double.NaN);
      }
      out[k++] = state.ewm[s];
      out[k++] = Double.isNaN(previous) ? 0 : value - previous;
      out[k] = state.ewm[s] - state.baselineSum[s] / state.baselineCount[s];
    }
    int base = readings.length * per;
    out[base] = imputedSensors;
    if (spec.regimes() > 1) {
      state.regimeCycles[regime]++;
      for (int r = 0; r < spec.regimes(); r++) {
        out[base + 1 + r] = state.regimeCycles[r];
      }
    }
    return out;
  }

  /**
   * The spec's statistics over every window, written from {@code at}; returns the next slot. One
   * pass from the newest value back to the oldest of the largest window serves every window: a
   * window of w cycles (fewer while the asset is younger) is complete when the pass has seen its
   * n values. Sums are of differences from the newest value, which keeps the variance exact for
   * readings like 9046.19 that move by hundredths. The slope is the least-squares slope per
   * cycle, from the covariance of the values with their age.
   */
  private int windows(State state, int s, double[] out, int at) {
    double[] ring = state.ring[s];
    int size = ring.length;
    long available = Math.min(size, state.count[s]);
    // walked back from the newest slot with a wrap instead of a long division per value
    int newestAt = (int) ((state.count[s] - 1) % size);
    double ref = ring[newestAt];
    double sum = 0;
    double sumSq = 0;
    double sumAgeD = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int[] windows = spec.windows();
    int w = 0;
    int k = at;
    int slot = newestAt;
    for (int age = 0; age < available && w < windows.length; age++) {
      double v = ring[slot];
      slot = slot == 0 ? size - 1 : slot - 1;
      double d = v - ref;
      sum += d;
      sumSq += d * d;
      sumAgeD += age * d;
      min = Math.min(min, v);
      max = Math.max(max, v);
      int n = age + 1;
      while (w < windows.length && Math.min(windows[w], available) == n) {
        k = emit(out, k, n, ref, sum, sumSq, sumAgeD, min, max);
        w++;
      }
    }
    return k;
  }

  private int emit(double[] out, int k, int n, double ref, double sum, double sumSq, double sumAgeD, double min,
      double max) {
    double sumAge = n * (n - 1) / 2.0;
    double sumAgeSq = (n - 1) * n * (2.0 * n - 1) / 6.0;
    double ageVariance = sumAgeSq - sumAge * sumAge / n;
    for (FeatureSpec.Statistic stat : statistics) {
      out[k++] = switch (stat) {
        case MEAN -> ref + sum / n;
        case STD -> n > 1 ? Math.sqrt(Math.max(0, sumSq - sum * sum / n) / (n - 1)) : 0;
        case MIN -> min;
        case MAX -> max;
        // older values have larger ages: the slope per cycle is minus the slope against age
        case SLOPE -> ageVariance == 0 ? 0 : -(sumAgeD - sumAge * sum / n) / ageVariance;
      };
    }
    return k;
  }
}
