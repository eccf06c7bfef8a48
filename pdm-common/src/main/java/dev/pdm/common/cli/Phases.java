package dev.pdm.common.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time of a job's named steps, for its log: where a train's or a benchmark's minutes go.
 *
 * <p>Usage:
 * <pre>{@code
 * Phases phases = new Phases();
 * load();
 * phases.done("load");
 * LOG.info("train FD001: phases {}", phases);   // load 3.2 s, rul cv 41.0 s, ...
 * }</pre>
 */
public final class Phases {

  private final Map<String, Long> millis = new LinkedHashMap<>();
  private long last = System.currentTimeMillis();

  /** Ends the current step under {@code phase}; the next step starts now. */
  public void done(String phase) {
    long now = System.currentTimeMillis();
    millis.merge(phase, now - last, Long::sum);
    last = now;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    millis.forEach((p, ms) -> s.append(s.length() == 0 ? "" : ", ").append(p).append(' ')
        .append(String.format("%.1f s", ms / 1000.0)));
    return s.toString();
  }
}
