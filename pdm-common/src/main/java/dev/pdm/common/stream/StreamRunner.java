package dev.pdm.common.stream;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.spark.sql.delta.DeltaConcurrentModificationException;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a streaming query to its end, starting it again on its checkpoint after the failures that a
 * restart outlives (a restart replays at most the failed batch, and every write of a batch is
 * idempotent: appends carry Delta transaction ids, merges are insert-only or upserts):
 * <ul>
 *   <li><b>A Delta write conflict</b> ({@code ConcurrentAppendException} and the other
 *       {@code DeltaConcurrentModificationException}s): another job committed to a table the batch
 *       merges into ({@code score-batch}, {@code alerts resolve}, a second scorer). Up to
 *       {@value #MAX_CONFLICT_RESTARTS} restarts in a row, waiting 1, 2, 4, 8 and 16 s; a restart
 *       after which the query completed a batch starts the count again.
 *   <li><b>SPARK-55271</b>: in Spark 4.1's Kafka source the progress report of the first micro-batch
 *       after a restart that replays an unfinished batch throws a NullPointerException in
 *       {@code KafkaMicroBatchStream.metrics}, after the batch was written and committed. Up to
 *       {@value #MAX_RESTARTS} restarts.
 * </ul>
 * Anything else ends the run with the query's exception.
 *
 * <p>Usage:
 * <pre>{@code
 * StreamRunner.run(() -> rows.writeStream().option("checkpointLocation", cp).foreachBatch(fn).start());
 * }</pre>
 */
public final class StreamRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StreamRunner.class);
  private static final int MAX_RESTARTS = 3;
  static final int MAX_CONFLICT_RESTARTS = 5;

  private StreamRunner() {}

  /** Starts the query with {@code start} and waits for its end, restarting as the class says. */
  public static void run(Supplier<StreamingQuery> start) throws StreamingQueryException, TimeoutException {
    Restarts restarts = new Restarts();
    for (;;) {
      StreamingQuery query = start.get();
      try {
        query.awaitTermination();
        return;
      } catch (StreamingQueryException e) {
        Optional<Duration> wait = restarts.after(e, query.recentProgress().length > 0);
        if (wait.isEmpty()) {
          throw e;
        }
        LOG.warn("Restarting query {} on its checkpoint in {} s: {}", query.name(), wait.get().toSeconds(),
            isWriteConflict(e) ? "a Delta write conflict (" + rootCause(e) + ")"
                : "SPARK-55271 (Kafka source metrics after a restart); the batch was committed before the error");
        try {
          Thread.sleep(wait.get().toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** The restart decisions of one run: how long to wait before the next start, or none (give up). */
  static final class Restarts {
    private int kafkaBug;
    private int conflicts;

    /** @param progressed whether the failed query completed a batch before it failed */
    Optional<Duration> after(Throwable failure, boolean progressed) {
      if (isWriteConflict(failure)) {
        conflicts = progressed ? 1 : conflicts + 1;
        return conflicts > MAX_CONFLICT_RESTARTS ? Optional.empty()
            : Optional.of(Duration.ofSeconds(1L << (conflicts - 1)));
      }
      if (isKafkaMetricsBug(failure) && kafkaBug < MAX_RESTARTS) {
        kafkaBug++;
        return Optional.of(Duration.ZERO);
      }
      return Optional.empty();
    }
  }

  /** A Delta optimistic-concurrency conflict anywhere in the causes. */
  static boolean isWriteConflict(Throwable e) {
    return anyCause(e, t -> t instanceof DeltaConcurrentModificationException);
  }

  /** Whether {@code e} or any of its causes matches. */
  private static boolean anyCause(Throwable e, Predicate<Throwable> matches) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (matches.test(t)) {
        return true;
      }
    }
    return false;
  }

  /** The message of the innermost cause: what a streaming failure is really about. */
  public static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getName() + " at " + (t.getStackTrace().length > 0
        ? t.getStackTrace()[0] : "an unknown place");
  }

  static boolean isKafkaMetricsBug(Throwable e) {
    return anyCause(e, t -> t instanceof NullPointerException && Arrays.stream(t.getStackTrace()).anyMatch(frame ->
        frame.getClassName().startsWith("org.apache.spark.sql.kafka010.KafkaMicroBatchStream")
            && frame.getMethodName().equals("metrics")));
  }
}
