package dev.pdm.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureCalculatorTest {

  private static final FeatureSpec SPEC = FeatureSpec.of(List.of("s2", "s3"), new int[] {3, 2}, 0.5, 2, 1);
  private final FeatureCalculator calc = new FeatureCalculator(SPEC);

  private double feature(double[] out, String name) {
    return out[SPEC.featureNames().indexOf(name)];
  }

  @Test
  void namesFollowTheSpec() {
    assertEquals(List.of("s2", "s2_mean_2", "s2_std_2", "s2_min_2", "s2_max_2", "s2_slope_2",
        "s2_mean_3", "s2_std_3", "s2_min_3", "s2_max_3", "s2_slope_3", "s2_ewm", "s2_delta", "s2_baseline_dist"),
        SPEC.featureNames().subList(0, 14));
    assertEquals(29, SPEC.featureNames().size());
    assertEquals("imputed_sensors", SPEC.featureNames().get(28));
  }

  @Test
  void rollingStatisticsByHand() {
    FeatureCalculator.State st = calc.newState();
    calc.next(st, 1, new double[] {1.0, 10.0}, 0);
    double[] c2 = calc.next(st, 2, new double[] {3.0, 10.0}, 0);
    double[] c3 = calc.next(st, 3, new double[] {8.0, 10.0}, 0);
    double[] c4 = calc.next(st, 4, new double[] {2.0, 10.0}, 0);

    assertEquals(2.0, feature(c2, "s2_mean_3"), 1e-12, "a window longer than the history uses what there is");
    assertEquals(Math.sqrt(2), feature(c2, "s2_std_3"), 1e-12);
    assertEquals(4.0, feature(c3, "s2_mean_3"), 1e-12);
    assertEquals(Math.sqrt(13), feature(c3, "s2_std_3"), 1e-12);     // (1,3,8): deviations -3,-1,4
    assertEquals(3.5, feature(c3, "s2_slope_3"), 1e-12);              // least squares through (0,1),(1,3),(2,8)
    assertEquals(13.0 / 3, feature(c4, "s2_mean_3"), 1e-12);          // (3,8,2)
    assertEquals(2.0, feature(c4, "s2_min_3"), 0);
    assertEquals(8.0, feature(c4, "s2_max_3"), 0);
    assertEquals(-0.5, feature(c4, "s2_slope_3"), 1e-12);
    assertEquals(5.0, feature(c4, "s2_mean_2"), 1e-12);
    assertEquals(-6.0, feature(c4, "s2_slope_2"), 1e-12);
    assertEquals(-6.0, feature(c4, "s2_delta"), 1e-12);
    // ewm with alpha 0.5: 1 -> 2 -> 5 -> 3.5; baseline = mean of the first 2 cycles = 2
    assertEquals(3.5, feature(c4, "s2_ewm"), 1e-12);
    assertEquals(1.5, feature(c4, "s2_baseline_dist"), 1e-12);
    assertEquals(0.0, feature(c4, "s3_std_3"), 0);
    assertEquals(0.0, feature(c4, "s3_slope_3"), 0);
  }

  @Test
  void cyclesPassedWithoutStatisticsFoldTheSameState() {
    FeatureCalculator.State full = calc.newState();
    FeatureCalculator.State passed = calc.newState();
    double[][] readings = {{1.0, 10.0}, {3.0, Double.NaN}, {8.0, 11.0}, {2.0, 10.5}, {4.0, 9.0}};
    for (int c = 1; c < readings.length; c++) {
      double[] all = calc.next(full, c, readings[c - 1], 0);
      double[] some = calc.next(passed, c, readings[c - 1], 0, false);
      for (String name : SPEC.featureNames()) {
        boolean window = name.matches(".*_(mean|std|min|max|slope)_\\d+");
        double expected = window ? Double.NaN : feature(all, name);
        assertEquals(expected, feature(some, name), 0, "cycle " + c + " " + name);
      }
    }
    // the last cycle, with its statistics, is the one a full fold gives
    assertArrayEquals(calc.next(full, 5, readings[4], 0), calc.next(passed, 5, readings[4], 0, true));
  }

  @Test
  void missingReadingsAreCarriedForwardAndFlagged() {
    FeatureCalculator.State st = calc.newState();
    double[] first = calc.next(st, 1, new double[] {Double.NaN, 10.0}, 0);
    assertTrue(Double.isNaN(feature(first, "s2_mean_3")), "nothing to carry yet");
    assertEquals(1.0, feature(first, "imputed_sensors"));
    calc.next(st, 2, new double[] {4.0, 10.0}, 0);
    double[] third = calc.next(st, 3, new double[] {Double.NaN, 12.0}, 0);
    assertEquals(4.0, feature(third, "s2"));
    assertEquals(1.0, feature(third, "imputed_sensors"));
    assertEquals(0.0, feature(third, "s2_delta"));
    double[] both = calc.next(st, 4, new double[] {Double.NaN, Double.NaN}, 0);
    assertEquals(2.0, feature(both, "imputed_sensors"));
    assertEquals(12.0, feature(both, "s3"));
  }

  @Test
  void regimeCyclesAndOrder() {
    FeatureSpec spec = FeatureSpec.of(List.of("s2"), new int[] {2}, 0.3, 5, 3);
    FeatureCalculator c = new FeatureCalculator(spec);
    FeatureCalculator.State st = c.newState();
    c.next(st, 1, new double[] {1.0}, 2);
    c.next(st, 2, new double[] {1.0}, 0);
    double[] out = c.next(st, 5, new double[] {1.0}, 2);
    int at = spec.featureNames().indexOf("regime_0_cycles");
    assertArrayEquals(new double[] {1, 0, 2}, java.util.Arrays.copyOfRange(out, at, at + 3));
    assertThrows(IllegalArgumentException.class, () -> c.next(st, 5, new double[] {1.0}, 0));
  }

  /** A stream folds cycles batch by batch with its state checkpointed in between: same features. */
  @Test
  void stateSurvivesSerialisationWithIdenticalResults() throws Exception {
    double[][] series = new double[40][];
    for (int i = 0; i < series.length; i++) {
      series[i] = new double[] {641 + Math.sin(i) * 0.4 + i * 0.01, i % 7 == 3 ? Double.NaN : 1590 + Math.cos(i)};
    }
    FeatureCalculator.State whole = calc.newState();
    FeatureCalculator.State parts = calc.newState();
    for (int i = 0; i < series.length; i++) {
      double[] expected = calc.next(whole, i + 1, series[i], 0);
      if (i % 9 == 0) {
        parts = roundTrip(parts);
      }
      assertArrayEquals(expected, calc.next(parts, i + 1, series[i], 0), 0.0);
    }
  }

  private static FeatureCalculator.State roundTrip(FeatureCalculator.State state) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(state);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (FeatureCalculator.State) in.readObject();
    }
  }
}
