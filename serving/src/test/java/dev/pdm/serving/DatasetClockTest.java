package dev.pdm.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.profile.DatasetProfile;
import org.junit.jupiter.api.Test;

/** What the asset endpoint tells a client about its dataset's clock. */
class DatasetClockTest {

  @Test
  void aTimeFleetsTicksAndHoursACycleFleetsCycles() {
    assertEquals(new DatasetClock("time", 10_000, "2000-01-01T00:00:00Z", "hours"),
        DatasetClock.of(DatasetProfile.load("builtin:pumps")));
    assertEquals(new DatasetClock("cycle", 0, null, "cycles"), DatasetClock.of(DatasetProfile.load("builtin:cmapss")));
  }
}
