package dev.pdm.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.test.TestSpark;
import io.delta.exceptions.ConcurrentAppendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

class StreamRunnerTest {

  private static ConcurrentAppendException conflict() {
    return new ConcurrentAppendException("Files were added to the root of the table by a concurrent update.");
  }

  /** A query over the text files in {@code in}, read once (AvailableNow), each batch to {@code batch}. */
  private static StreamingQuery start(SparkSession spark, Path in, String checkpoint,
      VoidFunction2<Dataset<Row>, Long> batch) {
    try {
      return spark.readStream().format("text").load(in.toString()).writeStream()
          .option("checkpointLocation", checkpoint).trigger(Trigger.AvailableNow()).foreachBatch(batch).start();
    } catch (TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aBatchThatLostAWriteConflictIsRunAgainOnTheSameCheckpoint() throws Exception {
    SparkSession spark = TestSpark.session();
    Path in = TestSpark.tempDir("runner-in");
    Files.writeString(in.resolve("a.txt"), "1\n2\n3\n");
    String checkpoint = TestSpark.tempDir("runner-cp").toString();
    List<String> calls = new CopyOnWriteArrayList<>();
    VoidFunction2<Dataset<Row>, Long> batch = (rows, id) -> {
      calls.add(id + ":" + rows.count());
      if (calls.size() == 1) {
        throw conflict(); // as a MERGE that read files another job rewrote
      }
    };
    StreamRunner.run(() -> start(spark, in, checkpoint, batch));
    assertEquals(List.of("0:3", "0:3"), calls, "the same batch, whole, once more");
  }

  @Test
  void conflictsAreOutlivedFiveTimesInARowWithGrowingWaitsAndOtherFailuresAreNot() {
    StreamRunner.Restarts r = new StreamRunner.Restarts();
    Throwable wrapped = new SparkException("Job aborted", conflict());
    for (long seconds : new long[] {1, 2, 4, 8, 16}) {
      assertEquals(Optional.of(Duration.ofSeconds(seconds)), r.after(wrapped, false));
    }
    assertEquals(Optional.empty(), r.after(wrapped, false), "the sixth conflict in a row without a batch done");
    assertEquals(Optional.of(Duration.ofSeconds(1)), r.after(wrapped, true), "a batch done starts the count again");
    assertEquals(Optional.empty(), r.after(new IllegalStateException("schema mismatch"), true));
    assertTrue(StreamRunner.isWriteConflict(wrapped));
    assertFalse(StreamRunner.isWriteConflict(new java.util.ConcurrentModificationException("a Java collection")));
  }

  @Test
  void anyOtherFailureEndsTheRunAtOnce() throws Exception {
    SparkSession spark = TestSpark.session();
    Path in = TestSpark.tempDir("runner-bad");
    Files.writeString(in.resolve("a.txt"), "1\n");
    String checkpoint = TestSpark.tempDir("runner-bad-cp").toString();
    List<Long> calls = new CopyOnWriteArrayList<>();
    VoidFunction2<Dataset<Row>, Long> batch = (rows, id) -> {
      calls.add(id);
      throw new IllegalStateException("a bug");
    };
    StreamingQueryException e = assertThrows(StreamingQueryException.class,
        () -> StreamRunner.run(() -> start(spark, in, checkpoint, batch)));
    assertEquals("a bug", StreamRunner.rootCause(e));
    assertEquals(List.of(0L), calls);
  }
}
