package dev.pdm.features;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link FeatureCalculator} computes for each sensor: the (normalised) value; the chosen
 * rolling statistics over the last {@code w} cycles for every
 * window; an exponentially weighted mean; the change from the previous cycle; and the distance of
 * the smoothed value from the asset's early-life baseline (mean of its first
 * {@code baselineCycles} cycles). Then, per row, the number of sensors whose reading was missing
 * and carried forward ({@code imputed_sensors}), and for multi-regime fleets the cycles spent so
 * far in each regime.
 *
 * <p>A time fleet's spec has a tick ({@code tickMillis > 0}, the profile's interval): positions
 * are ticks, each window spans a duration ({@code w} ticks, named by its duration, e.g.
 * {@code vibration_rms_mean_5m}) whatever the number of readings in it, the slope is per second,
 * the weighted mean decays with elapsed time, and {@code age_hours} (time since the asset's first
 * reading) follows {@code imputed_sensors}.
 *
 * @param sensors sensor columns, in order
 * @param windows rolling windows in cycles (ticks on a time fleet), e.g. 5, 10, 20, 30 (sorted ascending here)
 * @param statistics rolling statistics computed for every window
 * @param ewmAlpha weight of the newest value in the exponentially weighted mean, in (0, 1]
 * @param baselineCycles early-life cycles that define an asset's baseline
 * @param regimes operating regimes (1: no regime columns)
 * @param tickMillis a time fleet's tick in milliseconds; 0 for a cycle fleet
 */
public record FeatureSpec(
    List<String> sensors, int[] windows, Set<Statistic> statistics, double ewmAlpha, int baselineCycles,
    int regimes, long tickMillis) implements Serializable {

  /** A rolling-window statistic. */
  public enum Statistic {
    MEAN, STD, MIN, MAX, SLOPE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public FeatureSpec {
    sensors = List.copyOf(sensors);
    windows = windows.clone();
    if (sensors.isEmpty()) {
      throw new IllegalArgumentException("a feature set needs at least one sensor");
    }
    if (windows.length == 0 || Arrays.stream(windows).anyMatch(w -> w < 2)) {
      throw new IllegalArgumentException("windows must be at least 2 cycles: " + Arrays.toString(windows));
    }
    Arrays.sort(windows);
    if (Arrays.stream(windows).distinct().count() != windows.length) {
      throw new IllegalArgumentException("windows must be distinct: " + Arrays.toString(windows));
    }
    statistics = statistics.isEmpty() ? EnumSet.noneOf(Statistic.class) : EnumSet.copyOf(statistics);
    if (!(ewmAlpha > 0 && ewmAlpha <= 1)) {
      throw new IllegalArgumentException("ewm alpha must be in (0, 1]: " + ewmAlpha);
    }
    if (baselineCycles < 1 || regimes < 1) {
      throw new IllegalArgumentException("baseline cycles and regimes must be >= 1");
    }
    if (tickMillis < 0) {
      throw new IllegalArgumentException("the tick must be positive, or 0 for a cycle fleet: " + tickMillis);
    }
  }

  /** A cycle fleet's spec. */
  public FeatureSpec(List<String> sensors, int[] windows, Set<Statistic> statistics, double ewmAlpha,
      int baselineCycles, int regimes) {
    this(sensors, windows, statistics, ewmAlpha, baselineCycles, regimes, 0);
  }

  /** Whether positions are a time fleet's ticks. */
  public boolean timed() {
    return tickMillis > 0;
  }

  /** How a window is named: its cycles, or a time fleet's duration. */
  public String windowLabel(int window) {
    return windowLabel(window, tickMillis);
  }

  /** {@link #windowLabel(int)} of a spec with this tick (0: a cycle fleet), as the config records windows. */
  static String windowLabel(int window, long tickMillis) {
    return tickMillis > 0 ? dev.pdm.common.config.Durations.format(window * tickMillis) : Integer.toString(window);
  }

  /** {@code cycles} positions in the RUL's unit: cycles, or a time fleet's ticks in hours. */
  public double rulUnits(long cycles) {
    return timed() ? cycles * (double) tickMillis / 3_600_000d : cycles;
  }

  /** All statistics: the spec of the unit tests and of a fully featured set. */
  public static FeatureSpec of(List<String> sensors, int[] windows, double ewmAlpha, int baselineCycles, int regimes) {
    return new FeatureSpec(sensors, windows, EnumSet.allOf(Statistic.class), ewmAlpha, baselineCycles, regimes);
  }

  public int maxWindow() {
    return windows[windows.length - 1];
  }

  /** Names of the features, in the order {@link FeatureCalculator#next} fills them. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>();
    for (String s : sensors) {
      names.add(s);
      for (int w : windows) {
        for (Statistic stat : statistics) {
          names.add(s + "_" + stat.label() + "_" + windowLabel(w));
        }
      }
      names.add(s + "_ewm");
      names.add(s + "_delta");
      names.add(s + "_baseline_dist");
    }
    names.add("imputed_sensors");
    if (timed()) {
      names.add("age_hours");
    }
    if (regimes > 1) {
      for (int r = 0; r < regimes; r++) {
        names.add("regime_" + r + "_cycles");
      }
    }
    return names;
  }

  /** Features per sensor: value, statistics per window, ewm, delta, baseline distance. */
  int perSensor() {
    return 4 + statistics.size() * windows.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSpec f && sensors.equals(f.sensors) && Arrays.equals(windows, f.windows)
        && statistics.equals(f.statistics) && Double.compare(ewmAlpha, f.ewmAlpha) == 0
        && baselineCycles == f.baselineCycles && regimes == f.regimes && tickMillis == f.tickMillis;
  }

  @Override
  public int hashCode() {
    return 31 * sensors.hashCode() + Arrays.hashCode(windows) + statistics.hashCode() + regimes;
  }

  @Override
  public String toString() {
    return "FeatureSpec[sensors=" + sensors + ", windows=" + Arrays.toString(windows) + ", statistics="
        + statistics + ", ewmAlpha=" + ewmAlpha + ", baselineCycles=" + baselineCycles + ", regimes=" + regimes
        + (timed() ? ", tickMillis=" + tickMillis : "") + "]";
  }
}
