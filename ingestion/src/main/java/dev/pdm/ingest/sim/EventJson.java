package dev.pdm.ingest.sim;

import java.time.Instant;
import java.util.List;

/** Telemetry events as JSON, in the format documented in README ("Event format"). */
public final class EventJson {

  private EventJson() {}

  /**
   * {@code {"asset_id", "dataset", "cycle", "event_time", "settings": {...}, "sensors": {...}}};
   * readings in the order of {@code names} with the first {@code settings} of them settings. A
   * null reading is written as null; a null cycle (a time fleet's event) is left out.
   */
  public static String event(String assetId, String dataset, Integer cycle, Instant eventTime,
      List<String> names, int settings, Double[] readings) {
    StringBuilder json = new StringBuilder(512)
        .append("{\"asset_id\":\"").append(escape(assetId)).append('"')
        .append(",\"dataset\":\"").append(escape(dataset)).append('"');
    if (cycle != null) {
      json.append(",\"cycle\":").append(cycle.intValue());
    }
    if (eventTime != null) {
      json.append(",\"event_time\":\"").append(eventTime).append('"');
    }
    json.append(",\"settings\":");
    group(json, names, readings, 0, settings);
    json.append(",\"sensors\":");
    group(json, names, readings, settings, names.size());
    return json.append('}').toString();
  }

  private static void group(StringBuilder json, List<String> names, Double[] readings, int from, int to) {
    json.append('{');
    for (int i = from; i < to; i++) {
      if (i > from) {
        json.append(',');
      }
      json.append('"').append(names.get(i)).append("\":").append(readings[i] == null ? "null" : readings[i].toString());
    }
    json.append('}');
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
