package dev.pdm.mlflow;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;

/**
 * The names pdm gives things in the MLflow model registry: registered model names, the aliases
 * that promotion moves, and the tags every pdm model and version carries. Declared once here
 * because training writes them and scoring, drift and serving read them.
 *
 * <p>Usage:
 * <pre>{@code
 * String name = Registry.registeredName(config, "FD001", Task.RUL);   // pdm-FD001-rul
 * tracking.versionByAlias(name, Registry.CHAMPION);
 * }</pre>
 */
public final class Registry {

  /** The alias scorers load; moved only by the promotion gate, both tasks together. */
  public static final String CHAMPION = "champion";
  /** The alias of the newest version a {@code train} registered. */
  public static final String CHALLENGER = "challenger";
  /** Registered model and version tag: the {@link Task#id()} the model serves. */
  public static final String TAG_TASK = "pdm.task";
  /** Registered model and version tag: the dataset (fleet) the model was trained on. */
  public static final String TAG_DATASET = "pdm.dataset";
  /** Version tag: the feature-set version the model reads. */
  public static final String TAG_FEATURE_SET = "pdm.feature_set_version";
  /** Version tags: cross-validated metrics, {@code pdm.cv.<metric>}. */
  public static final String TAG_CV_PREFIX = "pdm.cv.";
  /** Version tags: hyperparameters, {@code pdm.param.<name>}. */
  public static final String TAG_PARAM_PREFIX = "pdm.param.";

  private Registry() {}

  /** The registered model name of a dataset's task: {@code <prefix>-<dataset>-<task>}. */
  public static String registeredName(PdmConfig config, String dataset, Task task) {
    return config.require(PdmConfigKeys.MODEL_NAME_PREFIX) + "-" + dataset + "-" + task.id();
  }
}
