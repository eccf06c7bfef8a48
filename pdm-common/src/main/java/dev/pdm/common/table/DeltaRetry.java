package dev.pdm.common.table;

import dev.pdm.common.PdmErrors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.spark.sql.delta.DeltaConcurrentModificationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a Delta commit that lost a race with another writer. Delta's optimistic concurrency
 * refuses a commit whose reads another commit changed meanwhile ({@code ConcurrentAppendException}
 * when the stream scorer appended to the partition an UPDATE read, for one); the commit wrote
 * nothing, so running it again on the new snapshot is safe. (Delta's public exceptions,
 * {@code io.delta.exceptions.*}, share only this internal base class.) Only for commits that are idempotent
 * when repeated as a whole (an UPDATE to a value, a MERGE on a key), never a blind append.
 *
 * <p>Usage:
 * <pre>{@code
 * DeltaRetry.commit("ack alert " + id, () -> table.update(condition, values));
 * }</pre>
 */
public final class DeltaRetry {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaRetry.class);

  /** Attempts in all; the waits between them double from {@link #FIRST_WAIT_MILLIS}, with jitter. */
  public static final int ATTEMPTS = 5;

  static final long FIRST_WAIT_MILLIS = 100;

  private DeltaRetry() {}

  /** Runs {@code commit} until it is not refused by a concurrent writer, at most {@link #ATTEMPTS} times. */
  public static <T> T commit(String what, Supplier<T> commit) {
    return commit(what, commit, ATTEMPTS, FIRST_WAIT_MILLIS);
  }

  public static void commit(String what, Runnable commit) {
    commit(what, () -> {
      commit.run();
      return null;
    });
  }

  static <T> T commit(String what, Supplier<T> commit, int attempts, long firstWaitMillis) {
    for (int attempt = 1; ; attempt++) {
      try {
        return commit.get();
      } catch (DeltaConcurrentModificationException e) {
        if (attempt >= attempts) {
          throw PdmErrors.failure(what, "another writer committed first " + attempts + " times in a row ("
              + e.getClass().getSimpleName() + ")", "try again; if it keeps happening, see which jobs write the"
              + " table at the same time", e);
        }
        long wait = firstWaitMillis << (attempt - 1);
        wait += ThreadLocalRandom.current().nextLong(wait / 2 + 1);
        LOG.info("{}: a concurrent commit won ({}); attempt {} of {} in {} ms", what, e.getClass().getSimpleName(),
            attempt + 1, attempts, wait);
        sleep(wait);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry a Delta commit", e);
    }
  }
}
