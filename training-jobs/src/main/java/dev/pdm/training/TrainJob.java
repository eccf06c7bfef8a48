package dev.pdm.training;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.cli.Phases;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.mlflow.Histograms;
import dev.pdm.mlflow.ModelArtifacts;
import dev.pdm.mlflow.ReferenceProfile;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.RulIntervals;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;
import org.mlflow.api.proto.Service.RunInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the two models of a dataset on {@code gold.features}: a GBTRegressor for RUL and a
 * GBTClassifier for failure within the horizon, each a Spark ML pipeline. Hyperparameters come
 * from unit-grouped K-fold cross-validation over the grid of the pdm.training.grid.* keys; the
 * classifier's threshold is the best F1 on the validation folds at a false-alarm rate of at most
 * pdm.training.max-false-alarm-rate.
 *
 * <p>With tracking (the default) one MLflow run per invocation, in experiment
 * {@code <prefix><dataset>}, records parameters, per-fold and mean metrics, tags and artifacts
 * (both models in the spark flavor layout, feature importances as JSON and PNG, out-of-fold
 * validation predictions as CSV, the {@link ReferenceProfile} that drift reports compare with);
 * both models are registered, each new version gets alias {@code challenger}, and
 * {@link PromotionGate} moves {@code champion}. The tracking server is
 * checked before any work: an unreachable one fails within seconds.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.training.TrainJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm --dataset FD001 [--horizon 30] [--cv-folds 5] [--no-tracking]
 * </pre>
 */
public final class TrainJob {

  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  /** The run's artifact with the reference profile (also rows in ops.reference_profiles). */
  public static final String REFERENCE_PROFILE = "reference_profile.json";

  /** Validated options; null horizon and folds mean the feature set's horizon and the config's folds. */
  public record Options(PdmConfig config, String dataset, Integer horizon, Integer cvFolds, boolean noTracking) {
    public Options {
      Names.requireDataset(dataset);
      if (horizon != null && horizon < 1) {
        throw PdmErrors.badValue("--horizon", horizon.toString(), "a number of cycles (hours on a time fleet) >= 1");
      }
      if (cvFolds != null && cvFolds < 2) {
        throw PdmErrors.badValue("--cv-folds", cvFolds.toString(), "2 or more");
      }
    }
  }

  /** One trained model. */
  public record Trained(Task task, GridPoint point, Map<String, Double> cv, double threshold, PipelineModel model,
      String modelDir, String registeredName, String version, PromotionGate.Decision decision) {}

