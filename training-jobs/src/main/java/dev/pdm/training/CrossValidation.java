package dev.pdm.training;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.ml.Model;
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
 * cycle, {@link dev.pdm.mlflow.Histograms#BAND_AT}, fold, label and the feature vector. All fits of the grid (points × folds) go through one
 * pool of {@link Settings#parallelism()} driver threads: boosting runs a few small Spark jobs per
 * tree, whose fixed cost leaves cores idle that a second fit uses.
 *
 * <p>Usage:
 * <pre>{@code
 * CrossValidation.Result cv = CrossValidation.run(prepared, Task.RUL, grid, new Settings(5, GbtModels.Trees.of(config), 0.05, 2));
 * GridPoint chosen = cv.best().point();
 * }</pre>
 */
public final class CrossValidation {

  private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);

  /** Out-of-fold prediction column: predicted RUL, or the failure probability. */
  public static final String OOF = "oof";

  /**
   * Cross-validated figures of one grid point, and its fold models (model f fitted on every fold
   * but f; kept for the best point only, see {@link #run}).
   */
  public record PointResult(GridPoint point, Map<String, Double> mean, List<Map<String, Double>> perFold,
      double threshold, Dataset<Row> oof, List<Model<?>> foldModels) {
    public double selection(Task task) {
      return mean.get(task.selectionMetric());
    }

    PointResult withoutModels() {
      return new PointResult(point, mean, perFold, threshold, oof, List.of());
    }
  }

  /**
   * How to cross-validate: folds, the trees' settings, the classifier's false-alarm bound (see
   * {@link Metrics#chooseThreshold}) and how many fits run side by side.
   */
  public record Settings(int folds, GbtModels.Trees trees, double maxFalseAlarmRate, int parallelism) {
    public Settings {
      if (parallelism < 1) {
        throw PdmErrors.badConfigValue(PdmConfigKeys.TRAINING_PARALLELISM.name(), Integer.toString(parallelism),
            "1 or more");
      }
    }
  }

  /** Every grid point's figures and the best one. */
  public record Result(Task task, int folds, List<PointResult> points, PointResult best) {}

  private CrossValidation() {}

  /** Cross-validates every grid point; keeps the out-of-fold predictions and fold models of the best only. */
  public static Result run(Dataset<Row> prepared, Task task, List<GridPoint> grid, Settings settings) {
    Map<GridPoint, List<Model<?>>> models = fitAll(prepared, task, grid, settings);
    List<PointResult> points = new ArrayList<>();
    PointResult best = null;
    for (GridPoint p : grid) {
      PointResult r = score(prepared, task, p, models.get(p), settings);
      LOG.info("{} {}: {} = {} (per fold {})", task.id(), p, task.selectionMetric(),
          String.format("%.4f", r.selection(task)), r.perFold().stream()
              .map(m -> String.format("%.4f", m.get(task.selectionMetric()))).toList());
      points.add(r.withoutModels());
      if (best == null || task.better(r.selection(task), best.selection(task))) {
        if (best != null) {
          best.oof().unpersist();
        }
        best = r;
      } else {
        r.oof().unpersist();
      }
    }
    return new Result(task, settings.folds(), points, best);
  }

  /** One grid point over all folds. */
  public static PointResult evaluate(Dataset<Row> prepared, Task task, GridPoint p, Settings settings) {
    return score(prepared, task, p, fitAll(prepared, task, List.of(p), settings).get(p), settings);
  }

  /** The out-of-fold predictions of a point's fold models, and their figures. */
  private static PointResult score(Dataset<Row> prepared, Task task, GridPoint p, List<Model<?>> models,
      Settings settings) {
    int k = settings.folds();
    Dataset<Row> oof = null;
    for (int f = 0; f < k; f++) {
      Dataset<Row> pred = models.get(f).transform(prepared.where(col(GroupedFolds.FOLD).equalTo(f)))
          .select(col("asset_id"), col("cycle"), col(dev.pdm.mlflow.Histograms.BAND_AT), col(GroupedFolds.FOLD),
              col(GbtModels.LABEL),
              (task == Task.RUL ? col(ModelOutputs.PREDICTION) : ModelOutputs.failureProbability()).as(OOF));
      oof = oof == null ? pred : oof.unionByName(pred);
    }
    oof = oof.persist(StorageLevel.MEMORY_AND_DISK());
    double threshold = task == Task.FAILURE
        ? Metrics.chooseThreshold(oof, GbtModels.LABEL, OOF, settings.maxFalseAlarmRate()) : Double.NaN;
    List<Map<String, Double>> perFold = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      perFold.add(metrics(oof.where(col(GroupedFolds.FOLD).equalTo(f)), task, threshold));
    }
    Map<String, Double> mean = new LinkedHashMap<>();
    for (String name : perFold.get(0).keySet()) {
      mean.put(name, perFold.stream().mapToDouble(m -> m.get(name)).average().orElse(Double.NaN));
    }
    return new PointResult(p, mean, perFold, threshold, oof, models);
  }

  /**
   * The model of each grid point and fold, fitted on the other folds: every fit of the grid goes
   * into one pool of up to {@code parallelism} at a time, so the fits of one point do not wait for
   * the slowest fold of the point before.
   */
  private static Map<GridPoint, List<Model<?>>> fitAll(Dataset<Row> prepared, Task task, List<GridPoint> grid,
      Settings settings) {
    int k = settings.folds();
    List<Callable<Model<?>>> fits = new ArrayList<>();
    for (GridPoint p : grid) {
      for (int f = 0; f < k; f++) {
        int fold = f;
        fits.add(() -> (Model<?>) GbtModels.estimator(task, p, settings.trees())
            .fit(prepared.where(col(GroupedFolds.FOLD).notEqual(fold))));
      }
    }
    List<Model<?>> models = SideBySide.run("pdm-cv-fit", settings.parallelism(), fits);
    Map<GridPoint, List<Model<?>>> byPoint = new LinkedHashMap<>();
    for (int i = 0; i < grid.size(); i++) {
      byPoint.put(grid.get(i), models.subList(i * k, (i + 1) * k));
    }
    return byPoint;
  }

  /** The metrics of out-of-fold rows. */
  public static Map<String, Double> metrics(Dataset<Row> oof, Task task, double threshold) {
    return task == Task.RUL
        ? Metrics.rul(oof, GbtModels.LABEL, OOF).asMap()
        : Metrics.classifier(oof, GbtModels.LABEL, OOF, threshold).asMap();
  }
}
