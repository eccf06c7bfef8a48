package dev.pdm.common.stream;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Work a long-running stream does beside its micro-batches (noting resolves, compacting tables):
 * run every interval on a daemon thread of its own until closed. A run that throws is handed to
 * {@code onFailure} (a warning: the next run is the retry) and never ends the stream or the task.
 * Start it on the job's thread: the task's thread inherits that thread's Spark properties, not a
 * micro-batch's.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * try (PeriodicTask t = PeriodicTask.every("pdm-compaction-FD001", 300_000, this::compact,
 *     e -> LOG.warn("Cannot compact: {}", e.getMessage()))) {
 *   // run the query
 * }
 * </pre>
 */
public final class PeriodicTask implements AutoCloseable {

  private final ScheduledExecutorService thread;

  private PeriodicTask(ScheduledExecutorService thread) {
    this.thread = thread;
  }

  /** Runs {@code task} every {@code intervalMs}, the first time after one interval; 0 or less: never. */
  public static PeriodicTask every(String threadName, long intervalMs, Runnable task,
      Consumer<RuntimeException> onFailure) {
    if (intervalMs <= 0) {
      return new PeriodicTask(null);
    }
    ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, threadName);
      th.setDaemon(true);
      return th;
    });
    t.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        onFailure.accept(e);
      }
    }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    return new PeriodicTask(t);
  }

  /** Stops the runs; one in flight finishes on its own (the tasks are idempotent commits). */
  @Override
  public void close() {
    if (thread != null) {
      thread.shutdown();
    }
  }
}
