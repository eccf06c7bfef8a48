package dev.pdm.ingest.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.ingest.TelemetryParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

  private static List<String> series(FleetSimulator sim, int unit) {
    FleetSimulator.Asset a = sim.asset(unit);
    List<String> lines = new ArrayList<>();
    while (a.hasNext(a.failureCycle())) {
      double[] r = a.next();
      lines.add(FleetSimulator.cmapssLine(unit, a.cycle(), r));
    }
    return lines;
  }

  @Test
  void sameSeedSameFleetWhateverTheOrder() {
    FleetSimulator sim = new FleetSimulator(7, 6, 2);
    List<String> unit3 = series(sim, 3);
    series(sim, 1);
    assertEquals(unit3, series(new FleetSimulator(7, 6, 2), 3));
    assertNotEquals(unit3, series(new FleetSimulator(8, 6, 2), 3));
  }

  @Test
  void everyRowIsValidTelemetryOfTheCmapssProfile() {
    TelemetryParser parser = new TelemetryParser(DatasetProfile.load("builtin:cmapss"));
    FleetSimulator sim = new FleetSimulator(42, 6, 2);
    Set<Double> altitudes = new HashSet<>();
    for (int unit = 1; unit <= 40; unit++) {
      FleetSimulator.Asset a = sim.asset(unit);
      assertTrue(a.failureCycle() >= 128 && a.failureCycle() <= 400, "failure cycle " + a.failureCycle());
      assertTrue(a.testLastCycle() < a.failureCycle());
      for (String line : series(sim, unit)) {
        TelemetryParser.Parsed p = parser.parseCmapss(line, "SIM", "train");
        assertNull(p.reason, () -> p.message + ": " + line);
        altitudes.add(Math.rint(p.readings[0]) + 0.0); // + 0.0 folds -0.0 into 0.0
      }
    }
    assertEquals(6, altitudes.size(), "six operating regimes: " + altitudes);
  }

  @Test
  void sensorsDegradeTowardsFailure() {
    FleetSimulator sim = new FleetSimulator(1, 1, 1);
    double early = 0;
    double late = 0;
    int assets = 20;
    for (int unit = 1; unit <= assets; unit++) {
      FleetSimulator.Asset a = sim.asset(unit);
      List<double[]> rows = new ArrayList<>();
      while (a.hasNext(a.failureCycle())) {
        rows.add(a.next());
      }
      for (int i = 0; i < 10; i++) {
        early += rows.get(i)[3 + 3] / (10.0 * assets);                  // s4 at the start
        late += rows.get(rows.size() - 1 - i)[3 + 3] / (10.0 * assets); // s4 before failure
      }
    }
    assertTrue(late - early > 15, "s4 (LPT outlet temperature) rises by " + (late - early));
  }
}
