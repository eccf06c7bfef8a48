package dev.pdm.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.test.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class CheckpointsTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void theLastBatchOfALogIgnoresSparksOtherFiles() throws Exception {
    Path checkpoint = TestSpark.tempDir("checkpoints");
    assertEquals(-1, Checkpoints.lastBatch(spark, checkpoint.toString(), Checkpoints.OFFSETS));
    assertTrue(Checkpoints.isNew(spark, checkpoint.toString()));

    Path offsets = Files.createDirectories(checkpoint.resolve(Checkpoints.OFFSETS));
    for (String name : new String[] {"0", "9", "10", ".10.crc", ".11.8f3e.tmp", "12.compact"}) {
      Files.writeString(offsets.resolve(name), "v1");
    }
    Files.createDirectories(checkpoint.resolve(Checkpoints.COMMITS));
    Files.writeString(checkpoint.resolve(Checkpoints.COMMITS).resolve(".0.crc"), "");
    assertEquals(10, Checkpoints.lastBatch(spark, checkpoint.toString(), Checkpoints.OFFSETS));
    assertTrue(Checkpoints.isNew(spark, checkpoint.toString())); // a checksum is not a commit

    Files.writeString(checkpoint.resolve(Checkpoints.COMMITS).resolve("0"), "v1");
    assertFalse(Checkpoints.isNew(spark, checkpoint.toString()));
  }
}
