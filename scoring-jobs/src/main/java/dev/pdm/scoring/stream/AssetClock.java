package dev.pdm.scoring.stream;

import java.io.Serializable;
import java.sql.Timestamp;

/**
 * An asset's observed time per cycle, kept in the scoring query's state beside its
 * {@link AssetState} (a state variable of its own, so checkpoints written before it resume): the
 * first and the last folded cycle that carried a time (the event's time, else its Kafka
 * timestamp). A work order's due date comes from it without reading gold.predictions in the
 * micro-batch that raises the alert.
 */
public final class AssetClock implements Serializable {
  private int firstCycle;
  private long firstMicros;
  private int lastCycle;
  private long lastMicros;
  private boolean started;

  /** Records that {@code cycle} was folded at {@code eventTime}, else {@code kafkaTimestamp}; no time: unchanged. */
  void observe(int cycle, Timestamp eventTime, Timestamp kafkaTimestamp) {
    Timestamp t = eventTime != null ? eventTime : kafkaTimestamp;
    if (t == null) {
      return;
    }
    long micros = Math.floorDiv(t.getTime(), 1000) * 1_000_000L + t.getNanos() / 1000;
    if (!started) {
      firstCycle = cycle;
      firstMicros = micros;
      started = true;
    }
    if (cycle > lastCycle) {
      lastCycle = cycle;
      lastMicros = micros;
    }
  }

  /** Seconds per cycle between the first and the last timed cycle; null until two cycles apart in time were seen. */
  Double cycleSeconds() {
    return !started || lastCycle <= firstCycle || lastMicros <= firstMicros ? null
        : (lastMicros - firstMicros) / 1e6 / (lastCycle - firstCycle);
  }

  public int getFirstCycle() {
    return firstCycle;
  }

  public void setFirstCycle(int v) {
    firstCycle = v;
  }

  public long getFirstMicros() {
    return firstMicros;
  }

  public void setFirstMicros(long v) {
    firstMicros = v;
  }

  public int getLastCycle() {
    return lastCycle;
  }

  public void setLastCycle(int v) {
    lastCycle = v;
  }

  public long getLastMicros() {
    return lastMicros;
  }

  public void setLastMicros(long v) {
    lastMicros = v;
  }

  public boolean isStarted() {
    return started;
  }

  public void setStarted(boolean v) {
    started = v;
  }
}
