package dev.pdm.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A feature-set version: the feature definition plus everything fitted on training data (dropped
 * sensors, regime centres, per-regime normalisation statistics) and the label settings. Batch
 * features, stream features and every model name one, so a model is fed what it was trained on.
 * Stored as JSON in {@code gold.feature_sets}.
 *
 * @param dataset the fleet it was fitted on
 * @param version 1, 2, ... per dataset; 0 before it is stored
 * @param spec what is computed per sensor (its sensors are the kept ones)
 * @param dropped sensors left out because they are near-constant on the training data
 * @param settings the profile's operational settings, in order
 * @param settingScale range of each setting in the profile; regime distances are measured in it
 * @param centres regime centres in setting units, sorted, one row per regime
 * @param normalised whether sensors are normalised per regime
 * @param mean per regime and kept sensor, the training mean (0 when not normalised)
 * @param std per regime and kept sensor, the training standard deviation (1 when not normalised)
 * @param rulCap cap of the RUL label, in {@link #rulUnit()}
 * @param horizon cycles (hours on a time fleet) of {@code fails_within_horizon}
 * @param config the configuration the set was fitted with; a job with another refuses to extend it
 * @param fittedOnRows training rows the statistics come from
 * @param silverVersion silver.telemetry version fitted on
 */
public record FeatureSet(
    String dataset, int version, FeatureSpec spec, List<String> dropped, List<String> settings,
    double[] settingScale, double[][] centres, boolean normalised, double[][] mean, double[][] std,
    int rulCap, int horizon, Map<String, String> config, long fittedOnRows, long silverVersion)
    implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public FeatureSet {
    dropped = List.copyOf(dropped);
    settings = List.copyOf(settings);
    config = new TreeMap<>(config);
    if (centres.length != spec.regimes() || mean.length != spec.regimes() || std.length != spec.regimes()) {
      throw new IllegalArgumentException("one centre and one set of statistics per regime");
    }
  }

  public FeatureSet withVersion(int v) {
    return new FeatureSet(dataset, v, spec, dropped, settings, settingScale, centres, normalised, mean, std,
        rulCap, horizon, config, fittedOnRows, silverVersion);
  }

  public int regimes() {
    return spec.regimes();
  }

  /**
   * The model inputs, in order: a cycle fleet's cycle index, then the calculator's features (a
   * time fleet's tick is a date, not an age: its age is the calculator's {@code age_hours}).
   */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>();
    if (!spec.timed()) {
      names.add("cycle");
    }
    names.addAll(spec.featureNames());
    return names;
  }

  /** The unit of {@link #rulCap}, {@link #horizon} and the RUL label: cycles, or hours on a time fleet. */
  public String rulUnit() {
    return spec.timed() ? "hours" : "cycles";
  }

  /** The nearest regime centre, distances in units of each setting's range; a missing (NaN) setting is skipped. */
  public int regimeOf(double[] values) {
    return nearestRegime(centres, settingScale, values);
  }

  /** {@link #regimeOf} for centres not yet in a feature set (the fit assigns regimes with it). */
  static int nearestRegime(double[][] centres, double[] scale, double[] values) {
    if (centres.length == 1) {
      return 0;
    }
    int best = 0;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int r = 0; r < centres.length; r++) {
      double d = 0;
      for (int i = 0; i < values.length; i++) {
        if (!Double.isNaN(values[i])) {
          double x = (values[i] - centres[r][i]) / scale[i];
          d += x * x;
        }
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = r;
      }
    }
    return best;
  }

  /** A reading of kept sensor {@code s} in regime {@code r}, normalised when the set says so. */
  public double normalise(int r, int s, double value) {
    return normalised ? (value - mean[r][s]) / std[r][s] : value;
  }

  /** SHA-256 over what decides the features' values: the definition and the fitted statistics. */
  public String fingerprint() {
    ObjectNode node = toJsonNode();
    node.remove(List.of("dataset", "version", "fitted_on_rows", "silver_version"));
    if (regimes() == 1) {
      node.remove("regime_centres"); // unused with one regime; new training rows must not make a new version
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJsonNode());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode toJsonNode() {
    ObjectNode n = JSON.createObjectNode();
    n.put("dataset", dataset);
    n.put("version", version);
    n.set("sensors", strings(spec.sensors()));
    n.set("dropped_sensors", strings(dropped));
    ArrayNode windows = n.putArray("windows");
    for (int w : spec.windows()) {
      windows.add(w);
    }
    ArrayNode stats = n.putArray("statistics");
    spec.statistics().forEach(st -> stats.add(st.label()));
    n.put("ewm_alpha", spec.ewmAlpha());
    n.put("baseline_cycles", spec.baselineCycles());
    n.put("regimes", spec.regimes());
    if (spec.timed()) {
      n.put("tick_millis", spec.tickMillis()); // absent on a cycle fleet: its fingerprint stays as it was
    }
    n.set("settings", strings(settings));
    n.set("setting_scale", doubles(settingScale));
    n.set("regime_centres", matrix(centres));
    n.put("normalised", normalised);
    n.set("mean", matrix(mean));
    n.set("std", matrix(std));
    n.put("rul_cap", rulCap);
    n.put("horizon", horizon);
    n.set("config", JSON.valueToTree(config));
    n.put("fitted_on_rows", fittedOnRows);
    n.put("silver_version", silverVersion);
    return n;
  }

  public static FeatureSet fromJson(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      int[] windows = new int[n.get("windows").size()];
      for (int i = 0; i < windows.length; i++) {
        windows[i] = n.get("windows").get(i).asInt();
      }
      Set<FeatureSpec.Statistic> stats = EnumSet.noneOf(FeatureSpec.Statistic.class);
      n.get("statistics").forEach(s -> stats.add(FeatureSpec.Statistic.valueOf(s.asText().toUpperCase(java.util.Locale.ROOT))));
      FeatureSpec spec = new FeatureSpec(strings(n.get("sensors")), windows, stats, n.get("ewm_alpha").asDouble(),
          n.get("baseline_cycles").asInt(), n.get("regimes").asInt(),
          n.has("tick_millis") ? n.get("tick_millis").asLong() : 0);
      Map<String, String> config = new TreeMap<>();
      n.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
      return new FeatureSet(n.get("dataset").asText(), n.get("version").asInt(), spec,
          strings(n.get("dropped_sensors")), strings(n.get("settings")), doubles(n.get("setting_scale")),
          matrix(n.get("regime_centres")), n.get("normalised").asBoolean(), matrix(n.get("mean")),
          matrix(n.get("std")), n.get("rul_cap").asInt(), n.get("horizon").asInt(), config,
          n.get("fitted_on_rows").asLong(), n.get("silver_version").asLong());
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a pdm feature set: " + e.getMessage(), e);
    }
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = JSON.createArrayNode();
    values.forEach(a::add);
    return a;
  }

  private static ArrayNode doubles(double[] values) {
    ArrayNode a = JSON.createArrayNode();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }

  private static ArrayNode matrix(double[][] values) {
    ArrayNode a = JSON.createArrayNode();
    for (double[] row : values) {
      a.add(doubles(row));
    }
    return a;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static double[] doubles(JsonNode n) {
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asDouble();
    }
    return out;
  }

  private static double[][] matrix(JsonNode n) {
    double[][] out = new double[n.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = doubles(n.get(i));
    }
    return out;
  }
}
