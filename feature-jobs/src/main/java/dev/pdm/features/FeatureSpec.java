package dev.pdm.features;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link FeatureCalculator} computes for each sensor: rolling mean, standard deviation, min,
 * max and least-squares slope over the last {@code w} cycles for every window, an exponentially
 * weighted mean, the change from the previous cycle, and the distance of the smoothed value from
 * the asset's early-life baseline (mean of its first {@code baselineCycles} cycles); plus, for
 * multi-regime fleets, the cycles spent so far in each regime.
 *
 * @param sensors sensor columns, in order
 * @param windows rolling windows in cycles, ascending, e.g. 5, 10, 20, 30
 * @param ewmAlpha weight of the newest value in the exponentially weighted mean, in (0, 1]
 * @param baselineCycles early-life cycles that define an asset's baseline
 * @param regimes operating regimes (1: no regime columns)
 */
public record FeatureSpec(List<String> sensors, int[] windows, double ewmAlpha, int baselineCycles, int regimes)
    implements Serializable {

  public FeatureSpec {
    sensors = List.copyOf(sensors);
    windows = windows.clone();
    if (windows.length == 0 || Arrays.stream(windows).anyMatch(w -> w < 2)) {
      throw new IllegalArgumentException("windows must be at least 2 cycles: " + Arrays.toString(windows));
    }
    Arrays.sort(windows);
    if (!(ewmAlpha > 0 && ewmAlpha <= 1)) {
      throw new IllegalArgumentException("ewm alpha must be in (0, 1]: " + ewmAlpha);
    }
    if (baselineCycles < 1 || regimes < 1) {
      throw new IllegalArgumentException("baseline cycles and regimes must be >= 1");
    }
  }

  public int maxWindow() {
    return windows[windows.length - 1];
  }

  /** Names of the features, in the order {@link FeatureCalculator#next} fills them. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>();
    for (String s : sensors) {
      names.add(s);
      names.add(s + "_imputed");
      for (int w : windows) {
        names.add(s + "_mean_" + w);
        names.add(s + "_std_" + w);
        names.add(s + "_min_" + w);
        names.add(s + "_max_" + w);
        names.add(s + "_slope_" + w);
      }
      names.add(s + "_ewm");
      names.add(s + "_delta");
      names.add(s + "_baseline_dist");
    }
    if (regimes > 1) {
      for (int r = 0; r < regimes; r++) {
        names.add("regime_" + r + "_cycles");
      }
    }
    return names;
  }

  /** Features per sensor: value, imputed flag, 5 per window, ewm, delta, baseline distance. */
  int perSensor() {
    return 5 + 5 * windows.length;
  }
}
