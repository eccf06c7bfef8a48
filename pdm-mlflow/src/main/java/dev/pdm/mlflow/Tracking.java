package dev.pdm.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * The MLflow tracking server, through the Java client (runs, parameters, metrics, tags) and the
 * REST API where the client has no typed call: the model registry ({@code sendPost}) and artifact
 * uploads (HTTP PUT to the server's artifact proxy, {@code mlflow server --serve-artifacts}), so
 * no Python is needed on the driver.
 *
 * <p>Usage:
 * <pre>{@code
 * try (Tracking t = Tracking.connect(config)) {          // fails fast with the URI and the fix
 *   Optional<Tracking.ModelVersion> v = t.versionByAlias("pdm-FD001-rul", Registry.CHAMPION);
 * }
 * }</pre>
 */
public final class Tracking implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final String uri;
  private final String token;
  private final MlflowClient client;
  private final HttpClient http;

  private Tracking(String uri, String token) {
    this.uri = uri.replaceAll("/+$", "");
    this.token = token;
    this.client = new MlflowClient(token == null ? new BasicMlflowHostCreds(this.uri)
        : new BasicMlflowHostCreds(this.uri, token));
    // HTTP/1.1: the JDK client otherwise asks to upgrade to h2c, which the server (uvicorn) can
    // answer with "400 Invalid HTTP request received" on an upload with a streamed body.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PROBE_TIMEOUT)
        .build();
  }

  /** The tracking URI in force: MLFLOW_TRACKING_URI, else pdm.mlflow.tracking-uri. */
  public static String trackingUri(PdmConfig config) {
    String env = System.getenv("MLFLOW_TRACKING_URI");
    return env != null && !env.isBlank() ? env.trim() : config.require(PdmConfigKeys.MLFLOW_TRACKING_URI);
  }

  /**
   * Connects and checks, within seconds, that the server answers; fails with the URI and the fix
   * otherwise, before any training starts.
   */
  public static Tracking connect(PdmConfig config) {
    String uri = trackingUri(config);
    String token = config.get(PdmConfigKeys.MLFLOW_TOKEN);
    if (token == null || token.isBlank()) {
      token = System.getenv("MLFLOW_TRACKING_TOKEN");
    }
    if (!uri.startsWith("http://") && !uri.startsWith("https://")) {
      throw PdmErrors.config("use MLflow tracking URI " + uri, "pdm talks to a tracking server over http(s)",
          "run bin/pdm mlflow start and set pdm.mlflow.tracking-uri=http://127.0.0.1:5000, or train with"
              + " --no-tracking");
    }
    Tracking t = new Tracking(uri, token == null || token.isBlank() ? null : token);
    t.probe();
    return t;
  }

  public String uri() {
    return uri;
  }

  private void probe() {
    String fix = "start one with `bin/pdm mlflow start`, or point pdm.mlflow.tracking-uri or MLFLOW_TRACKING_URI"
        + " at yours; train and benchmark also take --no-tracking to train without MLflow";
    HttpResponse<String> response;
    try {
      response = http.send(request("/api/2.0/mlflow/experiments/search?max_results=1").timeout(PROBE_TIMEOUT)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw PdmErrors.config("reach the MLflow tracking server at " + uri,
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), fix, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("reach the MLflow tracking server at " + uri, "interrupted", "run it again");
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw PdmErrors.config("use the MLflow tracking server at " + uri, "it answered HTTP " + response.statusCode(),
          "set MLFLOW_TRACKING_TOKEN (or pdm.mlflow.token) to a valid token");
    }
    if (response.statusCode() != 200) {
      throw PdmErrors.config("use the MLflow tracking server at " + uri,
          "it answered HTTP " + response.statusCode() + " to experiments/search", fix);
    }
  }

  /** The experiment's id, created when missing. */
  public String experiment(String name) {
    return client.getExperimentByName(name).map(e -> e.getExperimentId()).orElseGet(() -> client.createExperiment(name));
  }

  /** Starts a run with a name and tags. */
  public RunInfo startRun(String experimentId, String runName, Map<String, String> tags) {
    RunInfo run = client.createRun(org.mlflow.api.proto.Service.CreateRun.newBuilder()
        .setExperimentId(experimentId).setRunName(runName).setStartTime(System.currentTimeMillis()).build());
    logBatch(run.getRunId(), Map.of(), Map.of(), 0, tags);
    return run;
  }

  /** Parameters, metrics (at one step) and tags, in batches the server accepts. */
  public void logBatch(String runId, Map<String, String> params, Map<String, Double> metrics, long step,
      Map<String, String> tags) {
    long now = System.currentTimeMillis();
    List<Param> ps = new ArrayList<>();
    params.forEach((k, v) -> ps.add(Param.newBuilder().setKey(k).setValue(truncate(v, 6000)).build()));
    List<Metric> ms = new ArrayList<>();
    metrics.forEach((k, v) -> {
      if (v != null && !v.isNaN() && !v.isInfinite()) {
        ms.add(Metric.newBuilder().setKey(k).setValue(v).setTimestamp(now).setStep(step).build());
      }
    });
    List<RunTag> ts = new ArrayList<>();
    tags.forEach((k, v) -> ts.add(RunTag.newBuilder().setKey(k).setValue(truncate(v, 5000)).build()));
    // The server takes at most 100 parameters, 1000 metrics and 100 tags per batch.
    for (int i = 0; i < Math.max(ps.size(), Math.max(ts.size(), 1)); i += 100) {
      client.logBatch(runId, i == 0 ? ms : List.of(), ps.subList(Math.min(i, ps.size()), Math.min(i + 100, ps.size())),
          ts.subList(Math.min(i, ts.size()), Math.min(i + 100, ts.size())));
    }
  }

  public void endRun(String runId, boolean ok) {
    client.setTerminated(runId, ok ? RunStatus.FINISHED : RunStatus.FAILED);
  }

  /**
   * Uploads one artifact of a run through the server's artifact proxy.
   *
   * @param artifactUri the run's artifact URI, {@code mlflow-artifacts:/<experiment>/<run>/artifacts}
   */
  public void upload(String artifactUri, String path, Supplier<InputStream> content) {
    if (!artifactUri.startsWith("mlflow-artifacts:")) {
      throw PdmErrors.config("upload artifact " + path, "the run's artifact URI " + artifactUri
              + " is not served by the tracking server",
          "start the server with --serve-artifacts (bin/pdm mlflow start does), or give it an"
              + " --artifacts-destination");
    }
    String root = artifactUri.replaceFirst("^mlflow-artifacts:(//[^/]*)?/?", "");
    HttpRequest put = request("/api/2.0/mlflow-artifacts/artifacts/" + root + "/" + path)
        .timeout(Duration.ofMinutes(10))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(content)).build();
    try {
      HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw PdmErrors.failure("upload artifact " + path + " to " + uri, "HTTP " + r.statusCode() + ": " + r.body(),
            "check the server's artifact store");
      }
    } catch (IOException e) {
      throw PdmErrors.failure("upload artifact " + path + " to " + uri, e.toString(), "check the server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("upload artifact " + path, "interrupted", "run it again");
    }
  }

  /** Paths of a run's artifacts under {@code path} ("" for the root), through the REST API. */
  public List<String> listArtifacts(String runId, String path) {
    JsonNode files = parse(client.sendGet("artifacts/list?run_id=" + enc(runId) + "&path=" + enc(path))).path("files");
    List<String> out = new ArrayList<>();
    files.forEach(f -> out.add(f.path("path").asText()));
    out.sort(null);
    return out;
  }

  /**
   * The bytes of one artifact file of a run, through the server's artifact proxy.
   *
   * @param artifactUri the run's artifact URI, {@code mlflow-artifacts:/<experiment>/<run>/artifacts}
   */
  public InputStream open(String artifactUri, String path) {
    String root = artifactUri.replaceFirst("^mlflow-artifacts:(//[^/]*)?/?", "");
    HttpRequest get = request("/api/2.0/mlflow-artifacts/artifacts/" + root + "/" + path)
        .timeout(Duration.ofMinutes(10)).GET().build();
    try {
      HttpResponse<InputStream> r = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        throw PdmErrors.failure("download artifact " + path + " from " + uri, "HTTP " + r.statusCode(),
            "check that the run's artifacts are served (mlflow server --serve-artifacts)");
      }
      return r.body();
    } catch (IOException e) {
      throw PdmErrors.failure("download artifact " + path + " from " + uri, e.toString(), "check the server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("download artifact " + path, "interrupted", "run it again");
    }
  }

  /** The artifact URI of a run. */
  public String artifactUri(String runId) {
    return client.getRun(runId).getInfo().getArtifactUri();
  }

  /** Files (not directories) of a run's artifacts under {@code path}, recursively. */
  public List<String> listFiles(String runId, String path) {
    JsonNode files = parse(client.sendGet("artifacts/list?run_id=" + enc(runId) + "&path=" + enc(path))).path("files");
    List<String> out = new ArrayList<>();
    for (JsonNode f : files) {
      if (f.path("is_dir").asBoolean(false)) {
        out.addAll(listFiles(runId, f.path("path").asText()));
      } else {
        out.add(f.path("path").asText());
      }
    }
    out.sort(null);
    return out;
  }

  // ---- model registry (REST) ----

  /** A registered model as the registry answers: its tags and aliases (alias to version). */
  public record RegisteredModel(String name, Map<String, String> tags, Map<String, String> aliases) {
    static RegisteredModel of(JsonNode n) {
      Map<String, String> aliases = new java.util.TreeMap<>();
      for (JsonNode a : n.path("aliases")) {
        aliases.put(a.path("alias").asText(), a.path("version").asText());
      }
      return new RegisteredModel(n.path("name").asText(), tagsOf(n), java.util.Collections.unmodifiableMap(aliases));
    }
  }

  /** A model version as the registry answers: where its files are, the run that made it, its tags. */
  public record ModelVersion(String name, String version, String source, String runId, String status,
      Map<String, String> tags) {
    static ModelVersion of(JsonNode n) {
      return new ModelVersion(n.path("name").asText(), n.path("version").asText(), n.path("source").asText(),
          n.path("run_id").asText(), n.path("status").asText(), tagsOf(n));
    }
  }

  /** The registered model, if it exists. */
  public Optional<RegisteredModel> registeredModel(String name) {
    return getOptional("registered-models/get?name=" + enc(name)).map(n -> RegisteredModel.of(n.path("registered_model")));
  }

  public void createRegisteredModel(String name, String description, Map<String, String> tags) {
    ObjectNode body = JSON.createObjectNode().put("name", name).put("description", description);
    var arr = body.putArray("tags");
    tags.forEach((k, v) -> arr.addObject().put("key", k).put("value", v));
    client.sendPost("registered-models/create", body.toString());
  }

  /** Registers a new version and waits until the server says READY; returns its version number. */
  public String createModelVersion(String name, String source, String runId, Map<String, String> tags) {
    ObjectNode body = JSON.createObjectNode().put("name", name).put("source", source).put("run_id", runId);
    var arr = body.putArray("tags");
    tags.forEach((k, v) -> arr.addObject().put("key", k).put("value", v));
    JsonNode created = parse(client.sendPost("model-versions/create", body.toString()));
    String version = created.path("model_version").path("version").asText();
    for (int i = 0; i < 120; i++) {
      String status = parse(client.sendGet("model-versions/get?name=" + enc(name) + "&version=" + version))
          .path("model_version").path("status").asText();
      if (status.equals("READY")) {
        return version;
      }
      if (status.equals("FAILED_REGISTRATION")) {
        throw PdmErrors.failure("register " + name + " version " + version, "the server says FAILED_REGISTRATION",
            "see the MLflow server log");
      }
      sleep(500);
    }
    throw PdmErrors.failure("register " + name + " version " + version, "it is not READY after 60 s",
        "see the MLflow server log");
  }

  /** Registered models whose names match a SQL LIKE pattern, with their aliases. */
  public List<RegisteredModel> searchRegisteredModels(String nameLike) {
    JsonNode n = parse(client.sendGet("registered-models/search?max_results=1000&filter="
        + enc("name LIKE '" + nameLike.replace("'", "''") + "'")));
    List<RegisteredModel> out = new ArrayList<>();
    n.path("registered_models").forEach(m -> out.add(RegisteredModel.of(m)));
    return out;
  }

  /** One model version, if it exists. */
  public Optional<ModelVersion> modelVersion(String name, String version) {
    return getOptional("model-versions/get?name=" + enc(name) + "&version=" + enc(version))
        .map(n -> ModelVersion.of(n.path("model_version")));
  }

  /** The model version an alias points at, if any. */
  public Optional<ModelVersion> versionByAlias(String name, String alias) {
    return getOptional("registered-models/alias?name=" + enc(name) + "&alias=" + enc(alias))
        .map(n -> ModelVersion.of(n.path("model_version")));
  }

  public void setAlias(String name, String alias, String version) {
    client.sendPost("registered-models/alias", JSON.createObjectNode().put("name", name).put("alias", alias)
        .put("version", version).toString());
  }

  public void setVersionTag(String name, String version, String key, String value) {
    client.sendPost("model-versions/set-tag", JSON.createObjectNode().put("name", name).put("version", version)
        .put("key", key).put("value", truncate(value, 5000)).toString());
  }

  /** Tags of a registry answer as a map. */
  private static Map<String, String> tagsOf(JsonNode node) {
    Map<String, String> m = new java.util.TreeMap<>();
    for (JsonNode t : node.path("tags")) {
      m.put(t.path("key").asText(), t.path("value").asText());
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private Optional<JsonNode> getOptional(String path) {
    try {
      return Optional.of(parse(client.sendGet(path)));
    } catch (MlflowHttpException e) {
      // A missing model answers 404 RESOURCE_DOES_NOT_EXIST; a missing alias of an existing model
      // answers 400 INVALID_PARAMETER_VALUE "... alias ... not found".
      String body = String.valueOf(e.getBodyMessage());
      if (e.getStatusCode() == 404 || (e.getStatusCode() == 400 && body.contains("not found"))) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("MLflow answered something that is not JSON: " + body, e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("wait for the MLflow server", "interrupted", "run it again");
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
