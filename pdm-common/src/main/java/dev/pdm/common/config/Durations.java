package dev.pdm.common.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as pdm's config and profiles write them: a whole number with a unit, {@code ms},
 * {@code s}, {@code m}, {@code h} or {@code d} ({@code 500ms}, {@code 10s}, {@code 30d}).
 */
public final class Durations {

  /** What a user is told a duration looks like. */
  public static final String EXPECTED = "a positive duration such as 500ms, 30s, 15m, 12h or 30d";

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /** {@code millis} in the largest unit that divides it: {@code 300000} is {@code 5m}, {@code 90000} is {@code 90s}. */
  public static String format(long millis) {
    if (millis == 0) {
      return "0s";
    }
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (millis > 0 && millis % units[i] == 0) {
        return millis / units[i] + names[i];
      }
    }
    return millis + "ms";
  }

  /** The duration in milliseconds, or -1 when {@code text} is not a positive duration. */
  public static long parseMillis(String text) {
    if (text == null) {
      return -1;
    }
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return -1;
    }
    long unit = switch (m.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      default -> 86_400_000L;
    };
    try {
      long n = Long.parseLong(m.group(1));
      return n > 0 && n <= Long.MAX_VALUE / unit ? n * unit : -1;
    } catch (NumberFormatException e) {
      return -1; // more digits than a long holds
    }
  }
}
