package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pdm.common.profile.DatasetProfile;

/**
 * How a dataset counts time, for clients that draw its series: a cycle fleet's {@code cycle} is
 * an operating cycle and its RUL is in cycles; a time fleet's {@code cycle} is a tick of
 * {@code interval_ms} since {@code tick_epoch} (see {@link DatasetProfile#tickOf}) and its RUL is
 * in hours.
 *
 * @param kind {@code cycle} or {@code time}
 * @param intervalMs a time fleet's tick; 0 for a cycle fleet
 * @param tickEpoch tick 0, ISO-8601; null for a cycle fleet
 * @param rulUnit {@code cycles} or {@code hours}
 */
record DatasetClock(@JsonProperty("kind") String kind, @JsonProperty("interval_ms") long intervalMs,
    @JsonProperty("tick_epoch") String tickEpoch, @JsonProperty("rul_unit") String rulUnit) {

  static final DatasetClock CYCLES = new DatasetClock("cycle", 0, null, "cycles");

  static DatasetClock of(DatasetProfile profile) {
    return profile.clock() == DatasetProfile.Clock.TIME
        ? new DatasetClock("time", profile.intervalMillis(), DatasetProfile.TICK_EPOCH.toString(), "hours")
        : CYCLES;
  }
}
