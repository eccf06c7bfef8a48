package dev.pdm.training;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Spark ML pipelines: a {@link SQLTransformer} that reads undefined features (a window's
 * deviation or slope before it has two cycles) as 0, a {@link VectorAssembler}, and a GBT model.
 * Every stage has a PySpark counterpart, so Python's {@code mlflow.spark.load_model} loads the
 * pipeline as it is.
 */
public final class GbtModels {

  /** The assembled feature vector. */
  public static final String VECTOR = "_pdm_features";
  /** The numeric label the estimators learn (0/1 for the classifier). */
  public static final String LABEL = "label";

  /**
   * Trees between checkpoints of boosting's running predictions (with a checkpoint directory set,
   * see {@link RddCheckpoints}). Spark's default of 10 lets every task ship up to ten trees of
   * lineage; 3 took 8% off a FD001 fit's CPU, the checkpoints being a few hundred KB.
   */
  static final int CHECKPOINT_INTERVAL = 3;

  private GbtModels() {}

  /**
   * The tree settings every fit of a run shares (not searched by the grid): bins per feature, the
   * subsampling seed, the features a node considers and the fewest rows per leaf.
   */
  public record Trees(int maxBins, long seed, String featureSubset, int minInstancesPerNode) {
    public Trees {
      if (maxBins < 2) {
        throw PdmErrors.badConfigValue(PdmConfigKeys.TRAINING_MAX_BINS.name(), Integer.toString(maxBins), "2 or more");
      }
      if (minInstancesPerNode < 1) {
        throw PdmErrors.badConfigValue(PdmConfigKeys.TRAINING_MIN_INSTANCES.name(),
            Integer.toString(minInstancesPerNode), "1 or more");
      }
      try {
        new GBTRegressor().setFeatureSubsetStrategy(featureSubset);
      } catch (IllegalArgumentException e) {
        throw PdmErrors.badConfigValue(PdmConfigKeys.TRAINING_FEATURE_SUBSET.name(), featureSubset,
            "all, onethird, sqrt, log2, a fraction in (0, 1] or a count");
      }
    }

    /** From the pdm.training.* keys; the seed is pdm.training.tree-seed, else pdm.training.fold-seed. */
    public static Trees of(PdmConfig config) {
      String treeSeed = config.get(PdmConfigKeys.TRAINING_TREE_SEED);
      long seed = config.getLong(treeSeed == null || treeSeed.isBlank()
          ? PdmConfigKeys.TRAINING_FOLD_SEED : PdmConfigKeys.TRAINING_TREE_SEED);
      return new Trees(config.getInt(PdmConfigKeys.TRAINING_MAX_BINS), seed,
          config.require(PdmConfigKeys.TRAINING_FEATURE_SUBSET).trim(),
          config.getInt(PdmConfigKeys.TRAINING_MIN_INSTANCES));
    }

    /** The same settings with the trees drawn from another seed. */
    public Trees withSeed(long other) {
      return new Trees(maxBins, other, featureSubset, minInstancesPerNode);
    }
  }

