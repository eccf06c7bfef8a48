package dev.pdm.ingest.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.ingest.TelemetryParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The pump fleet: reproducible, valid for its profile, timed by its interval, degrading to failure. */
class PumpSimulatorTest {

  private static final long MINUTE = 60_000L;

  /** A pump's run to failure: offset (ms from its start) and readings of each reading sent. */
  private record Reading(long offset, double[] values) {}

  private static List<Reading> series(PumpSimulator sim, int unit) {
    PumpSimulator.Pump p = sim.pump(unit);
    List<Reading> out = new ArrayList<>();
    while (p.hasNext(p.lifeMillis())) {
      double[] r = p.next();
      if (r != null) {
        out.add(new Reading(p.offsetMillis(), r));
      }
    }
    return out;
  }

  private static String text(List<Reading> series) {
    StringBuilder b = new StringBuilder();
    series.forEach(r -> b.append(r.offset()).append(java.util.Arrays.toString(r.values())).append('\n'));
    return b.toString();
  }

  @Test
  void sameSeedSamePumpWhateverTheOrder() {
    PumpSimulator sim = new PumpSimulator(7, 3, 2, 10 * MINUTE);
    String unit3 = text(series(sim, 3));
    series(sim, 1);
    assertEquals(unit3, text(series(new PumpSimulator(7, 3, 2, 10 * MINUTE), 3)));
    assertNotEquals(unit3, text(series(new PumpSimulator(8, 3, 2, 10 * MINUTE), 3)));
  }

  @Test
  void readingsComeEveryIntervalWithJitterAndRareGapsAndAreValidEventsOfThePumpsProfile() {
    TelemetryParser parser = new TelemetryParser(DatasetProfile.load("builtin:pumps"));
    PumpSimulator sim = new PumpSimulator(42, 4, 2, 10 * MINUTE);
    Set<Double> speeds = new TreeSet<>();
    int slots = 0;
    int sent = 0;
    for (int unit = 1; unit <= 20; unit++) {
      PumpSimulator.Pump p = sim.pump(unit);
      assertTrue(p.lifeMillis() >= 4 * 1440 * MINUTE && p.lifeMillis() <= 12 * 1440 * MINUTE, "life " + p.lifeMillis());
      assertTrue(p.testEndMillis() < p.lifeMillis());
      for (long slot = 0; p.hasNext(p.lifeMillis()); slot++) {
        double[] r = p.next();
        slots++;
        long offset = p.offsetMillis();
        assertTrue(offset >= slot * 10 * MINUTE && offset < slot * 10 * MINUTE + MINUTE / 2,
            "within 5% of its slot: " + offset + " for slot " + slot);
        if (r == null) {
          continue;
        }
        sent++;
        speeds.add(r[0]);
        String event = EventJson.event("PUMPS-train-" + unit, "PUMPS", null,
            Instant.parse("2026-01-01T00:00:00Z").plusMillis(offset), PumpFleet.READINGS, 1, box(r));
        TelemetryParser.Parsed parsed = parser.parseJson(event, "PUMPS");
        assertNull(parsed.reason, () -> parsed.message + ": " + event);
        // landing places the reading on the profile's 10 s clock: its tick since 2000-01-01, rounded
        assertEquals(Math.round((Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() + offset
            - Instant.parse("2000-01-01T00:00:00Z").toEpochMilli()) / 10_000d), parsed.cycle.longValue());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z").plusMillis(offset), parsed.eventTime.toInstant());
      }
    }
    assertEquals(Set.of(1475.0, 1800.0, 2400.0, 2950.0), speeds, "the first four set points");
    double gaps = 1 - (double) sent / slots;
    assertTrue(gaps > 0.0005 && gaps < 0.005, "about one reading in 500 not sent: " + gaps);
  }

  @Test
  void aBearingFaultRaisesVibrationAndTemperatureAnImpellerFaultLowersFlow() {
    // one set point, so that the affinity laws do not move the levels between the two ends
    double[] bearing = ends(new PumpSimulator(3, 1, 1, 10 * MINUTE));
    assertTrue(bearing[1] > 4 * bearing[0], "vibration: healthy " + bearing[0] + ", at failure " + bearing[1]);
    assertTrue(bearing[3] > bearing[2] + 25, "bearing temperature: healthy " + bearing[2] + ", at failure " + bearing[3]);
    assertTrue(Math.abs(bearing[5] / bearing[4] - 1) < 0.03, "flow unchanged: " + bearing[4] + " -> " + bearing[5]);

    PumpSimulator both = new PumpSimulator(3, 1, 2, 10 * MINUTE);
    double lowestFlowRatio = 1;
    for (int unit = 1; unit <= 10; unit++) {
      double[] e = ends(both, unit);
      lowestFlowRatio = Math.min(lowestFlowRatio, e[5] / e[4]);
    }
    assertTrue(lowestFlowRatio < 0.88, "some pump of two fault modes loses flow to its impeller: " + lowestFlowRatio);
  }

  /** Mean vibration, temperature and flow over the first and the last 20 readings of unit 1. */
  private static double[] ends(PumpSimulator sim) {
    return ends(sim, 1);
  }

  private static double[] ends(PumpSimulator sim, int unit) {
    List<Reading> s = series(sim, unit);
    double[] out = new double[6];
    for (int i = 0; i < 20; i++) {
      double[] first = s.get(i).values();
      double[] last = s.get(s.size() - 1 - i).values();
      out[0] += first[1] / 20;
      out[1] += last[1] / 20;
      out[2] += first[2] / 20;
      out[3] += last[2] / 20;
      out[4] += first[4] / 20;
      out[5] += last[4] / 20;
    }
    return out;
  }

  private static Double[] box(double[] r) {
    Double[] out = new Double[r.length];
    for (int i = 0; i < r.length; i++) {
      out[i] = r[i];
    }
    return out;
  }
}
