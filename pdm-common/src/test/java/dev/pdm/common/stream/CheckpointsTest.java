package dev.pdm.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

  @Test
  void aCheckpointsIdentityIsItsOwnNotItsPathsSpelling() throws Exception {
    Path root = TestSpark.tempDir("identity");
    Path checkpoint = root.resolve("cp");
    String first = Checkpoints.identity(spark, checkpoint.toString());
    assertEquals(36, first.length(), "a UUID: " + first);
    assertEquals(first, Checkpoints.identity(spark, checkpoint.toUri().toString()), "file: URI, same directory");
    Path relative = Path.of("").toAbsolutePath().relativize(checkpoint);
    assertEquals(first, Checkpoints.identity(spark, relative.toString()), "relative path, same directory");

    // deleted and begun again at the same path: another stream, whose batch 0 is not the old one's
    try (var files = Files.walk(checkpoint)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    String again = Checkpoints.identity(spark, checkpoint.toString());
    assertNotEquals(first, again);
    assertNotEquals(StreamIds.appId("pdm-ingest-stream", first), StreamIds.appId("pdm-ingest-stream", again));

    // a checkpoint that ran batches before identities existed keeps the one its batches were written with
    Path old = root.resolve("old");
    Files.createDirectories(old.resolve(Checkpoints.OFFSETS));
    Files.writeString(old.resolve(Checkpoints.OFFSETS).resolve("0"), "v1");
    assertEquals(old.toString(), Checkpoints.identity(spark, old.toString()));
    assertEquals(old.toString(), Checkpoints.identity(spark, old.toUri().toString()));
  }
}
