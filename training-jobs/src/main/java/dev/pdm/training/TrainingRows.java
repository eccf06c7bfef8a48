package dev.pdm.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.feedback.AssetEvents;
import dev.pdm.features.feedback.FailureLabels;
import dev.pdm.mlflow.Histograms;
import dev.pdm.mlflow.Task;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * The labelled train rows of a dataset's feature set, read once at a pinned gold.features version,
 * dealt into unit-grouped folds and assembled into feature vectors once: every cross-validation fit
 * and both final fits read the same cached vectors ({@link #prepared}: asset_id, cycle, fold, both
 * labels, the vector), so no fit reads Delta or assembles a vector again. {@link #labelled} are the
 * rows as gold.features holds them (not cached); {@link #prep} the fitted preparation stages.
 *
 * <p>Usage:
 * <pre>{@code
 * try (TrainingRows rows = TrainingRows.load(warehouse, set, horizon, k, seed, true)) {
 *   Dataset<Row> rul = rows.forTask(Task.RUL);   // asset_id, cycle, fold, label, vector
 *   PipelineModel model = GbtModels.fitPrepared(rows.prep(), rows.labelled(), rul, Task.RUL, point, trees, Double.NaN);
 * }
 * }</pre>
 */
public record TrainingRows(long goldVersion, Dataset<Row> labelled, PipelineModel prep, Dataset<Row> prepared,
    long assets, long rows, Optional<String> checkpointFile) implements AutoCloseable {

  /**
   * Training rows per partition of the cached vectors (at most one partition per core): C-MAPSS's
   * 13k-61k rows train in one. Measured on the demo's train (13k rows, 2 cores): one partition
   * instead of two cut its fits' time by a fifth, with the folds fitted side by side.
   */
  static final long ROWS_PER_PARTITION = 100_000;

  /** Resolution of {@code pdm.training.asset-fraction}: hash buckets of asset ids. */
  private static final long SAMPLE_BUCKETS = 1_000_000;

  /**
   * Reads, folds, assembles and caches the rows: the train split's, and with {@code useFeedback}
   * also the streamed assets reported failed ({@link FailureLabels}); fails when there are none or
   * fewer assets than folds (the cache is released then).
   */
  public static TrainingRows load(Warehouse warehouse, FeatureSet set, int horizon, int k, long seed,
      boolean useFeedback) {
    return load(warehouse, set, horizon, k, seed, useFeedback, 1.0);
  }

  /**
   * As {@link #load(Warehouse, FeatureSet, int, int, long, boolean)}, on the share {@code assetFraction}
   * of the assets (whole assets, by a hash of asset_id: the same ones on every run).
   */
  public static TrainingRows load(Warehouse warehouse, FeatureSet set, int horizon, int k, long seed,
      boolean useFeedback, double assetFraction) {
    if (!(assetFraction > 0 && assetFraction <= 1)) {
      throw PdmErrors.badConfigValue("pdm.training.asset-fraction", Double.toString(assetFraction),
          "a share of the assets in (0, 1], e.g. 0.1");
    }
    String d = set.dataset();
    long goldVersion = warehouse.version(Tables.GOLD_FEATURES);
    Dataset<Row> gold = warehouse.read(Tables.GOLD_FEATURES, goldVersion, "pdm features --dataset " + d)
        .where(col("dataset").equalTo(d).and(col("feature_set_version").equalTo(set.version())));
    Dataset<Row> examples = gold.where(col("split").equalTo("train").and(col("rul").isNotNull()));
    if (useFeedback) {
      // streamed assets reported failed (never the test split: its RUL is the benchmark's answer)
      examples = examples.unionByName(FailureLabels.apply(gold.where(col("split").isNull()),
          AssetEvents.failures(warehouse, d), set).where(col("rul").isNotNull()));
    }
    if (assetFraction < 1) {
      examples = examples.where(pmod(xxhash64(col("asset_id")), lit(SAMPLE_BUCKETS))
          .lt(lit(Math.round(assetFraction * SAMPLE_BUCKETS))));
    }
    Dataset<Row> labelled = examples
        .withColumn("_label_" + Task.RUL.id(), col("rul").cast("double"))
        // a time fleet's RUL is whole hours, rounded down: within H hours is a label below H
        .withColumn("_label_" + Task.FAILURE.id(), when(set.spec().timed() ? col("rul").lt(horizon)
            : col("rul").leq(horizon), lit(1.0)).otherwise(lit(0.0)))
        .withColumn(Histograms.BAND_AT, Histograms.bandAt(set.spec().timed()));
    Dataset<Row> withFolds = GroupedFolds.assign(labelled, k, seed);
    List<String> features = set.featureNames();
    PipelineModel prep = new Pipeline().setStages(GbtModels.prep(features)).fit(withFolds);
    Dataset<Row> assembled = prep.transform(withFolds)
        .select("asset_id", "cycle", Histograms.BAND_AT, GroupedFolds.FOLD, "_label_" + Task.RUL.id(),
            "_label_" + Task.FAILURE.id(), GbtModels.VECTOR)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Row counts = assembled.agg(countDistinct("asset_id"), org.apache.spark.sql.functions.count(lit(1))).head();
    // Boosting runs several Spark jobs per tree, each with a fixed cost per task: small data trains
    // fastest in one partition per fit, with several fits side by side filling the cores.
    int partitions = (int) Math.max(1, Math.min(warehouse.spark().sparkContext().defaultParallelism(),
        (counts.getLong(1) + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    Dataset<Row> prepared = shortLineage(assembled.coalesce(partitions));
    Optional<String> checkpointFile = checkpointFile(prepared);
    if (checkpointFile.isPresent()) {
      // a reliable checkpoint is files: keep the vectors in memory too (a local one already is)
      prepared = prepared.persist(StorageLevel.MEMORY_AND_DISK());
      prepared.count();
    }
    assembled.unpersist();
    TrainingRows r = new TrainingRows(goldVersion, labelled, prep, prepared, counts.getLong(0), counts.getLong(1),
        checkpointFile);
    try {
      if (r.rows == 0) {
        throw PdmErrors.failure("train on dataset " + d, "gold.features has no labelled train rows of feature set v"
            + set.version(), "land run-to-failure data with `pdm ingest-files --split train`, then `pdm features`");
      }
      if (r.assets < k) {
        throw PdmErrors.usage("cross-validate " + d + " with " + k + " folds", "it has only " + r.assets
            + " run-to-failure assets", "pass --cv-folds " + Math.max(2, r.assets) + " or fewer, or land more assets");
      }
      return r;
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /**
   * The vectors as a plan of their own: boosting runs a Spark job per level of every tree, and each
   * task deserialises its input's whole lineage, here the Delta scan and the 150-column preparation
   * that the cache hides from the plan but not from the RDDs (a FD001 training's profile: 30% of
   * its CPU in Java serialisation, mostly of that plan). Checkpointed to the training's checkpoint
   * directory ({@link RddCheckpoints}) when the job set one, so a lost executor costs a re-read,
   * not the run; otherwise (a unit test's session) into the executors' block stores.
   */
  private static Dataset<Row> shortLineage(Dataset<Row> rows) {
    return rows.sparkSession().sparkContext().getCheckpointDir().isDefined() ? rows.checkpoint(true)
        : rows.localCheckpoint(true);
  }

  /** The files of a reliable checkpoint's RDD ({@link Dataset#checkpoint} plans it as a LogicalRDD). */
  private static Optional<String> checkpointFile(Dataset<Row> checkpointed) {
    if (checkpointed.queryExecution().analyzed() instanceof LogicalRDD plan && plan.rdd().getCheckpointFile().isDefined()) {
      return Optional.of(plan.rdd().getCheckpointFile().get());
    }
    return Optional.empty();
  }

  /** The prepared rows with a task's label as {@link GbtModels#LABEL}. */
  public Dataset<Row> forTask(Task task) {
    return prepared.withColumn(GbtModels.LABEL, col("_label_" + task.id()));
  }

  @Override
  public void close() {
    prepared.unpersist();
    // Spark removes a local checkpoint's blocks with the RDD, but never a reliable checkpoint's
    // files: under a checkpoint directory the user set, they would outlive the run (~75 MB on FD004).
    checkpointFile.ifPresent(f -> RddCheckpoints.delete(prepared.sparkSession().sparkContext(), f,
        "training vectors' checkpoint"));
  }
}
