package dev.pdm.training;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark checkpoint directory of a training run. Gradient boosting checkpoints the
 * predictions it updates every {@code checkpointInterval} trees, but only when the SparkContext has
 * a checkpoint directory; without one the lineage grows by a step per tree and every task ships
 * all of it (on FD001, 15% of a fit's time went to serializing that lineage). A directory set by
 * the user ({@code spark.checkpoint.dir}) is kept as it is; one set here is removed on close.
 *
 * <p>Usage:
 * <pre>{@code
 * try (RddCheckpoints c = RddCheckpoints.ensure(spark.sparkContext(), config.require(TRAINING_CHECKPOINT_DIR))) {
 *   ... fit models ...
 * }
 * }</pre>
 */
final class RddCheckpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RddCheckpoints.class);
  /** Directories set here: a later run in the same application reuses and removes them again. */
  private static final Set<String> OURS = ConcurrentHashMap.newKeySet();

  private final SparkContext sc;
  private final String created;

  private RddCheckpoints(SparkContext sc, String created) {
    this.sc = sc;
    this.created = created;
  }

  /** Sets {@code root} (a path or URI every executor can reach) as the checkpoint root unless one is set. */
  static RddCheckpoints ensure(SparkContext sc, String root) {
    if (sc.getCheckpointDir().isDefined()) {
      String current = sc.getCheckpointDir().get();
      return new RddCheckpoints(sc, OURS.contains(current) ? current : null);
    }
    sc.setCheckpointDir(root);
    String created = sc.getCheckpointDir().get();
    OURS.add(created);
    return new RddCheckpoints(sc, created);
  }

  @Override
  public void close() {
    if (created != null) {
      delete(sc, created, "training checkpoint directory");
    }
  }

  /**
   * Removes a checkpoint path (recursively); a failure is logged, not thrown: leftover checkpoint
   * files cost disk, not correctness.
   */
  static void delete(SparkContext sc, String path, String what) {
    Path dir = new Path(path);
    try {
      FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
      fs.delete(dir, true);
    } catch (IOException e) {
      LOG.warn("Could not remove the {} {}: {}", what, path, e.toString());
    }
  }
}