  /** What a run did. */
  public record Result(String dataset, String runId, String experimentId, int featureSetVersion, long goldVersion,
      long assets, long rows, int folds, int horizon, Map<Task, Trained> models, RulIntervals rulIntervals)
      implements JobResult {
    @Override
    public String summary() {
      StringBuilder s = new StringBuilder("train: dataset " + dataset + ", feature set v" + featureSetVersion
          + ", gold.features version " + goldVersion + ", " + rows + " rows of " + assets + " assets, " + folds
          + " unit-grouped folds, " + (runId.startsWith("local-") ? "not tracked" : "MLflow run " + runId));
      for (Trained t : models.values()) {
        s.append("\n  ").append(t.task().id()).append(": ").append(t.point());
        t.cv().forEach((k, v) -> s.append(", ").append(k).append(' ').append(PromotionGate.fmt(v)));
        if (t.task() == Task.RUL && rulIntervals != null) {
          s.append(String.format(", %.0f%% interval by predicted RUL band:", 100 * rulIntervals.level()));
          for (RulIntervals.Band b : rulIntervals.bands()) {
            s.append(String.format(" %s %+.1f..%+.1f;", b.below() == null ? "rest" : String.format("<%.0f", b.below()),
                b.lower(), b.upper()));
          }
        }
        if (t.version() != null) {
          s.append("\n    registered ").append(t.registeredName()).append(" v").append(t.version())
              .append(" as challenger; ").append(t.decision().describe(t.task()));
        } else {
          s.append("\n    saved to ").append(t.modelDir()).append(" (--no-tracking: not registered)");
        }
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--dataset", required = true, metaVar = "ID", usage = "dataset (fleet) id, e.g. FD001")
    String dataset;

    @Option(name = "--horizon", metaVar = "N", usage = "failure horizon of the classifier, in cycles or a time fleet's hours (default: the"
        + " feature set's, pdm.labels.horizon)")
    Integer horizon;

    @Option(name = "--cv-folds", metaVar = "K", usage = "unit-grouped cross-validation folds (default"
        + " pdm.training.cv-folds, 5)")
    Integer cvFolds;

    @Option(name = "--no-tracking", usage = "train without MLflow: save the models under pdm.training.model-dir only")
    boolean noTracking;
  }

  private TrainJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("train", args, new Cli(),
        (cli, config) -> new Options(config, cli.dataset, cli.horizon, cli.cvFolds, cli.noTracking), TrainJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    String d = o.dataset();
    PdmConfig config = o.config();
    // Before any Spark work: an unreachable server must fail within seconds.
    try (Tracking tracking = o.noTracking() ? null : Tracking.connect(config)) {
      Warehouse warehouse = Sessions.prepare(spark, config, "pdm-train", "train --dataset " + d);
      FeatureSet set = new FeatureSets(spark, warehouse).latest(d).orElseThrow(() -> PdmErrors.failure(
          "train on dataset " + d, "it has no feature set in gold.feature_sets",
          "run `pdm features --dataset " + d + "` first"));
      int horizon = o.horizon() == null ? set.horizon() : o.horizon();
      if (horizon >= set.rulCap()) {
        throw PdmErrors.usage("train with --horizon " + horizon, "labels are capped at " + set.rulCap()
            + " " + set.rulUnit() + ", so a horizon must be below the cap", "pass a smaller --horizon");
      }
      int k = o.cvFolds() == null ? config.getInt(PdmConfigKeys.TRAINING_CV_FOLDS) : o.cvFolds();
      long seed = config.getLong(PdmConfigKeys.TRAINING_FOLD_SEED);
      CrossValidation.Settings cvSettings = new CrossValidation.Settings(k, GbtModels.Trees.of(config),
          config.getDouble(PdmConfigKeys.TRAINING_MAX_FALSE_ALARM_RATE),
          config.getInt(PdmConfigKeys.TRAINING_PARALLELISM));
      List<GridPoint> grid = GridPoint.grid(config);
      RulMembers rulMembers = new RulMembers(config.getPositiveInt(PdmConfigKeys.TRAINING_RUL_SEEDS),
          config.getBoolean(PdmConfigKeys.TRAINING_RUL_FOLD_MODELS));
      Map<Task, Optional<PromotionGate.Champion>> champions = new EnumMap<>(Task.class);
      if (tracking != null) {
        for (Task task : Task.values()) {
          champions.put(task, PromotionGate.prepare(tracking, Registry.registeredName(config, d, task), task, d));
        }
      }
      Phases phases = new Phases();
      // the checkpoint directory first: the training rows are checkpointed there, and removed before it
      try (RddCheckpoints checkpoints = RddCheckpoints.ensure(spark.sparkContext(),
              config.require(PdmConfigKeys.TRAINING_CHECKPOINT_DIR));
          TrainingRows rows = TrainingRows.load(warehouse, set, horizon, k, seed,
              config.getBoolean(PdmConfigKeys.TRAINING_USE_FEEDBACK),
              config.getDouble(PdmConfigKeys.TRAINING_ASSET_FRACTION))) {
        phases.done("load");
        LOG.info("Training {} on {} rows of {} assets, {} folds, grid {}", d, rows.rows(), rows.assets(), k, grid);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String experimentId = null;
        RunInfo run = null;
        if (tracking != null) {
          experimentId = tracking.experiment(config.require(PdmConfigKeys.MLFLOW_EXPERIMENT_PREFIX) + d);
          run = tracking.startRun(experimentId, "train " + d + " " + stamp, runTags(spark, d, o));
        }
        String runId = run != null ? run.getRunId() : "local-" + stamp;
        String runDir = config.require(PdmConfigKeys.MODEL_DIR) + "/" + d + "/" + runId;
        boolean ok = false;
        try {
          Map<Task, Trained> models = new EnumMap<>(Task.class);
          Map<Task, CrossValidation.Result> cvs = new EnumMap<>(Task.class);
          // The two models are independent until registration: their fits share the cores.
          List<Callable<TaskFit>> work = new ArrayList<>();
          for (Task task : Task.values()) {
            work.add(() -> trainTask(spark, rows, set, task, grid, cvSettings, rulMembers, runDir, runId));
          }
          for (TaskFit fit : SideBySide.run("pdm-train-task", work.size(), work)) {
            cvs.put(fit.trained().task(), fit.cv());
            models.put(fit.trained().task(), fit.trained());
          }
          phases.done("models");
          RulIntervals intervals = RulIntervals.fit(cvs.get(Task.RUL).best().oof(), GbtModels.LABEL,
              CrossValidation.OOF, config.getDouble(PdmConfigKeys.TRAINING_RUL_INTERVAL_LEVEL),
              config.getInt(PdmConfigKeys.TRAINING_RUL_INTERVAL_BANDS));
          // in the model directory: uploaded with the model, loaded with it by every scorer
          ModelArtifacts.write(spark, models.get(Task.RUL).modelDir() + "/" + RulIntervals.FILE,
              intervals.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          writeValidationPredictions(cvs, runDir + "/validation_predictions");
          // Drift reports compare later data with this: training features and out-of-fold predictions.
          ReferenceProfile profile = ReferenceProfile.build(runId, d, set.version(), Histograms.Bands.of(config),
              rows.labelled(), set.featureNames(), cvs.get(Task.RUL).best().oof(), CrossValidation.OOF);
          profile.store(warehouse);
          ModelArtifacts.write(spark, runDir + "/" + REFERENCE_PROFILE, profile.toJson());
          phases.done("intervals and profile");
          if (tracking != null) {
            logRun(tracking, run, set, rows, grid, k, seed, cvSettings.trees().seed(), rulMembers, horizon, cvs);
            ModelArtifacts.uploadFile(spark, tracking, run.getArtifactUri(), runDir + "/" + REFERENCE_PROFILE,
                REFERENCE_PROFILE);
            ModelRegistration registration = new ModelRegistration(warehouse, tracking, run, set, rows, cvSettings,
                config);
            for (Task task : Task.values()) {
              PromotionGate.Decision rul = task == Task.RUL ? null : models.get(Task.RUL).decision();
              models.put(task, registration.register(models.get(task), cvs.get(task), champions.get(task), rul));
            }
            ModelRegistration.promote(tracking, models);
            phases.done("registry");
          }
          ok = true;
          cvs.values().forEach(cv -> cv.best().oof().unpersist());
          LOG.info("train {}: phases {}", d, phases);
          return new Result(d, runId, experimentId, set.version(), rows.goldVersion(), rows.assets(), rows.rows(), k,
              horizon, models, intervals);
        } finally {
          if (tracking != null) {
            tracking.endRun(runId, ok);
          }
        }
      }
    }
  }

  /**
   * What the final RUL model averages: {@code seeds} fits on all rows and, with {@code foldModels},
   * the chosen grid point's cross-validation models. Nested unit-grouped CV on FD003's train split
   * (README, Training): out-of-fold RMSE below the cap 11.56 for one fit, 10.80 for three seeds,
   * 10.72 for the fold models, 10.42 for both.
   */
  record RulMembers(int seeds, boolean foldModels) {}

  /** A task's cross-validation and its final model. */
  private record TaskFit(CrossValidation.Result cv, Trained trained) {}

  /** Cross-validates a task over the grid, then fits its final model; logs both times. */
  private static TaskFit trainTask(SparkSession spark, TrainingRows rows, FeatureSet set, Task task,
      List<GridPoint> grid, CrossValidation.Settings cvSettings, RulMembers rulMembers, String runDir, String runId) {
    long start = System.currentTimeMillis();
    CrossValidation.Result cv = CrossValidation.run(rows.forTask(task), task, grid, cvSettings);
    long cvDone = System.currentTimeMillis();
    Trained trained = fitFinal(spark, rows, set, task, cv.best(), cvSettings, rulMembers, runDir, runId);
    LOG.info("{} model of {}: cross-validation {} s, final fit {} s", task.id(), set.dataset(),
        String.format("%.1f", (cvDone - start) / 1000.0),
        String.format("%.1f", (System.currentTimeMillis() - cvDone) / 1000.0));
    return new TaskFit(cv, trained);
  }

  /**
   * The model of a task at its chosen grid point, fitted on all rows (the cached vectors; the RUL
   * model averaged over its {@link RulMembers}), saved with its feature importances under the run's
   * directory.
   */
  private static Trained fitFinal(SparkSession spark, TrainingRows rows, FeatureSet set, Task task,
      CrossValidation.PointResult best, CrossValidation.Settings cvSettings, RulMembers rulMembers, String runDir,
      String runId) {
    double threshold = task == Task.FAILURE ? best.threshold() : Double.NaN;
    List<GBTRegressionModel> foldModels = task == Task.RUL && rulMembers.foldModels()
        ? best.foldModels().stream().map(m -> (GBTRegressionModel) m).toList() : List.of();
    PipelineModel model = GbtModels.fitPrepared(rows.prep(), rows.labelled(), rows.forTask(task), task, best.point(),
        cvSettings.trees(), threshold, rulMembers.seeds(), cvSettings.parallelism(), foldModels);
    String modelDir = runDir + "/" + task.id() + "-model";
    ModelArtifacts.save(spark, model, modelDir, task.id() + "-model", runId);
    Map<String, Double> importances = ModelArtifacts.importances(set.featureNames(), importances(model));
    ModelArtifacts.write(spark, runDir + "/" + task.id() + "_feature_importances.json",
        ModelArtifacts.importancesJson(importances));
    ModelArtifacts.write(spark, runDir + "/" + task.id() + "_feature_importances.png",
        ModelArtifacts.importancesChart(set.dataset() + " " + task.id() + " model: feature importances (top 25)",
            importances, 25));
    return new Trained(task, best.point(), best.mean(), threshold, model, modelDir, null, null, null);
  }

  private static Map<String, String> runTags(SparkSession spark, String dataset, Options o) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("mlflow.source.name", "pdm train");
    tags.put("mlflow.source.type", "JOB");
    tags.put("mlflow.source.git.commit", gitCommit());
    tags.put("mlflow.user", System.getProperty("user.name", "unknown"));
    tags.put("pdm.dataset", dataset);
    tags.put("pdm.command", "train --dataset " + dataset + (o.horizon() != null ? " --horizon " + o.horizon() : "")
        + (o.cvFolds() != null ? " --cv-folds " + o.cvFolds() : ""));
    tags.put("spark.app_id", spark.sparkContext().applicationId());
    tags.put("spark.version", spark.version());
    return tags;
  }

  /** The commit the jar was built from: -Dpdm.git.commit (bin/pdm sets it) or PDM_GIT_COMMIT. */
  static String gitCommit() {
    String c = System.getProperty("pdm.git.commit", System.getenv("PDM_GIT_COMMIT"));
    return c == null || c.isBlank() ? "unknown" : c;
  }

  private static org.apache.spark.ml.linalg.Vector importances(PipelineModel model) {
    Object last = model.stages()[model.stages().length - 1];
    return last instanceof GBTRegressionModel r ? r.featureImportances()
        : ((GBTClassificationModel) last).featureImportances();
  }

  /** Out-of-fold predictions of both chosen models, one CSV file (rows of the training table). */
  private static void writeValidationPredictions(Map<Task, CrossValidation.Result> cvs, String dir) {
    Dataset<Row> rul = cvs.get(Task.RUL).best().oof()
        .select(col("asset_id"), col("cycle"), col(GroupedFolds.FOLD), col(GbtModels.LABEL).cast("int").as("rul"),
            col(CrossValidation.OOF).as("predicted_rul"));
    Dataset<Row> failure = cvs.get(Task.FAILURE).best().oof()
        .select(col("asset_id"), col("cycle"), col(GbtModels.LABEL).cast("int").as("fails_within_horizon"),
            col(CrossValidation.OOF).as("failure_probability"));
    rul.join(failure, new String[] {"asset_id", "cycle"}).orderBy("asset_id", "cycle")
        .coalesce(1).write().mode("overwrite").option("header", "true").csv(dir);
  }

  private static void logRun(Tracking tracking, RunInfo run, FeatureSet set, TrainingRows rows,
      List<GridPoint> grid, int k, long seed, long treeSeed, RulMembers rulMembers, int horizon,
      Map<Task, CrossValidation.Result> cvs) {
    List<String> features = set.featureNames();
    String runId = run.getRunId();
    Map<String, String> params = new LinkedHashMap<>();
    params.put("dataset", set.dataset());
    params.put("feature_set_version", Integer.toString(set.version()));
    params.put("feature_set_fingerprint", set.fingerprint());
    params.put("gold_features_delta_version", Long.toString(rows.goldVersion()));
    params.put("git_commit", gitCommit());
    params.put("training_rows", Long.toString(rows.rows()));
    params.put("training_assets", Long.toString(rows.assets()));
    params.put("cv_folds", Integer.toString(k));
    params.put("fold_seed", Long.toString(seed));
    params.put("tree_seed", Long.toString(treeSeed));
    params.put("rul_seeds", Integer.toString(rulMembers.seeds()));
    params.put("rul_fold_models", Boolean.toString(rulMembers.foldModels()));
    params.put("horizon", Integer.toString(horizon));
    params.put("rul_cap", Integer.toString(set.rulCap()));
    params.put("grid", grid.toString());
    params.put("feature_count", Integer.toString(features.size()));
    params.put("features", String.join(",", features));
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (var e : cvs.entrySet()) {
      Task task = e.getKey();
      CrossValidation.PointResult best = e.getValue().best();
      best.point().params().forEach((p, v) -> params.put(task.id() + "_" + p, v));
      params.put(task.id() + "_selection_metric", task.selectionMetric());
      if (task == Task.FAILURE) {
        params.put("failure_threshold", Double.toString(best.threshold()));
      }
      best.mean().forEach((m, v) -> metrics.put(task.id() + "_" + m, v));
      for (int i = 0; i < e.getValue().points().size(); i++) {
        metrics.put(task.id() + "_grid" + i + "_" + task.selectionMetric(), e.getValue().points().get(i).selection(task));
      }
    }
    tracking.logBatch(runId, params, metrics, 0, Map.of());
    // Per-fold figures as metric history: step = fold.
    for (var e : cvs.entrySet()) {
      List<Map<String, Double>> perFold = e.getValue().best().perFold();
      for (int f = 0; f < perFold.size(); f++) {
        Map<String, Double> fm = new LinkedHashMap<>();
        int fold = f;
        perFold.get(f).forEach((m, v) -> fm.put("fold_" + e.getKey().id() + "_" + m, v));
        tracking.logBatch(runId, Map.of(), fm, fold, Map.of());
      }
    }
  }
}
