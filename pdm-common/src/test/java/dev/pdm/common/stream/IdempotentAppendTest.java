package dev.pdm.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.test.TestSpark;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class IdempotentAppendTest {

  private final SparkSession spark = TestSpark.session();
  private static final StructType SCHEMA = new StructType().add("id", "long", false).add("name", "string");

  private Dataset<Row> rows(long... ids) {
    return spark.createDataFrame(java.util.Arrays.stream(ids).mapToObj(i -> RowFactory.create(i, "r" + i)).toList(),
        SCHEMA);
  }

  private long count(String path) {
    return spark.read().format("delta").load(path).count();
  }

  private long txnVersion(String path, String appId) {
    return DeltaLog.forTable(spark, path).update(false, scala.Option.empty(), scala.Option.empty()).transactions()
        .getOrElse(appId, () -> -1L);
  }

  @Test
  void aBatchAppendedWithoutTheCheckIsRecognisedWhenItIsReplayed() {
    String path = TestSpark.tempDir("idempotent").resolve("t").toString();
    IdempotentAppend.append(rows(1, 2), path, "app", 0, true); // creates the table
    IdempotentAppend.append(rows(3), path, "app", 1, false);
    assertEquals(3, count(path));
    assertEquals(1, txnVersion(path, "app"));

    // the first batch of the next run replays batch 1: skipped; batch 2 is written
    IdempotentAppend.append(rows(3), path, "app", 1, true);
    assertEquals(3, count(path));
    IdempotentAppend.append(rows(4), path, "app", 2, true);
    assertEquals(4, count(path));
    // another query's ids are its own
    IdempotentAppend.append(rows(5), path, "other", 1, true);
    assertEquals(5, count(path));
    assertEquals(2, txnVersion(path, "app"));

    Row last = DeltaTable.forPath(spark, path).history(4).orderBy("version").collectAsList().get(1);
    assertEquals("WRITE", last.getAs("operation"));
    assertTrue((Boolean) last.getAs("isBlindAppend"));
  }

  @Test
  void rowsOfAnotherSchemaTakeDeltasCheckedWriterAndItsError() {
    String path = TestSpark.tempDir("idempotent").resolve("t").toString();
    IdempotentAppend.append(rows(1), path, "app", 0, true);
    Dataset<Row> wider = rows(2).withColumn("extra", org.apache.spark.sql.functions.lit(1));
    Exception e = assertThrows(Exception.class, () -> IdempotentAppend.append(wider, path, "app", 1, false));
    assertTrue(e.getMessage().contains("extra") || e.getMessage().contains("schema"), e.getMessage());
    assertEquals(1, count(path));
  }

  @Test
  void onlyABatchTheCheckpointPlannedOrOneStartedBeforeMayBeAReplay() {
    IdempotentAppend.Replays replays = new IdempotentAppend.Replays(5); // offsets/5 was there at the start
    assertTrue(replays.mayBeReplay(5)); // Spark re-runs it when it did not commit
    assertFalse(replays.mayBeReplay(6));
    assertFalse(replays.mayBeReplay(7));
    assertTrue(replays.mayBeReplay(7)); // batch 7 failed and the query restarted in this JVM
    assertFalse(replays.mayBeReplay(8));

    IdempotentAppend.Replays committed = new IdempotentAppend.Replays(5);
    assertFalse(committed.mayBeReplay(6)); // batch 5 had committed: the run starts with a new batch
  }

  @Test
  void aFreshCheckpointAtAReusedPathLosesNoBatch() {
    Path root = TestSpark.tempDir("idempotent");
    String path = root.resolve("t").toString();
    // an earlier run on the same checkpoint path (so the same app id) reached batch 3
    IdempotentAppend.append(rows(1), path, "app", 3, true);
    String checkpoint = root.resolve("checkpoint").toString(); // deleted and begun afresh: no offsets
    IdempotentAppend.Replays replays = IdempotentAppend.Replays.forCheckpoint(spark, checkpoint);

    IdempotentAppend.append(rows(2), path, "app", 0, replays.mayBeReplay(0));
    IdempotentAppend.append(rows(3), path, "app", 1, replays.mayBeReplay(1));
    assertEquals(3, count(path));
    assertEquals(1, txnVersion(path, "app"));
  }

  @Test
  void sameColumnsIgnoresNullabilityButNotNamesOrTypes() {
    StructType nullable = new StructType().add("id", "long", true).add("name", "string");
    assertTrue(IdempotentAppend.sameColumns(nullable, SCHEMA));
    assertFalse(IdempotentAppend.sameColumns(new StructType().add("id", "int").add("name", "string"), SCHEMA));
    assertFalse(IdempotentAppend.sameColumns(new StructType().add("name", "string").add("id", "long"), SCHEMA));
    assertFalse(IdempotentAppend.sameColumns(new StructType().add("id", "long"), SCHEMA));
    assertEquals(List.of("id", "name"), List.of(SCHEMA.fieldNames()));
  }
}
