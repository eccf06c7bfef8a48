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
 *
 * <p>On a time fleet ({@link FeatureSpec#timed()}) the cycle is the reading's tick: a window of
 * {@code w} ticks holds the readings of the last {@code w} ticks, however many arrived (a gap
 * leaves fewer, never older ones), the slope is per second, and the weighted mean decays by
 * {@code (1 - alpha)} per tick elapsed, so a reading after a gap weighs more.
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
    /** A time fleet's: the tick of each ring slot, and the asset's first tick (0 before any). */
    double[][] ticks;
    int firstCycle;

    State(int sensors, int maxWindow, int regimes, boolean timed) {
      ring = new double[sensors][maxWindow];
      ticks = timed ? new double[sensors][maxWindow] : null;
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

    /**
     * This state as a bean of flat arrays (see {@link FeatureState}). A time fleet's ring holds
     * the values, then the ticks, then the first tick: the bean keeps one shape for both clocks.
     */
    public FeatureState toBean() {
      FeatureState b = new FeatureState();
      int window = ring.length == 0 ? 0 : ring[0].length;
      int values = ring.length * window;
      double[] flat = new double[ticks == null ? values : 2 * values + 1];
      for (int s = 0; s < ring.length; s++) {
        System.arraycopy(ring[s], 0, flat, s * window, window);
        if (ticks != null) {
          System.arraycopy(ticks[s], 0, flat, values + s * window, window);
        }
      }
      if (ticks != null) {
        flat[2 * values] = firstCycle;
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
    int values = sensors * window;
    if (b.getRing() == null || b.getRing().length != (spec.timed() ? 2 * values + 1 : values)
        || b.getCount().length != sensors
        || b.getRegimeCycles().length != s.regimeCycles.length) {
      throw new IllegalStateException("the stored feature state does not fit feature set " + spec.sensors()
          + " with windows up to " + window + " and " + s.regimeCycles.length + " regimes");
    }
    for (int i = 0; i < sensors; i++) {
      System.arraycopy(b.getRing(), i * window, s.ring[i], 0, window);
      if (spec.timed()) {
        System.arraycopy(b.getRing(), values + i * window, s.ticks[i], 0, window);
      }
    }
    if (spec.timed()) {
      s.firstCycle = (int) b.getRing()[2 * values];
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
    return new State(spec.sensors().size(), spec.maxWindow(), spec.regimes(), spec.timed());
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
    if (state.firstCycle == 0) {
      state.firstCycle = cycle;
    }
    boolean timed = spec.timed();
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
      int slot = (int) (state.count[s] % maxWindow);
      double elapsed = 1;
      if (timed) {
        elapsed = state.count[s] == 0 ? 0 : cycle - state.ticks[s][slot == 0 ? maxWindow - 1 : slot - 1];
        state.ticks[s][slot] = cycle;
      }
      state.ring[s][slot] = value;
      state.count[s]++;
      double alpha = timed ? 1 - Math.pow(1 - spec.ewmAlpha(), elapsed) : spec.ewmAlpha();
      state.ewm[s] = state.count[s] == 1 ? value : alpha * value + (1 - alpha) * state.ewm[s];
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
    out[base++] = imputedSensors;
    if (timed) {
      out[base++] = spec.rulUnits(cycle - state.firstCycle);
    }
    if (spec.regimes() > 1) {
      state.regimeCycles[regime]++;
      for (int r = 0; r < spec.regimes(); r++) {
        out[base + r] = state.regimeCycles[r];
      }
    }
    return out;
  }

  /**
   * The spec's statistics over every window, written from {@code at}; returns the next slot. One
   * pass from the newest value back to the oldest of the largest window serves every window. A
   * value's age is its distance from the newest in positions: a cycle fleet's count of values, a
   * time fleet's ticks. A window of w positions closes at the first value at least w old (or when
   * the values run out: an asset younger than the window), so on a time fleet a gap leaves a
   * window fewer values, never older ones; the ring holds the largest window whole, as ticks are
   * distinct. Sums are of differences from the newest value, which keeps the variance exact for
   * readings like 9046.19 that move by hundredths. The slope is the least-squares slope per cycle
   * (per second on a time fleet), from the covariance of the values with their age.
   */
  private int windows(State state, int s, double[] out, int at) {
    double[] ring = state.ring[s];
    double[] ticks = state.ticks == null ? null : state.ticks[s];
    int size = ring.length;
    long available = Math.min(size, state.count[s]);
    // walked back from the newest slot with a wrap instead of a long division per value
    int newestAt = (int) ((state.count[s] - 1) % size);
    double ref = ring[newestAt];
    double now = ticks == null ? 0 : ticks[newestAt];
    double positionSeconds = ticks == null ? 1 : spec.tickMillis() / 1000d;
    double sum = 0;
    double sumSq = 0;
    // a cycle fleet's ages are 0..n-1: their sums come in closed form when a window closes
    double sumAge = 0;
    double sumAgeSq = 0;
    double sumAgeD = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int[] windows = spec.windows();
    int w = 0;
    int k = at;
    int slot = newestAt;
    int n = 0;
    for (; n < available; n++) {
      double age = ticks == null ? n : now - ticks[slot];
      while (w < windows.length && age >= windows[w]) {
        k = emit(out, k, n, ref, sum, sumSq, sumAge, sumAgeSq, sumAgeD, min, max, positionSeconds, ticks == null);
        w++;
      }
      if (w == windows.length) {
        return k;
      }
      double v = ring[slot];
      slot = slot == 0 ? size - 1 : slot - 1;
      double d = v - ref;
      sum += d;
      sumSq += d * d;
      sumAgeD += age * d;
      if (ticks != null) {
        sumAge += age;
        sumAgeSq += age * age;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    for (; w < windows.length; w++) {
      k = emit(out, k, n, ref, sum, sumSq, sumAge, sumAgeSq, sumAgeD, min, max, positionSeconds, ticks == null);
    }
    return k;
  }

  /**
   * @param positionSeconds seconds per position (1 on a cycle fleet: the slope stays per cycle)
   * @param consecutive the ages are 0..n-1 (a cycle fleet): their sums are computed here
   */
  private int emit(double[] out, int k, int n, double ref, double sum, double sumSq, double sumAge, double sumAgeSq,
      double sumAgeD, double min, double max, double positionSeconds, boolean consecutive) {
    if (consecutive) {
      sumAge = n * (n - 1) / 2.0;
      sumAgeSq = (n - 1) * n * (2.0 * n - 1) / 6.0;
    }
    double ageVariance = sumAgeSq - sumAge * sumAge / n;
    for (FeatureSpec.Statistic stat : statistics) {
      out[k++] = switch (stat) {
        case MEAN -> ref + sum / n;
        case STD -> n > 1 ? Math.sqrt(Math.max(0, sumSq - sum * sum / n) / (n - 1)) : 0;
        case MIN -> min;
        case MAX -> max;
        // older values have larger ages: the slope per cycle is minus the slope against age
        case SLOPE -> ageVariance == 0 ? 0 : -(sumAgeD - sumAge * sum / n) / ageVariance / positionSeconds;
      };
    }
    return k;
  }
}
