package dev.pdm.training;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Predictor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unit-grouped K-fold cross-validation over a grid. For each grid point and fold, a model is fit
 * on the other folds and predicts the fold; the out-of-fold predictions of all folds give the
 * metrics (per fold and their mean) and, for the classifier, the decision threshold.
 *
 * <p>Input rows are prepared once (see {@link GbtModels#prep}) and cached: columns asset_id,
 * cycle, fold, label and the feature vector.
 */
public final class CrossValidation {

  private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);

  /** Out-of-fold prediction column: predicted RUL, or the failure probability. */
  public static final String OOF = "oof";

  /** Cross-validated figures of one grid point. */
  public record PointResult(GridPoint point, Map<String, Double> mean, List<Map<String, Double>> perFold,
      double threshold, Dataset<Row> oof) {
    public double selection(Task task) {
      return mean.get(task.selectionMetric());
    }
  }

  /** Every grid point's figures and the best one. */
  public record Result(Task task, int folds, List<PointResult> points, PointResult best) {}

  private CrossValidation() {}

  /**
   * Cross-validates every grid point; keeps the out-of-fold predictions of the best only.
   *
   * @param maxFalseAlarmRate classifier threshold objective (see {@link Metrics#chooseThreshold})
   */
  public static Result run(Dataset<Row> prepared, Task task, List<GridPoint> grid, int k, int maxBins, long seed,
      double maxFalseAlarmRate) {
    List<PointResult> points = new ArrayList<>();
    PointResult best = null;
    for (GridPoint p : grid) {
      PointResult r = evaluate(prepared, task, p, k, maxBins, seed, maxFalseAlarmRate);
      LOG.info("{} {}: {} = {} (per fold {})", task.id(), p, task.selectionMetric(),
          String.format("%.4f", r.selection(task)), r.perFold().stream()
              .map(m -> String.format("%.4f", m.get(task.selectionMetric()))).toList());
      points.add(r);
      if (best == null || task.better(r.selection(task), best.selection(task))) {
        if (best != null) {
          best.oof().unpersist();
        }
        best = r;
      } else {
        r.oof().unpersist();
      }
    }
    return new Result(task, k, points, best);
  }

  /** One grid point over all folds. */
  public static PointResult evaluate(Dataset<Row> prepared, Task task, GridPoint p, int k, int maxBins, long seed,
      double maxFalseAlarmRate) {
    Dataset<Row> oof = null;
    for (int f = 0; f < k; f++) {
      Predictor<?, ?, ?> estimator = GbtModels.estimator(task, p, maxBins, seed);
      Model<?> model = (Model<?>) estimator.fit(prepared.where(col(GroupedFolds.FOLD).notEqual(f)));
      Dataset<Row> pred = model.transform(prepared.where(col(GroupedFolds.FOLD).equalTo(f)))
          .select(col("asset_id"), col("cycle"), col(GroupedFolds.FOLD), col(GbtModels.LABEL),
              (task == Task.RUL ? col(GbtModels.PREDICTION) : GbtModels.failureProbability()).as(OOF));
      oof = oof == null ? pred : oof.unionByName(pred);
    }
    oof = oof.persist(StorageLevel.MEMORY_AND_DISK());
    double threshold = task == Task.FAILURE
        ? Metrics.chooseThreshold(oof, GbtModels.LABEL, OOF, maxFalseAlarmRate) : Double.NaN;
    List<Map<String, Double>> perFold = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      perFold.add(metrics(oof.where(col(GroupedFolds.FOLD).equalTo(f)), task, threshold));
    }
    Map<String, Double> mean = new LinkedHashMap<>();
    for (String name : perFold.get(0).keySet()) {
      mean.put(name, perFold.stream().mapToDouble(m -> m.get(name)).average().orElse(Double.NaN));
    }
    return new PointResult(p, mean, perFold, threshold, oof);
  }

  /** The metrics of out-of-fold rows. */
  public static Map<String, Double> metrics(Dataset<Row> oof, Task task, double threshold) {
    return task == Task.RUL
        ? Metrics.rul(oof, GbtModels.LABEL, OOF).asMap()
        : Metrics.classifier(oof, GbtModels.LABEL, OOF, threshold).asMap();
  }
}
