package dev.pdm.training;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.mlflow.ModelArtifacts;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.mlflow.api.proto.Service.RunInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry side of a tracked {@code train}: uploads a trained model's artifacts, gates it
 * against the task's champion ({@link PromotionGate}), registers it as {@code challenger}, and,
 * once both models are registered and gated, moves the {@code champion} aliases ({@link #promote}).
 *
 * <p>Usage:
 * <pre>{@code
 * ModelRegistration reg = new ModelRegistration(warehouse, tracking, run, set, rows, cvSettings, config);
 * Trained rul = reg.register(trainedRul, cvRul, champions.get(Task.RUL), null);
 * Trained failure = reg.register(trainedFailure, cvFailure, champions.get(Task.FAILURE), rul.decision());
 * ModelRegistration.promote(tracking, Map.of(Task.RUL, rul, Task.FAILURE, failure));
 * }</pre>
 */
final class ModelRegistration {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistration.class);

  private final Warehouse warehouse;
  private final Tracking tracking;
  private final RunInfo run;
  private final FeatureSet set;
  private final TrainingRows rows;
  private final CrossValidation.Settings cvSettings;
  private final PdmConfig config;

  ModelRegistration(Warehouse warehouse, Tracking tracking, RunInfo run, FeatureSet set, TrainingRows rows,
      CrossValidation.Settings cvSettings, PdmConfig config) {
    this.warehouse = warehouse;
    this.tracking = tracking;
    this.run = run;
    this.set = set;
    this.rows = rows;
    this.cvSettings = cvSettings;
    this.config = config;
  }

  /**
   * Uploads, gates and registers one trained model; {@code rulDecision} (for the failure model) is
   * the RUL model's decision, which the failure model follows across feature-set versions.
   */
  TrainJob.Trained register(TrainJob.Trained trained, CrossValidation.Result cv,
      Optional<PromotionGate.Champion> champion, PromotionGate.Decision rulDecision) {
    Task task = trained.task();
    upload(trained);
    String name = Registry.registeredName(config, set.dataset(), task);
    PromotionGate.Decision decision = gate(task, name, cv, champion);
    if (rulDecision != null && champion.isPresent() && champion.get().featureSetVersion() != set.version()
        && rulDecision.promote() != decision.promote()) {
      // Scorers need both champions on one feature-set version: across versions the pair moves together.
      decision = new PromotionGate.Decision(rulDecision.promote(), decision.challenger(), decision.champion(),
          decision.championVersion(), decision.basis() + "; across feature-set versions the failure model moves"
              + " with the RUL model, which was " + (rulDecision.promote() ? "promoted" : "kept"));
    }
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Registry.TAG_TASK, task.id());
    tags.put(Registry.TAG_DATASET, set.dataset());
    tags.put(Registry.TAG_FEATURE_SET, Integer.toString(set.version()));
    trained.point().params().forEach((p, v) -> tags.put(Registry.TAG_PARAM_PREFIX + p, v));
    cv.best().mean().forEach((m, v) -> tags.put(Registry.TAG_CV_PREFIX + m, Double.toString(v)));
    tags.put("pdm.gate", decision.describe(task));
    String version = tracking.createModelVersion(name, run.getArtifactUri() + "/" + task.id() + "-model",
        run.getRunId(), tags);
    tracking.setAlias(name, Registry.CHALLENGER, version);
    Map<String, String> runTags = new LinkedHashMap<>();
    runTags.put("pdm." + task.id() + ".registered", name + " v" + version);
    runTags.put("pdm." + task.id() + ".gate", decision.describe(task));
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(task.id() + "_gate_challenger", decision.challenger());
    m.put(task.id() + "_gate_champion", decision.champion());
    tracking.logBatch(run.getRunId(), Map.of(), m, 0, runTags);
    LOG.info("{} v{}: {}", name, version, decision.describe(task));
    return new TrainJob.Trained(task, trained.point(), trained.cv(), trained.threshold(), trained.model(),
        trained.modelDir(), name, version, decision);
  }

  /** The model, its feature importances and (with the RUL model) the validation predictions, to the run. */
  private void upload(TrainJob.Trained trained) {
    Task task = trained.task();
    String runDir = trained.modelDir().substring(0, trained.modelDir().lastIndexOf('/'));
    SparkSession spark = warehouse.spark();
    ModelArtifacts.upload(spark, tracking, run.getArtifactUri(), trained.modelDir(), task.id() + "-model");
    for (String ext : List.of("json", "png")) {
      String name = task.id() + "_feature_importances." + ext;
      ModelArtifacts.uploadFile(spark, tracking, run.getArtifactUri(), runDir + "/" + name, name);
    }
    if (task == Task.RUL) {
      for (String f : ModelArtifacts.files(spark, runDir + "/validation_predictions")) {
        if (f.endsWith(".csv")) {
          ModelArtifacts.uploadFile(spark, tracking, run.getArtifactUri(), runDir + "/validation_predictions/" + f,
              "validation_predictions.csv");
        }
      }
    }
  }

  /**
   * The gate's decision: the champion's hyperparameters cross-validated on this run's folds when it
   * reads this feature set, else the champion model itself on the rows it never trained on.
   */
  private PromotionGate.Decision gate(Task task, String name, CrossValidation.Result cv,
      Optional<PromotionGate.Champion> champion) {
    double championScore = Double.NaN;
    double challengerScore = Double.NaN;
    String basis = "no champion";
    if (champion.isPresent()) {
      PromotionGate.Champion c = champion.get();
      if (c.featureSetVersion() == set.version() && c.point() != null) {
        Optional<CrossValidation.PointResult> same = cv.points().stream().filter(p -> p.point().equals(c.point()))
            .findFirst();
        if (same.isPresent()) {
          championScore = same.get().selection(task);
        } else {
          CrossValidation.PointResult r = CrossValidation.evaluate(rows.forTask(task), task, c.point(), cvSettings);
          championScore = r.selection(task);
          r.oof().unpersist();
        }
        basis = "champion's hyperparameters " + c.point() + " cross-validated on the same " + cvSettings.folds()
            + " folds";
      } else {
        ChampionOnNewData.Comparison compared = ChampionOnNewData.compare(warehouse, tracking, config, set.dataset(),
            c, name, task, rows.prepared(), cv.best().oof());
        championScore = compared.champion();
        challengerScore = compared.challenger();
        basis = compared.basis();
      }
    }
    double challenger = Double.isNaN(challengerScore) ? cv.best().selection(task) : challengerScore;
    return PromotionGate.decide(task, challenger, champion, championScore, basis);
  }

  /**
   * Moves the champion aliases of the promoted models, once both models were registered and gated:
   * moved one by one as each was registered, a scorer could load a new RUL model with the old
   * failure model of another feature set, and a crash between the two left the registry with such
   * a pair. The two moves are still two calls; {@code ChampionModels} waits out the moment between.
   */
  static void promote(Tracking tracking, Map<Task, TrainJob.Trained> models) {
    for (Task task : List.of(Task.FAILURE, Task.RUL)) {
      TrainJob.Trained t = models.get(task);
      if (t.decision().promote()) {
        tracking.setAlias(t.registeredName(), Registry.CHAMPION, t.version());
      }
    }
  }
}
