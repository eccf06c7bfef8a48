package dev.pdm.common.stream;

import dev.pdm.common.PdmErrors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.streaming.Trigger;

/** A streaming trigger from the command line: {@code available-now} or an interval like {@code 5s}. */
public record StreamTrigger(boolean isAvailableNow, long intervalMs) {

  private static final Pattern INTERVAL = Pattern.compile("(\\d+)\\s*(ms|s|m|min)");

  public static StreamTrigger availableNow() {
    return new StreamTrigger(true, 0);
  }

  public static StreamTrigger parse(String text) {
    if (text == null || text.equalsIgnoreCase("available-now")) {
      return availableNow();
    }
    Matcher m = INTERVAL.matcher(text.trim().toLowerCase());
    if (!m.matches()) {
      throw PdmErrors.badValue("--trigger", text, "available-now or an interval such as 500ms, 5s or 1m");
    }
    long n = Long.parseLong(m.group(1));
    long ms = switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> TimeUnit.SECONDS.toMillis(n);
      default -> TimeUnit.MINUTES.toMillis(n);
    };
    return new StreamTrigger(false, ms);
  }

  public Trigger toSpark() {
    return isAvailableNow ? Trigger.AvailableNow() : Trigger.ProcessingTime(intervalMs);
  }

  @Override
  public String toString() {
    return isAvailableNow ? "available-now" : intervalMs + "ms";
  }
}
