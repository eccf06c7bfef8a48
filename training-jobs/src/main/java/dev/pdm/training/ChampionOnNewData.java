package dev.pdm.training;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.features.FeaturesJob;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The promotion gate's figure for a champion that reads another feature-set version than the
 * challenger: the champion model itself, on the challenger's training rows seen through the
 * champion's own feature set, with the challenger's labels and folds, as a mean over the folds like
 * the challenger's cross-validated figure.
 *
 * <p>This is what retraining after drift must beat: the model in service on the data it now has to
 * serve. The champion has seen some of these rows in its own training, which favours it; a
 * challenger that wins anyway is better by a margin.
 */
final class ChampionOnNewData {

  private ChampionOnNewData() {}

  /**
   * @param labelled the challenger's rows: asset_id, cycle, the fold column and {@code _label_<task>}
   */
  static double score(Warehouse warehouse, Tracking tracking, PdmConfig config, String dataset,
      PromotionGate.Champion champion, String name, Task task, Dataset<Row> labelled, int folds) {
    FeatureSet set = new FeatureSets(warehouse.spark(), warehouse).load(dataset, champion.featureSetVersion());
    Dataset<Row> keys = labelled.select(col("asset_id"), col("cycle"), col(GroupedFolds.FOLD),
        col("_label_" + task.id()).as(GbtModels.LABEL));
    Dataset<Row> series = warehouse.read(Tables.SILVER_TELEMETRY, "pdm ingest-files")
        .where(col("dataset").equalTo(dataset).and(col("cycle").isNotNull()))
        .join(keys.select("asset_id").distinct(), "asset_id");
    Dataset<Row> features = FeaturesJob.compute(series, set, System.currentTimeMillis())
        .drop("rul", "fails_within_horizon")
        .join(keys, new String[] {"asset_id", "cycle"});
    PipelineModel model = ModelArtifacts.load(warehouse.spark(), tracking, config, dataset, name, champion.version(),
        champion.runId(), task);
    Dataset<Row> predicted = model.transform(features)
        .select(col("asset_id"), col("cycle"), col(GroupedFolds.FOLD), col(GbtModels.LABEL),
            (task == Task.RUL ? col(GbtModels.PREDICTION) : GbtModels.failureProbability()).as(CrossValidation.OOF))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      double sum = 0;
      for (int f = 0; f < folds; f++) {
        // The selection metrics (RMSE over rows, area under PR) do not depend on the threshold.
        sum += CrossValidation.metrics(predicted.where(col(GroupedFolds.FOLD).equalTo(f)), task, 0.5)
            .get(task.selectionMetric());
      }
      return sum / folds;
    } finally {
      predicted.unpersist();
    }
  }
}