  /**
   * One model that predicts the mean of {@code members}' predictions: their trees side by side,
   * each tree's weight divided by the number of members (a GBT regression predicts the weighted sum
   * of its trees). It stays a {@link GBTRegressionModel} with the first member's parameters, so it
   * is saved, loaded (Java and Python) and evaluated row by row as one model. Averaging fits that
   * differ only in their random draws removes part of each one's error (see README, issue 19).
   */
  public static GBTRegressionModel average(List<GBTRegressionModel> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("no models to average");
    }
    if (members.size() == 1) {
      return members.get(0);
    }
    GBTRegressionModel first = members.get(0);
    List<DecisionTreeRegressionModel> trees = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (GBTRegressionModel m : members) {
      if (m.numFeatures() != first.numFeatures()) {
        throw new IllegalArgumentException("cannot average models of " + first.numFeatures() + " and "
            + m.numFeatures() + " features");
      }
      trees.addAll(Arrays.asList(m.trees()));
      for (double w : m.treeWeights()) {
        weights.add(w / members.size());
      }
    }
    GBTRegressionModel averaged = new GBTRegressionModel(first.uid(),
        trees.toArray(DecisionTreeRegressionModel[]::new), weights.stream().mapToDouble(Double::doubleValue).toArray(),
        first.numFeatures());
    return first.copyValues(averaged, ParamMap.empty());
  }

  /** Feature preparation: nulls to 0, then one vector column. */
  public static PipelineStage[] prep(List<String> features) {
    StringBuilder sql = new StringBuilder("SELECT *");
    List<String> filled = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      String name = "_pdm_f" + i;
      sql.append(", coalesce(CAST(`").append(features.get(i)).append("` AS DOUBLE), 0D) AS ").append(name);
      filled.add(name);
    }
    sql.append(" FROM __THIS__");
    return new PipelineStage[] {
        new SQLTransformer().setStatement(sql.toString()),
        new VectorAssembler().setInputCols(filled.toArray(String[]::new)).setOutputCol(VECTOR)
    };
  }

  /** The estimator of a task at one grid point. */
  public static Predictor<?, ?, ?> estimator(Task task, GridPoint p, Trees trees) {
    return switch (task) {
      case RUL -> new GBTRegressor()
          .setMaxDepth(p.maxDepth()).setMaxIter(p.maxIter()).setStepSize(p.stepSize())
          .setSubsamplingRate(p.subsamplingRate()).setMaxBins(trees.maxBins()).setSeed(trees.seed())
          .setFeatureSubsetStrategy(trees.featureSubset()).setMinInstancesPerNode(trees.minInstancesPerNode())
          .setCheckpointInterval(CHECKPOINT_INTERVAL)
          .setFeaturesCol(VECTOR).setLabelCol(LABEL).setPredictionCol(ModelOutputs.PREDICTION);
      case FAILURE -> new GBTClassifier()
          .setMaxDepth(p.maxDepth()).setMaxIter(p.maxIter()).setStepSize(p.stepSize())
          .setSubsamplingRate(p.subsamplingRate()).setMaxBins(trees.maxBins()).setSeed(trees.seed())
          .setFeatureSubsetStrategy(trees.featureSubset()).setMinInstancesPerNode(trees.minInstancesPerNode())
          .setCheckpointInterval(CHECKPOINT_INTERVAL)
          .setFeaturesCol(VECTOR).setLabelCol(LABEL).setPredictionCol(ModelOutputs.PREDICTION)
          .setProbabilityCol(ModelOutputs.PROBABILITY);
    };
  }

  /**
   * The whole pipeline of a task, fit on labelled rows. The classifier carries its decision
   * threshold as Spark's {@code thresholds} (1 - t, t), so its {@code prediction} is 1 exactly when
   * the failure probability exceeds t, in Java and in Python alike.
   */
  public static PipelineModel fit(Dataset<Row> labelled, List<String> features, Task task, GridPoint p,
      Trees trees, double threshold) {
    Predictor<?, ?, ?> estimator = estimator(task, p, trees, threshold);
    PipelineStage[] prep = prep(features);
    return new Pipeline().setStages(new PipelineStage[] {prep[0], prep[1], estimator}).fit(labelled);
  }

  /**
   * The same pipeline as {@link #fit}, with only the estimator fitted, on rows {@code prep} already
   * prepared (the vector and {@link #LABEL}): a run assembles its vectors once for every fit. The
   * pipeline is {@code prep}'s stages followed by the model; {@code schemaOf}, rows with the raw
   * feature columns, only lets the pipeline check its stages' schemas (no job runs on it).
   */
  public static PipelineModel fitPrepared(PipelineModel prep, Dataset<Row> schemaOf, Dataset<Row> prepared, Task task,
      GridPoint p, Trees trees, double threshold) {
    return fitPrepared(prep, schemaOf, prepared, task, p, trees, threshold, 1, 1);
  }

  /**
   * {@link #fitPrepared} for a RUL model averaged over {@code seeds} fits (see {@link #average}),
   * seeded {@code trees.seed()}, {@code + 1}, ..., run up to {@code parallelism} at a time. One seed
   * is exactly {@link #fitPrepared}; the classifier is always one fit, and so is a RUL model whose
   * trees draw nothing at random (no subsampling, every feature at every node: all seeds agree).
   */
  public static PipelineModel fitPrepared(PipelineModel prep, Dataset<Row> schemaOf, Dataset<Row> prepared, Task task,
      GridPoint p, Trees trees, double threshold, int seeds, int parallelism) {
    return fitPrepared(prep, schemaOf, prepared, task, p, trees, threshold, seeds, parallelism, List.of());
  }

  /**
   * As {@link #fitPrepared(PipelineModel, Dataset, Dataset, Task, GridPoint, Trees, double, int, int)},
   * with {@code alsoAveraged} (a RUL model only: models of the same features fitted elsewhere, e.g.
   * the cross-validation's fold models) averaged in beside the fits, each member weighing the same.
   */
  public static PipelineModel fitPrepared(PipelineModel prep, Dataset<Row> schemaOf, Dataset<Row> prepared, Task task,
      GridPoint p, Trees trees, double threshold, int seeds, int parallelism, List<GBTRegressionModel> alsoAveraged) {
    if (task != Task.RUL && !alsoAveraged.isEmpty()) {
      throw new IllegalArgumentException("only a RUL model averages other models in");
    }
    int fits = task == Task.RUL && seeds > 1 && drawsAtRandom(p, trees) ? seeds : 1;
    Model<?> model;
    if (fits > 1 || !alsoAveraged.isEmpty()) {
      List<Callable<GBTRegressionModel>> work = new ArrayList<>();
      for (int i = 0; i < fits; i++) {
        Trees member = trees.withSeed(trees.seed() + i);
        work.add(() -> (GBTRegressionModel) estimator(task, p, member, threshold).fit(prepared));
      }
      List<GBTRegressionModel> members = new ArrayList<>(SideBySide.run("pdm-final-fit", parallelism, work));
      members.addAll(alsoAveraged);
      model = average(members);
    } else {
      model = (Model<?>) estimator(task, p, trees, threshold).fit(prepared);
    }
    List<PipelineStage> stages = new ArrayList<>(Arrays.asList(prep.stages()));
    stages.add(model);
    // Transformers only: fit trains nothing and runs no job; it returns them as one PipelineModel.
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(schemaOf);
  }

  /** Whether fits that differ only in their seed can differ at all. */
  static boolean drawsAtRandom(GridPoint p, Trees trees) {
    String subset = trees.featureSubset().toLowerCase(Locale.ROOT);
    return p.subsamplingRate() < 1 || !(subset.equals("all") || subset.equals("auto"));
  }

  /** The estimator of a final model: the classifier carries its decision threshold (see {@link #fit}). */
  private static Predictor<?, ?, ?> estimator(Task task, GridPoint p, Trees trees, double threshold) {
    Predictor<?, ?, ?> estimator = estimator(task, p, trees);
    if (task == Task.FAILURE) {
      ((GBTClassifier) estimator).setThresholds(new double[] {1 - threshold, threshold});
    }
    return estimator;
  }
}
