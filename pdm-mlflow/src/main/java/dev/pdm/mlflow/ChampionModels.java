package dev.pdm.mlflow;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered {@code champion} RUL and failure models of a dataset, loaded for scoring.
 *
 * <p>A version's Spark pipeline is read from the directory {@code train} saved it to under
 * {@code pdm.training.model-dir}; when that directory is gone (another warehouse, a cleaned
 * disk) it is downloaded from the run's artifacts through the server's artifact proxy into
 * {@code <model-dir>/_registry/<name>/<version>} once, so executors read it from shared storage.
 *
 * <p>Usage:
 * <pre>{@code
 * ChampionModels.Pair pair = ChampionModels.resolve(tracking, config, "FD001");   // complete, or an error
 * ChampionModels.Champions c = ChampionModels.load(spark, tracking, config, "FD001", pair);
 * c.rulModel().transform(features);
 * }</pre>
 */
public final class ChampionModels {

  private static final Logger LOG = LoggerFactory.getLogger(ChampionModels.class);

  /** One registered model version. */
  public record ModelRef(String name, String version, String runId, int featureSetVersion) {
    @Override
    public String toString() {
      return name + " v" + version;
    }
  }

  /**
   * A loaded pair: both models read the same feature-set version. {@code rulIntervals}: those
   * stored with the RUL model, null for a model trained before pdm stored them.
   */
  public record Champions(String dataset, ModelRef rul, ModelRef failure, PipelineModel rulModel,
      PipelineModel failureModel, RulIntervals rulIntervals) {
    public int featureSetVersion() {
      return rul.featureSetVersion();
    }

    /** Whether the registry's aliases still point at these versions. */
    public boolean same(ModelRef r, ModelRef f) {
      return rul.equals(r) && failure.equals(f);
    }

    @Override
    public String toString() {
      return rul + " and " + failure + " (feature set v" + featureSetVersion() + ")";
    }
  }

  /** Where the two champion aliases point. */
  public record Pair(ModelRef rul, ModelRef failure) {
    /**
     * Whether both read one feature-set version; not while a promotion across feature-set versions
     * has moved one alias and not yet the other ({@code train} moves both only after both are
     * registered, but the two moves are two registry calls).
     */
    public boolean complete() {
      return rul.featureSetVersion() == failure.featureSetVersion();
    }
  }

  private static final int PAIR_ATTEMPTS = 10;
  private static final long PAIR_WAIT_MS = 500;

  private ChampionModels() {}

  /** Where the champion aliases of a dataset's two models point now, complete or not. */
  public static Pair aliases(Tracking tracking, PdmConfig config, String dataset) {
    return new Pair(resolve(tracking, Registry.registeredName(config, dataset, Task.RUL), Task.RUL, dataset),
        resolve(tracking, Registry.registeredName(config, dataset, Task.FAILURE), Task.FAILURE, dataset));
  }

  /**
   * The dataset's complete champion pair. A half-moved pair is asked again for up to five seconds;
   * one that stays half moved (a {@code train} that stopped between its two moves) is an error.
   */
  public static Pair resolve(Tracking tracking, PdmConfig config, String dataset) {
    Pair p = aliases(tracking, config, dataset);
    for (int attempt = 1; !p.complete() && attempt < PAIR_ATTEMPTS; attempt++) {
      try {
        Thread.sleep(PAIR_WAIT_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      p = aliases(tracking, config, dataset);
    }
    if (!p.complete()) {
      throw PdmErrors.failure("score " + dataset, "the champions read different feature sets: " + p.rul() + " v"
              + p.rul().featureSetVersion() + ", " + p.failure() + " v" + p.failure().featureSetVersion(),
          "train the dataset again (pdm train --dataset " + dataset + ") so both champions come from one run");
    }
    return p;
  }

  private static ModelRef resolve(Tracking tracking, String name, Task task, String dataset) {
    Tracking.ModelVersion v = tracking.versionByAlias(name, Registry.CHAMPION).orElseThrow(() -> PdmErrors.failure(
        "score " + dataset, "the registry at " + tracking.uri() + " has no " + Registry.CHAMPION
            + " alias for " + name, "train one first: pdm train --dataset " + dataset));
    Map<String, String> tags = v.tags();
    if (!task.id().equals(tags.get(Registry.TAG_TASK)) || !dataset.equals(tags.get(Registry.TAG_DATASET))) {
      throw PdmErrors.failure("score " + dataset, name + " v" + v.version() + " is tagged task "
              + tags.get(Registry.TAG_TASK) + ", dataset " + tags.get(Registry.TAG_DATASET)
              + ", not a pdm " + task.id() + " model of " + dataset,
          "point pdm.training.model-name-prefix at pdm's models, or move the alias to a pdm version");
    }
    String fs = tags.get(Registry.TAG_FEATURE_SET);
    if (fs == null) {
      throw PdmErrors.failure("score " + dataset, name + " v" + v.version() + " names no feature set",
          "train it again with pdm train --dataset " + dataset);
    }
    return new ModelRef(name, v.version(), v.runId(), Integer.parseInt(fs));
  }

  /** Loads both champions. */
  public static Champions load(SparkSession spark, Tracking tracking, PdmConfig config, String dataset) {
    return load(spark, tracking, config, dataset, resolve(tracking, config, dataset));
  }

  /** Loads the pair the aliases pointed at when {@code pair} was read (a complete one). */
  public static Champions load(SparkSession spark, Tracking tracking, PdmConfig config, String dataset, Pair pair) {
    ModelRef rul = pair.rul();
    ModelRef failure = pair.failure();
    Champions c = new Champions(dataset, rul, failure, pipeline(spark, tracking, config, dataset, rul, Task.RUL),
        pipeline(spark, tracking, config, dataset, failure, Task.FAILURE),
        ModelArtifacts.intervals(spark, tracking, config, dataset, rul.name(), rul.version(), rul.runId()));
    LOG.info("Loaded champions of {}: {}", dataset, c);
    return c;
  }

  private static PipelineModel pipeline(SparkSession spark, Tracking tracking, PdmConfig config, String dataset,
      ModelRef ref, Task task) {
    return ModelArtifacts.load(spark, tracking, config, dataset, ref.name(), ref.version(), ref.runId(), task);
  }
}
