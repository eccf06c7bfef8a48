package dev.pdm.training;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.ConfigKey;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** One point of the hyperparameter grid of a gradient-boosted-tree model. */
public record GridPoint(int maxDepth, int maxIter, double stepSize, double subsamplingRate) {

  public GridPoint {
    if (maxDepth < 1 || maxDepth > 30 || maxIter < 1 || !(stepSize > 0 && stepSize <= 1)
        || !(subsamplingRate > 0 && subsamplingRate <= 1)) {
      throw PdmErrors.config("use grid point " + describe(maxDepth, maxIter, stepSize, subsamplingRate),
          "depth must be 1..30, iterations >= 1, step size and subsampling rate in (0, 1]",
          "fix the pdm.training.grid.* keys");
    }
  }

  /** The grid from the pdm.training.grid.* keys: every combination, in key order. */
  public static List<GridPoint> grid(PdmConfig config) {
    List<Integer> depths = list(config, PdmConfigKeys.TRAINING_MAX_DEPTH, Integer::parseInt);
    List<Integer> iters = list(config, PdmConfigKeys.TRAINING_MAX_ITER, Integer::parseInt);
    List<Double> steps = list(config, PdmConfigKeys.TRAINING_STEP_SIZE, Double::parseDouble);
    List<Double> subs = list(config, PdmConfigKeys.TRAINING_SUBSAMPLING, Double::parseDouble);
    List<GridPoint> grid = new ArrayList<>();
    for (int d : depths) {
      for (int i : iters) {
        for (double s : steps) {
          for (double r : subs) {
            grid.add(new GridPoint(d, i, s, r));
          }
        }
      }
    }
    return grid;
  }

  /** Parameters as logged to MLflow and stored on model versions. */
  public Map<String, String> params() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("max_depth", Integer.toString(maxDepth));
    m.put("max_iter", Integer.toString(maxIter));
    m.put("step_size", Double.toString(stepSize));
    m.put("subsampling_rate", Double.toString(subsamplingRate));
    return m;
  }

  /** The point {@link #params()} describe, or null when they are incomplete. */
  public static GridPoint fromParams(Map<String, String> p) {
    try {
      return new GridPoint(Integer.parseInt(p.get("max_depth")), Integer.parseInt(p.get("max_iter")),
          Double.parseDouble(p.get("step_size")), Double.parseDouble(p.get("subsampling_rate")));
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return describe(maxDepth, maxIter, stepSize, subsamplingRate);
  }

  private static String describe(int d, int i, double s, double r) {
    return "depth=" + d + ",iter=" + i + ",step=" + s + ",subsample=" + r;
  }

  private static <T> List<T> list(PdmConfig config, ConfigKey key, Function<String, T> parse) {
    String value = config.require(key);
    List<T> out = new ArrayList<>();
    try {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(parse.apply(part.trim()));
        }
      }
    } catch (NumberFormatException e) {
      throw PdmErrors.badConfigValue(key.name(), value, "a comma-separated list of numbers");
    }
    if (out.isEmpty()) {
      throw PdmErrors.badConfigValue(key.name(), value, "a comma-separated list of numbers");
    }
    return out;
  }
}
