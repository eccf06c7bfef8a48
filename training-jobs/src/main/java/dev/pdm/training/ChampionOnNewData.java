package dev.pdm.training;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.features.FeaturesJob;
import dev.pdm.mlflow.ModelArtifacts;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The promotion gate's comparison when the champion reads another feature-set version than the
 * challenger (after {@code features --full}, as retraining on drift does): the champion model
 * itself, seen through its own feature set, against the challenger's out-of-fold predictions, on
 * the same rows with the same labels.
 *
 * <p>The rows are those of the engines the champion never trained on (its training engines are the
 * ones of its run's out-of-fold predictions, {@code validation_predictions.csv}): on those both
 * models predict unseen data, so neither is favoured. Only when there are none (the same engines,
 * refitted features) are all rows used, which favours the champion: it has seen them.
 */
final class ChampionOnNewData {

  private ChampionOnNewData() {}

  /** Both figures on the same rows, and what the rows were. */
  record Comparison(double challenger, double champion, String basis) {}

  /**
   * @param labelled the challenger's rows: asset_id, cycle and {@code _label_<task>}
   * @param oof the challenger's out-of-fold predictions: asset_id, cycle and {@link CrossValidation#OOF}
   */
  static Comparison compare(Warehouse warehouse, Tracking tracking, PdmConfig config, String dataset,
      PromotionGate.Champion champion, String name, Task task, Dataset<Row> labelled, Dataset<Row> oof) {
    Dataset<Row> keys = labelled.select(col("asset_id"), col("cycle"), col("_label_" + task.id()).as(GbtModels.LABEL));
    Dataset<Row> seen = trainedAssets(warehouse, tracking, config, dataset, champion);
    Dataset<Row> unseen = keys.join(seen, keys.col("asset_id").equalTo(seen.col("asset_id")), "left_anti");
    long newAssets = unseen.select("asset_id").distinct().count();
    String rows = newAssets > 0
        ? "on the " + newAssets + " engines champion v" + champion.version() + " never trained on"
        : "on all rows (no engine is new to champion v" + champion.version() + ", which favours it)";
    if (newAssets > 0) {
      keys = unseen;
    }
    FeatureSet set = new FeatureSets(warehouse.spark(), warehouse).load(dataset, champion.featureSetVersion());
    Dataset<Row> series = warehouse.read(Tables.SILVER_TELEMETRY, "pdm ingest-files")
        .where(col("dataset").equalTo(dataset).and(col("cycle").isNotNull()))
        .join(keys.select("asset_id").distinct(), "asset_id");
    Dataset<Row> features = FeaturesJob.compute(series, set, System.currentTimeMillis())
        .drop("rul", "fails_within_horizon")
        .join(keys, new String[] {"asset_id", "cycle"});
    PipelineModel model = ModelArtifacts.load(warehouse.spark(), tracking, config, dataset, name, champion.version(),
        champion.runId(), task);
    Dataset<Row> championRows = model.transform(features)
        .select(col("asset_id"), col("cycle"), col(GbtModels.LABEL),
            (task == Task.RUL ? col(ModelOutputs.PREDICTION) : ModelOutputs.failureProbability()).as(CrossValidation.OOF))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> challengerRows = oof.select("asset_id", "cycle", CrossValidation.OOF)
        .join(keys, new String[] {"asset_id", "cycle"});
    try {
      // The selection metrics (RMSE over rows, area under PR) do not depend on the threshold.
      double champ = CrossValidation.metrics(championRows, task, 0.5).get(task.selectionMetric());
      double chall = CrossValidation.metrics(challengerRows, task, 0.5).get(task.selectionMetric());
      return new Comparison(chall, champ, "champion v" + champion.version() + " itself through its feature set v"
          + champion.featureSetVersion() + " vs the challenger's out-of-fold predictions, " + rows);
    } finally {
      championRows.unpersist();
    }
  }

  /** The engines of the champion's training rows: its run's out-of-fold predictions. */
  private static Dataset<Row> trainedAssets(Warehouse warehouse, Tracking tracking, PdmConfig config,
      String dataset, PromotionGate.Champion champion) {
    String dir = config.require(PdmConfigKeys.MODEL_DIR) + "/" + dataset + "/" + champion.runId()
        + "/validation_predictions";
    try {
      Path path = new Path(dir);
      FileSystem fs = path.getFileSystem(warehouse.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        // Trained elsewhere: the run's artifact, copied next to where train would have left it.
        try (InputStream in = tracking.open(tracking.artifactUri(champion.runId()), "validation_predictions.csv");
             OutputStream out = fs.create(new Path(path, "validation_predictions.csv"), true)) {
          in.transferTo(out);
        }
      }
    } catch (IOException e) {
      throw dev.pdm.common.PdmErrors.failure("read the training engines of champion v" + champion.version(),
          e.getMessage(), "check " + dir + " or the run's artifact validation_predictions.csv", e);
    }
    return warehouse.spark().read().option("header", "true").csv(dir).select("asset_id").distinct();
  }
}
