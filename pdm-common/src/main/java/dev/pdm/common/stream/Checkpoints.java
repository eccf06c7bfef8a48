package dev.pdm.common.stream;

import dev.pdm.common.PdmErrors;
import java.io.IOException;
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

  private Checkpoints() {}

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
