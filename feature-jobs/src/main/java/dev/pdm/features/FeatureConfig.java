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
import dev.pdm.common.config.Durations;
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
 * <p>A cycle fleet counts windows and labels in cycles. A time fleet gives them as durations
 * ({@code pdm.features.windows=5m,30m}, {@code pdm.labels.rul-cap=72h},
 * {@code pdm.labels.horizon=24h}); where a key holds a count (as its default does), the fleet's
 * profile gives the duration ({@code windows=}, {@code rul-cap=}, {@code horizon=}). Windows
 * become ticks of the profile's interval, labels whole hours.
 *
 * @param windows in cycles, or a time fleet's ticks
 * @param regimes 0 for auto detection, else the number of regimes
 * @param rulCap in cycles, or hours on a time fleet
 * @param horizon in cycles, or hours on a time fleet
 * @param tickMillis a time fleet's interval; 0 for a cycle fleet
 */
public record FeatureConfig(
    List<String> sensors, int[] windows, Set<FeatureSpec.Statistic> statistics, double ewmAlpha,
    int baselineCycles, int regimes, int maxRegimes, double regimeTolerance, Normalise normalise,
    double constantTolerance, int rulCap, int horizon, long tickMillis) {

  private static final long HOUR = 3_600_000L;

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
    boolean timed = profile.clock() == DatasetProfile.Clock.TIME;
    long tick = timed ? profile.intervalMillis() : 0;
    int[] windows = timed ? timeWindows(config, profile) : cycleWindows(config);
    if (windows.length == 0 || Arrays.stream(windows).anyMatch(w -> w < 2)
        || Arrays.stream(windows).distinct().count() != windows.length) {
      String value = config.get(FEATURE_WINDOWS);
      throw timed
          ? PdmErrors.badConfigValue(FEATURE_WINDOWS.name(), value, "distinct durations of at least two intervals ("
              + Durations.format(2 * tick) + ") of profile " + profile.name() + ", e.g. 5m,30m")
          : PdmErrors.badConfigValue(FEATURE_WINDOWS.name(), value, "distinct windows of at least 2 cycles, e.g. 5,10,20,30");
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
    int cap = timed ? hours(config, profile, LABEL_RUL_CAP, "rul-cap") : config.getPositiveInt(LABEL_RUL_CAP);
    int horizon = timed ? hours(config, profile, LABEL_HORIZON, "horizon") : config.getPositiveInt(LABEL_HORIZON);
    if (horizon > cap) {
      throw PdmErrors.badConfigValue(LABEL_HORIZON.name(), Integer.toString(horizon),
          "at most pdm.labels.rul-cap (" + cap + ")");
    }
    return new FeatureConfig(sensors, windows, stats, alpha, config.getPositiveInt(FEATURE_BASELINE_CYCLES), regimes,
        config.getPositiveInt(FEATURE_MAX_REGIMES), nonNegative(config, FEATURE_REGIME_TOLERANCE), normalise,
        nonNegative(config, FEATURE_CONSTANT_TOLERANCE), cap, horizon, tick);
  }

  /** A spec of these settings for {@code sensors} in {@code regimes} regimes. */
  public FeatureSpec spec(List<String> kept, int regimeCount) {
    return new FeatureSpec(kept, windows, statistics, ewmAlpha, baselineCycles, regimeCount, tickMillis);
  }

  private static int[] cycleWindows(PdmConfig config) {
    try {
      return split(config.require(FEATURE_WINDOWS)).stream().mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw PdmErrors.badConfigValue(FEATURE_WINDOWS.name(), config.get(FEATURE_WINDOWS),
          "integers (cycles; durations are for clock=time fleets), e.g. 5,10,20,30");
    }
  }

  /** A time fleet's windows in ticks: the config's durations, else its profile's. */
  private static int[] timeWindows(PdmConfig config, DatasetProfile profile) {
    String value = timeValue(config, profile, FEATURE_WINDOWS, "windows", "5m,30m");
    long tick = profile.intervalMillis();
    List<String> parts = split(value);
    int[] ticks = new int[parts.size()];
    for (int i = 0; i < ticks.length; i++) {
      long ms = Durations.parseMillis(parts.get(i));
      if (ms <= 0 || ms % tick != 0 || ms / tick > 100_000) {
        throw PdmErrors.badConfigValue(FEATURE_WINDOWS.name(), value, "durations that are whole multiples of profile "
            + profile.name() + "'s interval (" + Durations.format(tick) + "), at most 100000 of them, e.g. 5m,30m");
      }
      ticks[i] = (int) (ms / tick);
    }
    return ticks;
  }

  /** A time fleet's label setting in whole hours: the config's duration, else its profile's. */
  private static int hours(PdmConfig config, DatasetProfile profile, ConfigKey key, String profileKey) {
    String value = timeValue(config, profile, key, profileKey, "24h");
    long ms = Durations.parseMillis(value);
    if (ms <= 0 || ms % HOUR != 0 || ms / HOUR > Integer.MAX_VALUE) {
      throw PdmErrors.badConfigValue(key.name(), value, "a whole number of hours for time fleet " + profile.name()
          + ", e.g. 24h or 3d");
    }
    return (int) (ms / HOUR);
  }

  /**
   * The config's value when it holds durations, else (a count, as the cycle defaults are) the
   * profile's; refused with the fix when neither gives one.
   */
  private static String timeValue(PdmConfig config, DatasetProfile profile, ConfigKey key, String profileKey,
      String example) {
    String value = config.require(key).trim();
    if (split(value).stream().allMatch(v -> v.matches("\\d+"))) {
      String own = profile.timeDefault(profileKey);
      if (own == null) {
        throw PdmErrors.config("compute features of time fleet " + profile.name(),
            key.name() + "=" + value + " counts cycles and profile " + profile.name() + " gives no " + profileKey,
            "set " + key.name() + " to durations (e.g. " + example + ") or add " + profileKey + "= to the profile");
      }
      return own;
    }
    return value;
  }

  /** The settings as recorded in a feature set, to tell whether a stored set was made with them. */
  public Map<String, String> asMap() {
    Map<String, String> m = new TreeMap<>();
    m.put(FEATURE_SENSORS.name(), String.join(",", sensors));
    m.put(FEATURE_WINDOWS.name(), String.join(",", Arrays.stream(windows).sorted()
        .mapToObj(w -> FeatureSpec.windowLabel(w, tickMillis)).toList()));
    m.put(FEATURE_STATISTICS.name(), String.join(",", statistics.stream().map(FeatureSpec.Statistic::label).toList()));
    m.put(FEATURE_EWM_ALPHA.name(), Double.toString(ewmAlpha));
    m.put(FEATURE_BASELINE_CYCLES.name(), Integer.toString(baselineCycles));
    m.put(FEATURE_REGIMES.name(), regimes == 0 ? "auto" : Integer.toString(regimes));
    m.put(FEATURE_MAX_REGIMES.name(), Integer.toString(maxRegimes));
    m.put(FEATURE_REGIME_TOLERANCE.name(), Double.toString(regimeTolerance));
    m.put(FEATURE_NORMALISE.name(), normalise.name().toLowerCase(Locale.ROOT));
    m.put(FEATURE_CONSTANT_TOLERANCE.name(), Double.toString(constantTolerance));
    String unit = tickMillis > 0 ? "h" : "";
    m.put(LABEL_RUL_CAP.name(), rulCap + unit);
    m.put(LABEL_HORIZON.name(), horizon + unit);
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
