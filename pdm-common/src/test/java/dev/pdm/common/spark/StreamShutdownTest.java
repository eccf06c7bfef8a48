package dev.pdm.common.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.test.TestSpark;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

class StreamShutdownTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void stopsTheRunningQueriesSoTheyEndWithoutAnError() throws Exception {
    StreamingQuery q = spark.readStream().format("rate").option("rowsPerSecond", "50").load()
        .writeStream().format("noop").queryName("shutdown-test")
        .option("checkpointLocation", TestSpark.tempDir("shutdown-checkpoint").toString()).trigger(Trigger.ProcessingTime(200)).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (q.lastProgress() == null && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(q.isActive());

    assertEquals(1, StreamShutdown.stopAll(spark, "test"));

    assertFalse(q.isActive());
    assertTrue(q.exception().isEmpty(), () -> "stopped with an error: " + q.exception().get());
    q.awaitTermination(); // returns: a stop is not a failure
    assertEquals(0, StreamShutdown.stopAll(spark, "test"));
  }

  @Test
  void theHookIsRemovedWhenMainIsDone() {
    StreamShutdown shutdown = StreamShutdown.install(spark, "test");
    assertTrue(ShutdownHookManager.get().hasShutdownHook(shutdown.hook));
    shutdown.close();
    assertFalse(ShutdownHookManager.get().hasShutdownHook(shutdown.hook));
  }
}
