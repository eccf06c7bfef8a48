package dev.pdm.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.features.feedback.AssetEvents;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The feedback body checked into an event: a time fleet's failure is placed by its event_time. */
class FeedbackRecorderTest {

  private static final Function<String, DatasetProfile> PROFILES = Map.of(
      "PUMPS", DatasetProfile.load("builtin:pumps"), "FD001", DatasetProfile.load("builtin:cmapss"))::get;

  private static FeedbackRecorder.Request failure(String dataset, Integer cycle, String at) {
    return new FeedbackRecorder.Request(dataset, "a-1", "failure", cycle, at, null, "ops", null);
  }

  @Test
  void aTimeFleetsFailureAtItsEventTimeFailsAtThatTick() {
    AssetEvents.Event e = FeedbackRecorder.event(failure("PUMPS", null, "2026-03-01T08:00:10Z"), PROFILES);
    long tick = (Instant.parse("2026-03-01T08:00:10Z").toEpochMilli()
        - Instant.parse("2000-01-01T00:00:00Z").toEpochMilli()) / 10_000;
    assertEquals(tick, e.cycle().longValue());
    assertEquals(12, FeedbackRecorder.event(failure("PUMPS", 12, "2026-03-01T08:00:10Z"), PROFILES).cycle(),
        "a cycle sent is kept");
    ApiException cycles = assertThrows(ApiException.class,
        () -> FeedbackRecorder.event(failure("FD001", null, "2026-03-01T08:00:10Z"), PROFILES));
    assertEquals("a failure needs the cycle the asset failed at (a time fleet's: its event_time)",
        cycles.problem().detail());
    assertThrows(ApiException.class, () -> FeedbackRecorder.event(failure("PUMPS", null, null), PROFILES));
  }
}
