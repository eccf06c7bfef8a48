package dev.pdm.common.stream;

import dev.pdm.common.PdmErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What a streaming query's checkpoint holds before the query starts, read from its two logs:
 * {@code offsets/} (a micro-batch planned: its file is written before the batch runs) and
 * {@code commits/} (a micro-batch finished). Both are Spark's documented checkpoint layout; a file
 * per batch, named by the batch id.
 *
 * <p>Usage:
 * <pre>{@code
 * long planned = Checkpoints.lastBatch(spark, checkpoint, Checkpoints.OFFSETS);   // -1: none yet
 * boolean fresh = Checkpoints.isNew(spark, checkpoint);
 * }</pre>
 */
public final class Checkpoints {

  /** The write-ahead log: a batch's offsets, written before the batch runs. */
  public static final String OFFSETS = "offsets";
  /** The commit log: a batch's file, written after its sink committed. */
  public static final String COMMITS = "commits";

  /** pdm's file in a checkpoint: the identity its Delta transaction ids derive from. */
  public static final String IDENTITY = "_pdm_identity";

  private Checkpoints() {}

  /**
   * The identity of the stream whose checkpoint this is, made when the checkpoint is first used and
   * read back ever after: a random UUID for a new checkpoint. The idempotent-write ids of the tables
   * the stream appends to derive from it ({@link StreamIds#appId}), not from the path's spelling, so
   * the same directory named relatively or absolutely is one stream, and a checkpoint deleted and
   * begun again at the same path is a new one (whose batch 0 is not mistaken for the old batch 0).
   * A checkpoint that ran batches before pdm wrote identities keeps the identity those batches were
   * written with: its path as given.
   */
  public static String identity(SparkSession spark, String checkpoint) {
    return stamp(spark, checkpoint, IDENTITY, UUID.randomUUID().toString(), checkpoint);
  }

  /**
   * A fact about a checkpoint fixed when it began, kept in pdm's file {@code name} in it: written
   * once, {@code whenNew} for a checkpoint that never planned a batch and {@code whenOld} for one
   * that ran batches before pdm wrote the file, and read back ever after (a query's plan may depend
   * on it: its number of sources, its state's time mode).
   */
  public static String stamp(SparkSession spark, String checkpoint, String name, String whenNew, String whenOld) {
    Path file = new Path(checkpoint, name);
    try {
      FileSystem fs = file.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fs.exists(file)) {
        String made = lastBatch(spark, checkpoint, OFFSETS) >= 0 ? whenOld : whenNew;
        try (FSDataOutputStream out = fs.create(file, false)) {
          out.write(made.getBytes(StandardCharsets.UTF_8));
        } catch (FileAlreadyExistsException raced) {
          // another start made it first: read theirs
        }
      }
      try (FSDataInputStream in = fs.open(file)) {
        String value = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        if (value.isEmpty()) {
          throw PdmErrors.failure("read the checkpoint " + checkpoint, name + " is empty",
              "delete " + file + " only if the checkpoint never ran a batch; else restore it from a backup");
        }
        return value;
      }
    } catch (IOException e) {
      throw PdmErrors.failure("read the checkpoint " + checkpoint, e.getMessage(),
          "check that the checkpoint location is reachable and writable", e);
    }
  }

  /** Whether no micro-batch was committed to {@code checkpoint} yet. */
  public static boolean isNew(SparkSession spark, String checkpoint) {
    return lastBatch(spark, checkpoint, COMMITS) < 0;
  }

  /** The highest batch id in one of the checkpoint's logs; -1 when the log is absent or empty. */
  public static long lastBatch(SparkSession spark, String checkpoint, String log) {
    try {
      Path dir = new Path(checkpoint, log);
      FileSystem fs = dir.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fs.exists(dir)) {
        return -1;
      }
      long last = -1;
      for (FileStatus f : fs.listStatus(dir)) {
        last = Math.max(last, batchId(f.getPath().getName()));
      }
      return last;
    } catch (IOException e) {
      throw PdmErrors.failure("read the checkpoint " + checkpoint, e.getMessage(),
          "check that the checkpoint location is reachable", e);
    }
  }

  /** A log file's batch id; -1 for Spark's other files there (.crc, temporary files). */
  static long batchId(String name) {
    if (name.isEmpty() || name.length() > 18) {
      return -1;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(name);
  }
}
