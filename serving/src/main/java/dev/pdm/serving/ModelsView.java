package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.Tracking;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/models}: pdm's registered models with their champion and challenger versions,
 * each version's cross-validated metrics and hyperparameters (the {@code pdm.cv.*} and
 * {@code pdm.param.*} tags training puts on it) and its page in the MLflow UI. Asked of the registry
 * at most once per {@code cacheMillis}, whatever the number of requests; a registry that cannot be
 * reached leaves the last answer served, with the error.
 *
 * <p>Usage:
 * <pre>{@code
 * ModelsView models = new ModelsView(tracking, config, 30_000, System::currentTimeMillis);
 * ModelsView.Models m = models.get();
 * }</pre>
 */
final class ModelsView {

  private static final Logger LOG = LoggerFactory.getLogger(ModelsView.class);

  /** A version under an alias. */
  record Version(@JsonProperty("version") String version, @JsonProperty("aliases") List<String> aliases,
      @JsonProperty("feature_set_version") Integer featureSetVersion, @JsonProperty("run_id") String runId,
      @JsonProperty("metrics") Map<String, Double> metrics, @JsonProperty("params") Map<String, String> params,
      @JsonProperty("mlflow_url") String mlflowUrl) {}

  /** A registered model of a dataset's task, with its champion and challenger versions. */
  record Model(@JsonProperty("name") String name, @JsonProperty("dataset") String dataset,
      @JsonProperty("task") String task, @JsonProperty("versions") List<Version> versions,
      @JsonProperty("mlflow_url") String mlflowUrl) {}

  /** The answer; {@code error} set when the last refresh failed (the models are then the last known). */
  record Models(@JsonProperty("models") List<Model> models, @JsonProperty("mlflow_uri") String mlflowUri,
      @JsonProperty("fetched_at") String fetchedAt, @JsonProperty("error") String error) {}

  private final Tracking tracking;
  private final String prefix;
  private final long cacheMillis;
  private final LongSupplier clock;
  private Models last;
  private long fetchedMillis;

  ModelsView(Tracking tracking, PdmConfig config, long cacheMillis, LongSupplier clock) {
    this.tracking = tracking;
    this.prefix = config.require(PdmConfigKeys.MODEL_NAME_PREFIX);
    this.cacheMillis = cacheMillis;
    this.clock = clock;
  }

  synchronized Models get() {
    long now = clock.getAsLong();
    if (last == null || now - fetchedMillis >= cacheMillis) {
      fetchedMillis = now;
      try {
        last = new Models(fetch(), tracking.uri(), Instant.ofEpochMilli(now).toString(), null);
      } catch (RuntimeException e) {
        LOG.warn("serve: could not read the model registry at {}: {}", tracking.uri(), e.getMessage());
        last = new Models(last == null ? List.of() : last.models(), tracking.uri(),
            last == null ? null : last.fetchedAt(), "the registry at " + tracking.uri() + " did not answer: "
            + e.getMessage());
      }
    }
    return last;
  }

  private List<Model> fetch() {
    List<Model> out = new ArrayList<>();
    for (Tracking.RegisteredModel m : tracking.searchRegisteredModels(prefix + "-%")) {
      String dataset = m.tags().get(Registry.TAG_DATASET);
      String task = m.tags().get(Registry.TAG_TASK);
      if (dataset == null || task == null) {
        continue; // not one of pdm's
      }
      // version -> its aliases (champion first), newest version first
      Map<String, List<String>> aliases = new TreeMap<>(Comparator.comparingLong((String v) -> Long.parseLong(v)).reversed());
      for (String alias : List.of(Registry.CHAMPION, Registry.CHALLENGER)) {
        String v = m.aliases().get(alias);
        if (v != null) {
          aliases.computeIfAbsent(v, k -> new ArrayList<>()).add(alias);
        }
      }
      List<Version> versions = new ArrayList<>();
      aliases.forEach((v, names) -> tracking.modelVersion(m.name(), v).ifPresent(mv ->
          versions.add(version(mv, names))));
      out.add(new Model(m.name(), dataset, task, versions, ui("#/models/" + enc(m.name()))));
    }
    out.sort(Comparator.comparing(Model::dataset).thenComparing(Model::task));
    return out;
  }

  private Version version(Tracking.ModelVersion mv, List<String> aliases) {
    Map<String, Double> metrics = new TreeMap<>();
    Map<String, String> params = new TreeMap<>();
    mv.tags().forEach((k, v) -> {
      if (k.startsWith(Registry.TAG_CV_PREFIX)) {
        try {
          metrics.put(k.substring(Registry.TAG_CV_PREFIX.length()), Double.parseDouble(v));
        } catch (NumberFormatException e) {
          // a tag that is not a number is not a metric
        }
      } else if (k.startsWith(Registry.TAG_PARAM_PREFIX)) {
        params.put(k.substring(Registry.TAG_PARAM_PREFIX.length()), v);
      }
    });
    String fs = mv.tags().get(Registry.TAG_FEATURE_SET);
    return new Version(mv.version(), aliases, fs == null ? null : Integer.valueOf(fs), mv.runId(), metrics, params,
        ui("#/models/" + enc(mv.name()) + "/versions/" + enc(mv.version())));
  }

  private String ui(String fragment) {
    String base = tracking.uri().endsWith("/") ? tracking.uri() : tracking.uri() + "/";
    return base + fragment;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
