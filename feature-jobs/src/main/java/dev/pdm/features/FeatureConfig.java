package dev.pdm.features;

import static dev.pdm.common.config.PdmConfigKeys.FEATURE_BASELINE_CYCLES;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_CONSTANT_TOLERANCE;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_EWM_ALPHA;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_MAX_REGIMES;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_NORMALISE;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_REGIMES;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_REGIME_TOLERANCE;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_SENSORS;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_STATISTICS;
import static dev.pdm.common.config.PdmConfigKeys.FEATURE_WINDOWS;
import static dev.pdm.common.config.PdmConfigKeys.LABEL_HORIZON;
import static dev.pdm.common.config.PdmConfigKeys.LABEL_RUL_CAP;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.ConfigKey;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The feature and label settings of {@code conf/} (the {@code pdm.features.*} and
 * {@code pdm.labels.*} keys), validated against a dataset profile.
 *
 * @param regimes 0 for auto detection, else the number of regimes
 */
public record FeatureConfig(
    List<String> sensors, int[] windows, Set<FeatureSpec.Statistic> statistics, double ewmAlpha,
    int baselineCycles, int regimes, int maxRegimes, double regimeTolerance, Normalise normalise,
    double constantTolerance, int rulCap, int horizon) {

  /** When sensors are normalised per regime. */
  public enum Normalise {
    AUTO, ALWAYS, NEVER
  }

  public static FeatureConfig from(PdmConfig config, DatasetProfile profile) {
    List<String> known = profile.sensors().stream().map(DatasetProfile.Column::name).toList();
    String sensorList = config.require(FEATURE_SENSORS).trim();
    List<String> sensors = sensorList.equalsIgnoreCase("all") ? known : split(sensorList);
    for (String s : sensors) {
      if (!known.contains(s)) {
        throw PdmErrors.badConfigValue(FEATURE_SENSORS.name(), sensorList,
            "all or sensors of profile " + profile.name() + " (" + String.join(",", known) + ")");
      }
    }
    int[] windows;
    try {
      windows = split(config.require(FEATURE_WINDOWS)).stream().mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw PdmErrors.badConfigValue(FEATURE_WINDOWS.name(), config.get(FEATURE_WINDOWS), "integers, e.g. 5,10,20,30");
    }
    if (windows.length == 0 || Arrays.stream(windows).anyMatch(w -> w < 2)
        || Arrays.stream(windows).distinct().count() != windows.length) {
      throw PdmErrors.badConfigValue(FEATURE_WINDOWS.name(), config.get(FEATURE_WINDOWS),
          "distinct windows of at least 2 cycles, e.g. 5,10,20,30");
    }
    Set<FeatureSpec.Statistic> stats = EnumSet.noneOf(FeatureSpec.Statistic.class);
    for (String s : split(config.require(FEATURE_STATISTICS))) {
      try {
        stats.add(FeatureSpec.Statistic.valueOf(s.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw PdmErrors.badConfigValue(FEATURE_STATISTICS.name(), config.get(FEATURE_STATISTICS),
            "a list of mean, std, min, max, slope");
      }
    }
    double alpha = config.getDouble(FEATURE_EWM_ALPHA);
    if (!(alpha > 0 && alpha <= 1)) {
      throw PdmErrors.badConfigValue(FEATURE_EWM_ALPHA.name(), config.get(FEATURE_EWM_ALPHA), "in (0, 1]");
    }
    String regimeValue = config.require(FEATURE_REGIMES).trim();
    int regimes = regimeValue.equalsIgnoreCase("auto") ? 0 : config.getPositiveInt(FEATURE_REGIMES);
    Normalise normalise;
    try {
      normalise = Normalise.valueOf(config.require(FEATURE_NORMALISE).trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw PdmErrors.badConfigValue(FEATURE_NORMALISE.name(), config.get(FEATURE_NORMALISE), "auto, always or never");
    }
    int cap = config.getPositiveInt(LABEL_RUL_CAP);
    int horizon = config.getPositiveInt(LABEL_HORIZON);
    if (horizon > cap) {
      throw PdmErrors.badConfigValue(LABEL_HORIZON.name(), Integer.toString(horizon),
          "at most pdm.labels.rul-cap (" + cap + ")");
    }
    return new FeatureConfig(sensors, windows, stats, alpha, config.getPositiveInt(FEATURE_BASELINE_CYCLES), regimes,
        config.getPositiveInt(FEATURE_MAX_REGIMES), nonNegative(config, FEATURE_REGIME_TOLERANCE), normalise,
        nonNegative(config, FEATURE_CONSTANT_TOLERANCE), cap, horizon);
  }

  /** The settings as recorded in a feature set, to tell whether a stored set was made with them. */
  public Map<String, String> asMap() {
    Map<String, String> m = new TreeMap<>();
    m.put(FEATURE_SENSORS.name(), String.join(",", sensors));
    m.put(FEATURE_WINDOWS.name(), String.join(",", Arrays.stream(windows).sorted().mapToObj(Integer::toString).toList()));
    m.put(FEATURE_STATISTICS.name(), String.join(",", statistics.stream().map(FeatureSpec.Statistic::label).toList()));
    m.put(FEATURE_EWM_ALPHA.name(), Double.toString(ewmAlpha));
    m.put(FEATURE_BASELINE_CYCLES.name(), Integer.toString(baselineCycles));
    m.put(FEATURE_REGIMES.name(), regimes == 0 ? "auto" : Integer.toString(regimes));
    m.put(FEATURE_MAX_REGIMES.name(), Integer.toString(maxRegimes));
    m.put(FEATURE_REGIME_TOLERANCE.name(), Double.toString(regimeTolerance));
    m.put(FEATURE_NORMALISE.name(), normalise.name().toLowerCase(Locale.ROOT));
    m.put(FEATURE_CONSTANT_TOLERANCE.name(), Double.toString(constantTolerance));
    m.put(LABEL_RUL_CAP.name(), Integer.toString(rulCap));
    m.put(LABEL_HORIZON.name(), Integer.toString(horizon));
    return m;
  }

  /** The keys whose values differ from those a feature set was fitted with. */
  public List<String> differences(Map<String, String> fittedWith) {
    List<String> out = new ArrayList<>();
    asMap().forEach((k, v) -> {
      if (!v.equals(fittedWith.get(k))) {
        out.add(k + " is " + v + " here, " + fittedWith.get(k) + " in the feature set");
      }
    });
    return out;
  }

  private static List<String> split(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static double nonNegative(PdmConfig config, ConfigKey key) {
    double v = config.getDouble(key);
    if (v < 0) {
      throw PdmErrors.badConfigValue(key.name(), config.get(key), "a number >= 0");
    }
    return v;
  }
}
