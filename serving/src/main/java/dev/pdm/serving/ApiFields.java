package dev.pdm.serving;

import dev.pdm.common.Instants;
import java.sql.Timestamp;
import java.util.regex.Pattern;

/** Checks of the fields people write in request bodies: each bad one is a 400 naming it. */
final class ApiFields {

  private static final Pattern BY = Pattern.compile("[\\p{L}\\p{N} ._@-]{1,100}");
  static final int MAX_TEXT = 2000;

  private ApiFields() {}

  /** Who makes a change or a report: required, a name of at most 100 letters, digits, spaces and . _ @ -. */
  static String by(String by) {
    if (by == null || by.isBlank()) {
      throw ApiException.badRequest("by", "say who makes it: {\"by\": \"j.smith\"}");
    }
    if (!BY.matcher(by).matches()) {
      throw ApiException.badRequest("by", "'by' is a name of at most 100 letters, digits, spaces and . _ @ -");
    }
    return by.trim();
  }

  /** Free text of at most {@link #MAX_TEXT} characters, or null. */
  static String text(String field, String value) {
    if (value != null && value.length() > MAX_TEXT) {
      throw ApiException.badRequest(field, "the " + field + " has " + value.length() + " characters; at most "
          + MAX_TEXT);
    }
    return value;
  }

  /** An ISO-8601 instant, or null. */
  static Timestamp instant(String field, String value) {
    try {
      return Instants.parse(value);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(field, e.getMessage());
    }
  }
}
