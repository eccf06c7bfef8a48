package dev.pdm.common.spark;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clean stop on SIGTERM ({@code yarn application -kill}, a deleted driver pod, Ctrl-C): the
 * session's streaming queries are stopped before Spark's own shutdown hook stops the
 * SparkContext under them. Without it, a micro-batch running at that moment fails with "Cannot
 * call methods on a stopped SparkContext" and the job logs a failure although nothing is wrong:
 * the uncommitted batch is redone from the checkpoint on the next start either way.
 *
 * <p>The hook runs in Hadoop's shutdown hook manager just above Spark's (which sits at
 * {@code FileSystem.SHUTDOWN_HOOK_PRIORITY + 30}), and gives {@code main} a few seconds to print
 * its summary once the queries returned.
 */
public final class StreamShutdown implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamShutdown.class);
  static final int PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 40;
  private static final long HOOK_TIMEOUT_SECONDS = 60;
  private static final long SUMMARY_WAIT_SECONDS = 10;

  private final CountDownLatch mainDone = new CountDownLatch(1);
  final Runnable hook; // package-private for the test

  private StreamShutdown(SparkSession spark, String command) {
    this.hook = () -> {
      int stopped = stopAll(spark, command);
      if (stopped > 0) {
        try {
          mainDone.await(SUMMARY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  /** Installs the hook for {@code spark}'s queries; close it when {@code main} is done. */
  public static StreamShutdown install(SparkSession spark, String command) {
    StreamShutdown s = new StreamShutdown(spark, command);
    ShutdownHookManager.get().addShutdownHook(s.hook, PRIORITY, HOOK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return s;
  }

  /** Stops every active streaming query of {@code spark}; returns how many it stopped. */
  public static int stopAll(SparkSession spark, String command) {
    StreamingQuery[] active = spark.streams().active();
    for (StreamingQuery q : active) {
      LOG.warn("pdm {}: shutting down, stopping query {}; a micro-batch that did not commit is redone on the next"
          + " start on the same checkpoint", command, q.name());
      try {
        q.stop();
      } catch (TimeoutException | RuntimeException e) {
        LOG.warn("pdm {}: query {} did not stop cleanly: {}", command, q.name(), e.toString());
      }
    }
    return active.length;
  }

  /** {@code main} is done: the hook no longer waits for it, and is removed when the JVM is not stopping. */
  @Override
  public void close() {
    mainDone.countDown();
    if (!ShutdownHookManager.get().isShutdownInProgress()) {
      ShutdownHookManager.get().removeShutdownHook(hook);
    }
  }
}
