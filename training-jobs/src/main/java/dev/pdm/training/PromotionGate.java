package dev.pdm.training;

import static dev.pdm.mlflow.Registry.CHAMPION;
import static dev.pdm.mlflow.Registry.TAG_DATASET;
import static dev.pdm.mlflow.Registry.TAG_FEATURE_SET;
import static dev.pdm.mlflow.Registry.TAG_PARAM_PREFIX;
import static dev.pdm.mlflow.Registry.TAG_TASK;

import dev.pdm.common.PdmErrors;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registers a task's new model version with alias {@code challenger} and moves {@code champion} to
 * it only when it is strictly better on the task's selection metric, both measured on the same
 * validation folds (or when there is no champion).
 */
public final class PromotionGate {

  /** What the gate decided, with the numbers. */
  public record Decision(boolean promote, double challenger, double champion, String championVersion, String basis) {
    public String describe(Task task) {
      String metric = task.selectionMetric();
      if (championVersion == null) {
        return "promoted: no champion yet (" + metric + " " + fmt(challenger) + ")";
      }
      return (promote ? "promoted" : "kept champion v" + championVersion) + ": challenger " + metric + " "
          + fmt(challenger) + " vs champion v" + championVersion + " " + fmt(champion) + " (" + basis + ")";
    }
  }

  /** The champion as the registry describes it. */
  public record Champion(String version, String runId, int featureSetVersion, GridPoint point) {}

  private PromotionGate() {}

  /** The decision: promote when there is no champion or the challenger is strictly better. */
  public static Decision decide(Task task, double challenger, Optional<Champion> champion, double championOnSameFolds,
      String basis) {
    if (champion.isEmpty()) {
      return new Decision(true, challenger, Double.NaN, null, "no champion");
    }
    return new Decision(task.better(challenger, championOnSameFolds), challenger, championOnSameFolds,
        champion.get().version(), basis);
  }

  /**
   * Checks that a registered name holds this task's models of this dataset (or does not exist yet,
   * and creates it), and returns the current champion.
   */
  public static Optional<Champion> prepare(Tracking tracking, String name, Task task, String dataset) {
    Optional<Tracking.RegisteredModel> model = tracking.registeredModel(name);
    if (model.isEmpty()) {
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(TAG_TASK, task.id());
      tags.put(TAG_DATASET, dataset);
      tracking.createRegisteredModel(name, "pdm " + task.id() + " model of dataset " + dataset
          + " (Spark ML pipeline, MLflow spark flavor)", tags);
      return Optional.empty();
    }
    Map<String, String> tags = model.get().tags();
    if (!task.id().equals(tags.get(TAG_TASK)) || !dataset.equals(tags.get(TAG_DATASET))) {
      String holds = tags.containsKey(TAG_TASK)
          ? "pdm " + tags.get(TAG_TASK) + " models of dataset " + tags.get(TAG_DATASET)
          : "models pdm did not register (no " + TAG_TASK + " tag)";
      throw PdmErrors.config("register a " + task.id() + " model of " + dataset + " as " + name,
          "that registered model holds " + holds,
          "set pdm.training.model-name-prefix to another prefix, or rename or delete " + name + " in MLflow");
    }
    return tracking.versionByAlias(name, CHAMPION).map(v -> {
      Map<String, String> vt = v.tags();
      Map<String, String> params = new LinkedHashMap<>();
      vt.forEach((k, val) -> {
        if (k.startsWith(TAG_PARAM_PREFIX)) {
          params.put(k.substring(TAG_PARAM_PREFIX.length()), val);
        }
      });
      return new Champion(v.version(), v.runId(), parseInt(vt.get(TAG_FEATURE_SET)),
          GridPoint.fromParams(params));
    });
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  static String fmt(double v) {
    return String.format("%.4f", v);
  }
}
