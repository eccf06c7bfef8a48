package dev.pdm.ingest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The {@code event_time} of a record: read (the common UTC form without a formatter, anything else
 * by the ISO parser) and checked against the range timestamps are stored in.
 *
 * <p>Usage:
 * <pre>{@code
 * Instant t = EventTimes.parse("2026-11-22T10:15:00Z");   // null when not an ISO-8601 instant with an offset
 * boolean ok = EventTimes.storable(t);
 * }</pre>
 */
final class EventTimes {

  /** Spark's (and Python's) timestamp range: 0001-01-01 to 9999-12-31, microseconds. */
  static final Instant FIRST_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant LAST_INSTANT = Instant.parse("9999-12-31T23:59:59.999999Z");

  private EventTimes() {}

  /** Whether Spark and Python can hold {@code t}. */
  static boolean storable(Instant t) {
    return !t.isBefore(FIRST_INSTANT) && !t.isAfter(LAST_INSTANT);
  }

  /** An ISO-8601 instant with an offset, or null when {@code text} is not one. */
  static Instant parse(String text) {
    Instant utc = utcInstant(text);
    if (utc != null) {
      return utc;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The common form {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} read without a formatter (the ISO
   * parser was a fifth of a stream record's parsing); null for anything else, which the ISO parser
   * then accepts or rejects.
   */
  static Instant utcInstant(String t) {
    int n = t.length();
    if (n < 20 || n > 30 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-'
        || t.charAt(10) != 'T' || t.charAt(13) != ':' || t.charAt(16) != ':') {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int digits = n - 21;
      if (t.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      int f = digits(t, 20, n - 1);
      if (f < 0) {
        return null;
      }
      for (int i = digits; i < 9; i++) {
        f *= 10;
      }
      nanos = f;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The decimal number in {@code t[from, to)}, or -1 if a character is not a digit. */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
