package dev.pdm.common.stream;

import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a streaming query to its end, working around SPARK-55271: in Spark 4.1's Kafka source the
 * progress report of the first micro-batch after a restart that replays an unfinished batch
 * throws a NullPointerException in {@code KafkaMicroBatchStream.metrics}. It is thrown after the
 * batch was written and committed to the checkpoint's commit log, so starting the query again on
 * the same checkpoint goes on with the next batch; nothing is lost or repeated.
 */
public final class StreamRunner {

  private static final Logger LOG = LoggerFactory.getLogger(StreamRunner.class);
  private static final int MAX_RESTARTS = 3;

  private StreamRunner() {}

  /** Starts the query with {@code start} and waits for its end, restarting after SPARK-55271. */
  public static void run(Supplier<StreamingQuery> start) throws StreamingQueryException, TimeoutException {
    for (int attempt = 0; ; attempt++) {
      StreamingQuery query = start.get();
      try {
        query.awaitTermination();
        return;
      } catch (StreamingQueryException e) {
        if (attempt >= MAX_RESTARTS || !isKafkaMetricsBug(e)) {
          throw e;
        }
        LOG.warn("Restarting query {} after SPARK-55271 (Kafka source metrics after a restart);"
            + " the batch was committed before the error", query.name());
      }
    }
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
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NullPointerException) {
        for (StackTraceElement frame : t.getStackTrace()) {
          if (frame.getClassName().startsWith("org.apache.spark.sql.kafka010.KafkaMicroBatchStream")
              && frame.getMethodName().equals("metrics")) {
            return true;
          }
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
