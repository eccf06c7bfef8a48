package dev.pdm.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A time fleet's features: windows that span durations, slopes per second, decay by elapsed time, labels in hours. */
class TimeWindowsTest {

  /** Ticks of 10 s; windows of 30 s and 1 min (3 and 6 ticks). */
  private static final FeatureSpec SPEC = new FeatureSpec(List.of("v"), new int[] {3, 6},
      EnumSet.allOf(FeatureSpec.Statistic.class), 0.5, 2, 1, 10_000);
  private final FeatureCalculator calc = new FeatureCalculator(SPEC);

  private static double feature(double[] out, String name) {
    int at = SPEC.featureNames().indexOf(name);
    assertTrue(at >= 0, name);
    return out[at];
  }

  @Test
  void windowsAreNamedByDurationAndAgeFollowsImputedSensors() {
    assertEquals(List.of("v", "v_mean_30s", "v_std_30s", "v_min_30s", "v_max_30s", "v_slope_30s", "v_mean_1m",
        "v_std_1m", "v_min_1m", "v_max_1m", "v_slope_1m", "v_ewm", "v_delta", "v_baseline_dist", "imputed_sensors",
        "age_hours"), SPEC.featureNames());
  }

  @Test
  void aGapLeavesAWindowFewerReadingsNeverOlderOnes() {
    FeatureCalculator.State st = calc.newState();
    calc.next(st, 100, new double[] {1}, 0);
    calc.next(st, 101, new double[] {2}, 0);
    calc.next(st, 102, new double[] {3}, 0);
    // ticks 103 and 104 are missing: the 30 s window at 105 spans ticks 103-105, this reading alone
    double[] after = calc.next(st, 105, new double[] {9}, 0);
    assertEquals(9, feature(after, "v_mean_30s"), 0);
    assertEquals(0, feature(after, "v_std_30s"), 0);
    assertEquals(0, feature(after, "v_slope_30s"), 0);
    // the 1 min window spans ticks 100-105: all four readings, placed at their times
    assertEquals(15.0 / 4, feature(after, "v_mean_1m"), 1e-12);
    assertEquals(1, feature(after, "v_min_1m"), 0);
    // least squares through (0,1),(1,2),(2,3),(5,9) in ticks: 23/14 per tick, a tenth of it per second
    assertEquals(23.0 / 14 / 10, feature(after, "v_slope_1m"), 1e-12);
    assertEquals(5.0 * 10 / 3600, feature(after, "age_hours"), 1e-12);

    // a window's edge: a reading exactly 3 ticks old is outside the 30 s window, 2 ticks old inside
    double[] edge = calc.next(st, 107, new double[] {5}, 0);
    assertEquals(7, feature(edge, "v_mean_30s"), 1e-12, "ticks 105 and 107");
    double[] later = calc.next(st, 108, new double[] {5}, 0);
    assertEquals(5, feature(later, "v_mean_30s"), 1e-12, "tick 105 is 3 ticks old at 108");
    assertEquals(19.0 / 3, feature(later, "v_mean_1m"), 1e-12, "ticks 103-108: 9, 5 and 5 (tick 102 is 6 ticks old)");
  }

  @Test
  void theWeightedMeanDecaysWithElapsedTime() {
    FeatureCalculator.State st = calc.newState();
    calc.next(st, 1, new double[] {0}, 0);
    double[] next = calc.next(st, 2, new double[] {8}, 0);
    assertEquals(4, feature(next, "v_ewm"), 1e-12, "one tick: the newest reading weighs alpha = 0.5");
    double[] afterGap = calc.next(st, 4, new double[] {0}, 0);
    // two ticks: (1 - 0.5)^2 of the old mean stays
    assertEquals(1, feature(afterGap, "v_ewm"), 1e-12);
  }

  @Test
  void theStateRoundTripsThroughItsBeanAndRefusesAnotherClock() {
    FeatureCalculator.State st = calc.newState();
    calc.next(st, 50, new double[] {1}, 0);
    calc.next(st, 52, new double[] {4}, 0);
    FeatureCalculator.State copy = calc.fromBean(st.toBean());
    double[] a = calc.next(st, 53, new double[] {2}, 0);
    double[] b = calc.next(copy, 53, new double[] {2}, 0);
    assertEquals(List.of(), differences(a, b));
    FeatureCalculator cycles = new FeatureCalculator(new FeatureSpec(List.of("v"), new int[] {3, 6},
        EnumSet.allOf(FeatureSpec.Statistic.class), 0.5, 2, 1));
    assertThrows(IllegalStateException.class, () -> cycles.fromBean(st.toBean()));
  }

  private static List<Integer> differences(double[] a, double[] b) {
    List<Integer> out = new java.util.ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (Double.compare(a[i], b[i]) != 0) {
        out.add(i);
      }
    }
    return out;
  }

  @Test
  void configTakesDurationsOrTheProfiles() {
    DatasetProfile pumps = DatasetProfile.load("builtin:pumps");
    FeatureConfig defaults = FeatureConfig.from(PdmConfig.of(Map.of()), pumps);
    assertEquals(List.of(30, 180, 720), java.util.Arrays.stream(defaults.windows()).boxed().toList(),
        "the profile's 5m,30m,2h in ticks of 10 s");
    assertEquals(72, defaults.rulCap());
    assertEquals(24, defaults.horizon());
    assertEquals("5m,30m,2h", defaults.asMap().get("pdm.features.windows"));

    FeatureConfig own = FeatureConfig.from(PdmConfig.of(Map.of("pdm.features.windows", "30s,5m",
        "pdm.labels.rul-cap", "2d", "pdm.labels.horizon", "12h")), pumps);
    assertEquals(List.of(3, 30), java.util.Arrays.stream(own.windows()).boxed().toList());
    assertEquals(48, own.rulCap());
    assertEquals(12, own.horizon());

    var notMultiple = assertThrows(RuntimeException.class,
        () -> FeatureConfig.from(PdmConfig.of(Map.of("pdm.features.windows", "25s")), pumps));
    assertTrue(notMultiple.getMessage().contains("whole multiples of profile pumps's interval (10s)"),
        notMultiple.getMessage());
    var minutes = assertThrows(RuntimeException.class,
        () -> FeatureConfig.from(PdmConfig.of(Map.of("pdm.labels.horizon", "90m")), pumps));
    assertTrue(minutes.getMessage().contains("a whole number of hours"), minutes.getMessage());
    var durationsOnCycles = assertThrows(RuntimeException.class, () -> FeatureConfig.from(
        PdmConfig.of(Map.of("pdm.features.windows", "5m")), DatasetProfile.load("builtin:cmapss")));
    assertTrue(durationsOnCycles.getMessage().contains("durations are for clock=time fleets"),
        durationsOnCycles.getMessage());
  }
}
