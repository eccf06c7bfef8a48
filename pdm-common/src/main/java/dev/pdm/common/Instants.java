package dev.pdm.common;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** ISO-8601 instants given by people (CLI options, API bodies), as the timestamps tables hold. */
public final class Instants {

  /** How an instant is written, for messages. */
  public static final String EXAMPLE = "2026-12-10T08:00:00Z";

  private Instants() {}

  /**
   * The instant {@code iso} names, or null for null.
   *
   * @throws IllegalArgumentException naming the value and an example when it is not an ISO-8601 instant
   */
  public static Timestamp parse(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Timestamp.from(Instant.parse(iso));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + iso + "' is not an ISO-8601 instant such as " + EXAMPLE, e);
    }
  }

  /** The instant of a command-line option, or a usage error naming the option (exit code 2). */
  public static Timestamp option(String action, String option, String iso) {
    try {
      return parse(iso);
    } catch (IllegalArgumentException e) {
      throw PdmErrors.usage(action, option + " " + e.getMessage(), "e.g. " + option + " " + EXAMPLE);
    }
  }
}
