package dev.pdm.common.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.profile.DatasetProfile.Clock;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Profiles as their files declare them: readings, ranges and the clock. */
class DatasetProfileTest {

  private static DatasetProfile parse(String text) {
    Properties props = new Properties();
    try {
      props.load(new StringReader(text));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return DatasetProfile.parse("test.properties", props);
  }

  private static String refused(String text) {
    return assertThrows(PdmException.class, () -> parse(text)).getMessage();
  }

  private static final String ONE_SENSOR = "sensors=v\nv.min=0\nv.max=10\n";

  @Test
  void theBuiltInProfilesDeclareTheirClocks() {
    DatasetProfile cmapss = DatasetProfile.load("builtin:cmapss");
    assertEquals(Clock.CYCLE, cmapss.clock());
    assertEquals(0, cmapss.intervalMillis());
    assertEquals(24, cmapss.readings().size());

    DatasetProfile pumps = DatasetProfile.load("builtin:pumps");
    assertEquals("pumps", pumps.name());
    assertEquals(Clock.TIME, pumps.clock());
    assertEquals(10_000, pumps.intervalMillis());
    assertEquals(List.of("speed"), pumps.settings().stream().map(DatasetProfile.Column::name).toList());
    assertEquals(List.of("vibration_rms", "bearing_temp", "discharge_pressure", "flow", "motor_current"),
        pumps.sensors().stream().map(DatasetProfile.Column::name).toList());
    assertTrue(pumps.column("bearing_temp").inRange(-10) && !pumps.column("vibration_rms").inRange(-0.1));
  }

  @Test
  void aClockIsCycleUnlessDeclaredAndATimeClockNeedsItsInterval() {
    assertEquals(Clock.CYCLE, parse(ONE_SENSOR).clock());
    DatasetProfile time = parse(ONE_SENSOR + "clock=TIME\ninterval=2m\n");
    assertEquals(Clock.TIME, time.clock());
    assertEquals(120_000, time.intervalMillis());

    assertEquals("Cannot use dataset profile test.properties: clock=hourly is not a clock (set clock=cycle"
        + " (readings name their cycle) or clock=time (readings name their event_time) with interval=10s)",
        refused(ONE_SENSOR + "clock=hourly\n"));
    assertTrue(refused(ONE_SENSOR + "clock=time\n").contains("clock=time needs the expected time between two"
        + " readings of an asset (add interval=10s"), "no interval");
    assertTrue(refused(ONE_SENSOR + "clock=time\ninterval=10 seconds\n").contains(
        "interval=10 seconds is not a positive duration such as 500ms"), "not a duration");
    assertTrue(refused(ONE_SENSOR + "clock=time\ninterval=0s\n").contains("interval=0s is not"), "zero");
    assertTrue(refused(ONE_SENSOR + "interval=10s\n").contains("interval=10s is given with clock=cycle"),
        "an interval on a cycle clock");
    assertTrue(refused(ONE_SENSOR + "clock=time\ninterval=500ms\n").contains(
        "interval=500ms is shorter than a second, the finest clock pdm keeps (set interval=1s or longer"), "sub-second");
    assertTrue(refused(ONE_SENSOR + "windows=5m\n").contains("windows=5m is a time fleet's setting and this profile"
        + " counts cycles"), "time windows on a cycle clock");
    assertEquals("2h", parse(ONE_SENSOR + "clock=time\ninterval=1m\nhorizon=2h\n").timeDefault("horizon"));
  }
}
