package dev.pdm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pdm.common.Names;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.ingest.TelemetryParser.Parsed;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TelemetryParserTest {

  private static final TelemetryParser PARSER = new TelemetryParser(DatasetProfile.load("builtin:cmapss"));

  static String event(String fields) {
    return "{\"asset_id\":\"FD001-test-17\",\"dataset\":\"FD001\"," + fields + "}";
  }

  @Test
  void validEventIsTyped() {
    Parsed p = PARSER.parseJson(
        event("\"cycle\":31,\"event_time\":\"2026-11-22T10:15:00Z\","
            + "\"settings\":{\"setting1\":-0.0007,\"setting3\":100.0},"
            + "\"sensors\":{\"s2\":641.82,\"s21\":23.419,\"s99\":1,\"s4\":null}"), null);
    assertNull(p.reason, p.message);
    assertEquals("FD001-test-17", p.assetId);
    assertEquals("FD001", p.dataset);
    assertEquals(31, p.cycle);
    assertEquals(Timestamp.from(Instant.parse("2026-11-22T10:15:00Z")), p.eventTime);
    assertEquals(-0.0007, p.readings[0]);
    assertNull(p.readings[1], "a missing setting is null");
    assertEquals(641.82, p.readings[3 + 1]);
    assertNull(p.readings[3 + 3], "a null sensor is null");
    assertEquals(23.419, p.readings[3 + 20]);
  }

  /**
   * A time fleet's record is placed by its event time: it needs one, its cycle is the tick landing
   * derives from it (rounded to the nearest interval), and a cycle sent beside it is refused.
   */
  @Test
  void aTimeFleetsRecordNeedsItsEventTimeAndGetsItsTick() {
    TelemetryParser pumps = new TelemetryParser(DatasetProfile.load("builtin:pumps"));
    String readings = "\"settings\":{\"speed\":2950},\"sensors\":{\"vibration_rms\":1.9,\"flow\":118.2}";
    Parsed ok = pumps.parseJson("{\"asset_id\":\"P-7\",\"event_time\":\"2026-03-01T08:00:10Z\"," + readings + "}", "PUMPS");
    assertNull(ok.reason, ok.message);
    long tick = (Instant.parse("2026-03-01T08:00:10Z").toEpochMilli() - Instant.parse("2000-01-01T00:00:00Z")
        .toEpochMilli()) / 10_000;
    assertEquals(tick, ok.cycle.longValue(), "10 s ticks since 2000-01-01");
    assertEquals(tick + 1, pumps.parseJson("{\"asset_id\":\"P-7\",\"event_time\":\"2026-03-01T08:00:15Z\","
        + readings + "}", "PUMPS").cycle.longValue(), "half an interval rounds up");
    assertEquals(tick, pumps.parseJson("{\"asset_id\":\"P-7\",\"event_time\":\"2026-03-01T08:00:14.999Z\","
        + readings + "}", "PUMPS").cycle.longValue());
    Parsed early = pumps.parseJson("{\"asset_id\":\"P-7\",\"event_time\":\"1999-12-31T23:00:00Z\"," + readings + "}",
        "PUMPS");
    assertEquals(RejectReason.INVALID_EVENT_TIME, early.reason);
    assertEquals("event_time 1999-12-31T23:00:00Z is outside the clock of profile pumps (from 2000-01-01T00:00:00Z,"
        + " in ticks of 10000 ms that fit an int)", early.message);
    assertEquals(Timestamp.from(Instant.parse("2026-03-01T08:00:10Z")), ok.eventTime);
    assertEquals(List.of(2950.0, 1.9, 118.2), List.of(ok.readings[0], ok.readings[1], ok.readings[4]));

    Parsed cycle = pumps.parseJson("{\"asset_id\":\"P-7\",\"cycle\":3,\"event_time\":\"2026-03-01T08:00:10Z\","
        + readings + "}", "PUMPS");
    assertEquals(RejectReason.INVALID_CYCLE, cycle.reason);
    assertEquals("profile pumps counts time (clock=time): send event_time without cycle, or give the dataset a"
        + " profile with clock=cycle", cycle.message);
    Parsed untimed = pumps.parseJson("{\"asset_id\":\"P-7\"," + readings + "}", "PUMPS");
    assertEquals(RejectReason.MISSING_TIME, untimed.reason);
    assertEquals("a record of profile pumps (clock=time) needs event_time", untimed.message);
  }

  /** Unknown fields of any shape are ignored; a field sent twice counts with its last value. */
  @Test
  void unknownFieldsAreSkippedAndTheLastValueOfAFieldCounts() {
    Parsed p = PARSER.parseJson(event("\"cycle\":3,\"extra\":{\"a\":[1,{\"cycle\":9}],\"sensors\":null},"
        + "\"sensors\":{\"s2\":600.5,\"s3\":1500.0,\"s2\":641.82},\"cycle\":4,\"tags\":[\"x\"]"), null);
    assertNull(p.reason, p.message);
    assertEquals(4, p.cycle);
    assertEquals(641.82, p.readings[3 + 1]);
    assertEquals(1500.0, p.readings[3 + 2]);

    Parsed twice = PARSER.parseJson(event("\"cycle\":3,\"sensors\":{\"s2\":\"x\"},\"sensors\":{\"s2\":641.82}"), null);
    assertNull(twice.reason, "the second sensors object replaces the first: " + twice.message);
    assertEquals(641.82, twice.readings[3 + 1]);
  }

  /** Any order of fields reads as README's order does; events read one after another from one stream alike. */
  @Test
  void fieldOrderDoesNotMatterAndEventsStreamFromOneParser() throws Exception {
    String ordered = "{\"asset_id\":\"u1\",\"dataset\":\"FD001\",\"cycle\":7,"
        + "\"settings\":{\"setting1\":0.001,\"setting2\":0.0002,\"setting3\":100.0},"
        + "\"sensors\":{\"s1\":518.67,\"s2\":641.82,\"x\":[1],\"s21\":23.419}}";
    String shuffled = "{\"sensors\":{\"s21\":23.419,\"s2\":641.82,\"s1\":518.67},\"extra\":{\"s1\":1},"
        + "\"cycle\":7,\"settings\":{\"setting3\":100.0,\"setting1\":0.001,\"setting2\":0.0002},"
        + "\"dataset\":\"FD001\",\"asset_id\":\"u1\"}";
    Parsed a = PARSER.parseJson(ordered, null);
    Parsed b = PARSER.parseJson(shuffled, null);
    assertNull(a.reason, a.message);
    assertNull(b.reason, b.message);
    assertEquals(java.util.Arrays.asList(a.readings), java.util.Arrays.asList(b.readings));
    assertEquals(518.67, a.readings[3]);
    assertEquals(23.419, a.readings[23]);
    try (com.fasterxml.jackson.core.JsonParser in =
        new com.fasterxml.jackson.core.JsonFactory().createParser("[" + ordered + "," + shuffled + "]")) {
      in.nextToken();
      for (int i = 0; i < 2; i++) {
        in.nextToken();
        Parsed p = PARSER.parseEvent(in, null);
        assertEquals(java.util.Arrays.asList(a.readings), java.util.Arrays.asList(p.readings));
        assertEquals(7, p.cycle);
      }
      assertEquals(com.fasterxml.jackson.core.JsonToken.END_ARRAY, in.nextToken());
    }
  }

  /** A reject quotes what was sent, as JSON. */
  @Test
  void messagesQuoteTheValueSent() {
    assertEquals("asset_id must be a non-empty string, got 17",
        PARSER.parseJson("{\"asset_id\":17,\"cycle\":1}", "SIM").message);
    assertEquals("asset_id must be a non-empty string, got \"  \"",
        PARSER.parseJson("{\"asset_id\":\"  \",\"cycle\":1}", "SIM").message);
    assertEquals("cycle must be an integer >= 1, got \"7\"",
        PARSER.parseJson("{\"asset_id\":\"a\",\"cycle\":\"7\"}", "SIM").message);
    assertEquals("sensors must be an object of name: number, got [1,2]",
        PARSER.parseJson("{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":[1,2]}", "SIM").message);
    assertEquals("sensors.s2 must be a number, got {\"v\":1}",
        PARSER.parseJson("{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":{\"v\":1}}}", "SIM").message);
    assertEquals("expected a JSON object, got array", PARSER.parseJson("[1]", "SIM").message);
  }

  @Test
  void datasetComesFromTheJobWhenTheEventHasNone() {
    Parsed p = PARSER.parseJson("{\"asset_id\":\"a1\",\"cycle\":1}", "SIM");
    assertNull(p.reason);
    assertEquals("SIM", p.dataset);
  }

  @Test
  void eventTimeAloneIsEnough() {
    Parsed p = PARSER.parseJson("{\"asset_id\":\"a1\",\"event_time\":\"2026-11-22T11:15:00+01:00\"}", "SIM");
    assertNull(p.reason);
    assertNull(p.cycle);
    assertEquals(Timestamp.from(Instant.parse("2026-11-22T10:15:00Z")), p.eventTime);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all|MALFORMED_JSON",
        "{\"asset_id\":\"a\",\"cycle\":1|MALFORMED_JSON",
        "{\"asset_id\":\"a\",\"cycle\":1} trailing|MALFORMED_JSON",
        "{\"asset_id\":\"a\",\"cycle\":1} {}|MALFORMED_JSON",
        "null|NOT_AN_OBJECT",
        "[1,2,3]|NOT_AN_OBJECT",
        "\"a string\"|NOT_AN_OBJECT",
        "{\"cycle\":1}|MISSING_ASSET_ID",
        "{\"asset_id\":\"  \",\"cycle\":1}|MISSING_ASSET_ID",
        "{\"asset_id\":17,\"cycle\":1}|MISSING_ASSET_ID",
        "{\"asset_id\":\"a\"}|MISSING_TIME",
        "{\"asset_id\":\"a\",\"cycle\":null}|MISSING_TIME",
        "{\"asset_id\":\"a\",\"cycle\":0}|INVALID_CYCLE",
        "{\"asset_id\":\"a\",\"cycle\":-3}|INVALID_CYCLE",
        "{\"asset_id\":\"a\",\"cycle\":2.5}|INVALID_CYCLE",
        "{\"asset_id\":\"a\",\"cycle\":\"7\"}|INVALID_CYCLE",
        "{\"asset_id\":\"a\",\"cycle\":99999999999}|INVALID_CYCLE",
        "{\"asset_id\":\"a\",\"event_time\":\"yesterday\"}|INVALID_EVENT_TIME",
        "{\"asset_id\":\"a\",\"event_time\":\"2026-11-22T10:15:00\"}|INVALID_EVENT_TIME",
        "{\"asset_id\":\"a\",\"event_time\":\"+300000-01-01T00:00:00Z\"}|INVALID_EVENT_TIME",
        "{\"asset_id\":\"a\",\"event_time\":\"+999999999-12-31T23:59:59Z\"}|INVALID_EVENT_TIME",
        "{\"asset_id\":\"a\",\"event_time\":\"+10000-01-01T00:00:00Z\"}|INVALID_EVENT_TIME",
        "{\"asset_id\":\"a\",\"event_time\":\"-0001-12-31T23:59:59Z\"}|INVALID_EVENT_TIME",
        "{\"asset_id\":\"pump\\u00007\",\"cycle\":1}|INVALID_ASSET_ID",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":[1,2]}|INVALID_FIELD",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":\"641.8\"}}|NON_NUMERIC",
        "{\"asset_id\":\"a\",\"cycle\":1,\"settings\":{\"setting1\":true}}|NON_NUMERIC",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":NaN}}|NOT_FINITE",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":Infinity}}|NOT_FINITE",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":-Infinity}}|NOT_FINITE",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":1e400}}|NOT_FINITE",
        "{\"asset_id\":\"a\",\"cycle\":1,\"sensors\":{\"s2\":9999}}|OUT_OF_RANGE",
        "{\"asset_id\":\"a\",\"cycle\":1,\"settings\":{\"setting3\":-5}}|OUT_OF_RANGE",
        "{\"asset_id\":\"a\",\"cycle\":1,\"dataset\":\"bad name!\"}|MISSING_DATASET",
      })
  void rejectsWithReason(String payload, RejectReason expected) {
    Parsed p = PARSER.parseJson(payload, "SIM");
    assertEquals(expected, p.reason, p.message);
  }

  @Test
  void storableEdgesAreAcceptedAndOneStepBeyondIsNot() {
    // the first and last instants Spark stores (microseconds), and an asset id of the longest length
    String id = "a".repeat(Names.ASSET_ID_MAX_LENGTH);
    for (String t : List.of("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z")) {
      Parsed p = PARSER.parseJson("{\"asset_id\":\"" + id + "\",\"event_time\":\"" + t + "\"}", "SIM");
      assertNull(p.reason, p.message);
      assertEquals(Timestamp.from(Instant.parse(t)), p.eventTime);
    }
    Parsed late = PARSER.parseJson("{\"asset_id\":\"a\",\"event_time\":\"+10000-01-01T00:00:00Z\"}", "SIM");
    assertEquals("event_time +10000-01-01T00:00:00Z is outside the range timestamps are stored in"
        + " (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)", late.message);
    Parsed longId = PARSER.parseJson("{\"asset_id\":\"" + id + "b\",\"cycle\":1}", "SIM");
    assertEquals(RejectReason.INVALID_ASSET_ID, longId.reason);
    assertEquals("asset_id is 257 characters long; at most 256 are allowed", longId.message);
  }

  /** The formatter-free path reads the common UTC form exactly as the ISO parser does, and defers the rest. */
  @ParameterizedTest
  @CsvSource({
      "2026-11-22T10:15:00Z, true",
      "2026-11-22T10:15:00.5Z, true",
      "2026-11-22T10:15:00.123456789Z, true",
      "2024-02-29T23:59:59.001Z, true",
      "2026-02-29T10:15:00Z, false",
      "2026-11-22T24:00:00Z, false",
      "2026-11-22T10:15:00.Z, false",
      "2026-11-22T10:15:00.1234567890Z, false",
      "2026-11-22T10:15:00+01:00, false",
      "2026-11-22 10:15:00Z, false",
      "2026-1a-22T10:15:00Z, false",
  })
  void utcInstantAgreesWithTheIsoParser(String text, boolean fast) {
    Instant got = EventTimes.utcInstant(text);
    if (fast) {
      assertEquals(java.time.OffsetDateTime.parse(text).toInstant(), got);
    } else {
      assertNull(got);
    }
  }

  @Test
  void emptyMessageAndMissingDataset() {
    assertEquals(RejectReason.MALFORMED_JSON, PARSER.parseJson("", "SIM").reason);
    assertEquals(RejectReason.MALFORMED_JSON, PARSER.parseJson(null, "SIM").reason);
    assertEquals(RejectReason.MISSING_DATASET, PARSER.parseJson("{\"asset_id\":\"a\",\"cycle\":1}", null).reason);
  }

  static final String LINE =
      "1 1 -0.0007 -0.0004 100.0 518.67 641.82 1589.70 1400.60 14.62 21.61 554.36 2388.06 9046.19 1.30"
          + " 47.47 521.66 2388.02 8138.62 8.4195 0.03 392 2388 100.00 39.06 23.4190  ";

  @Test
  void cmapssLine() {
    Parsed p = PARSER.parseCmapss(LINE, "FD001", "train");
    assertNull(p.reason, p.message);
    assertEquals("FD001-train-1", p.assetId);
    assertEquals(1, p.cycle);
    assertEquals(518.67, p.readings[3]);
    assertEquals(23.419, p.readings[23]);
  }

  @Test
  void cmapssLineRejects() {
    assertEquals(RejectReason.MALFORMED_LINE, PARSER.parseCmapss("1 2 3", "FD001", "train").reason);
    assertEquals(RejectReason.NON_NUMERIC, PARSER.parseCmapss(LINE.replace("641.82", "abc"), "FD001", "train").reason);
    assertEquals(RejectReason.NOT_FINITE, PARSER.parseCmapss(LINE.replace("641.82", "NaN"), "FD001", "train").reason);
    assertEquals(RejectReason.OUT_OF_RANGE, PARSER.parseCmapss(LINE.replace("641.82", "6418.2"), "FD001", "train").reason);
    assertEquals(RejectReason.INVALID_CYCLE, PARSER.parseCmapss("1 0" + LINE.substring(3), "FD001", "train").reason);
    assertEquals(RejectReason.MISSING_ASSET_ID, PARSER.parseCmapss("x" + LINE.substring(1), "FD001", "train").reason);
  }

  @Test
  void cmapssTokensAreThoseOfTheWhitespacePattern() {
    for (String line : List.of("", "1", "1 2", "1  2\t\t3", "1\u000B2\f3\r4\n5", "a\u00012 b",
        "1\u00A02 3", "1 \t \n 2")) {
      assertEquals(List.of(TelemetryParser.WHITESPACE.split(line)), List.of(TelemetryParser.tokens(line)),
          "tokens of '" + line + "'");
    }
  }
}
