package dev.pdm.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.FeaturesJob;
import dev.pdm.features.TinyFleet;
import dev.pdm.ingest.sim.EventJson;
import dev.pdm.mlflow.LocalMlflow;
import dev.pdm.scoring.ScoreBatchJob;
import dev.pdm.training.TrainJob;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API against a real server on a free port, champions trained on a tiny fleet and registered
 * in a real MLflow server: the contract of health, OpenAPI and predict, predict's parity with
 * score-batch, the bad-input corpus (each a 400 problem+json naming the field), and the token.
 */
@Integration
class ServeJobTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> READINGS = List.of("x1", "x2", "a", "b", "c", "d");
  private static final String TOKEN = "s3cret-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Path warehouse;
  private static PdmConfig config;
  private static ServeJob.Running server;
  private static String base;

  @BeforeAll
  static void trainAndServe() {
    SparkSession spark = TestSpark.session();
    warehouse = TestSpark.tempDir("serve-wh");
    config = TinyFleet.config(warehouse, "pdm.mlflow.tracking-uri", LocalMlflow.uri(),
        "pdm.training.model-name-prefix", "serve", "pdm.training.grid.max-depth", "3",
        "pdm.training.grid.max-iter", "10", "pdm.training.grid.step-size", "0.3",
        "pdm.training.grid.subsampling-rate", "1.0", "pdm.serve.token", TOKEN,
        "pdm.serve.max-request-bytes", "200000");
    List<Row> rows = new ArrayList<>();
    for (int unit = 1; unit <= 8; unit++) {
      rows.addAll(TinyFleet.rows("T", "train", unit, 1, 25 + 4 * unit, 1));
    }
    rows.addAll(TinyFleet.rows("T", "test", 1, 1, 30, 1));
    TinyFleet.appendSilver(spark, config, rows);
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T", false));
    TrainJob.run(spark, new TrainJob.Options(config, "T", null, 3, false));
    server = ServeJob.start(spark, new ServeJob.Options(config, "127.0.0.1", 0));
    base = "http://127.0.0.1:" + server.port() + "/api/v1";
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void predictAnswersWhatScoreBatchWritesForTheLastCycle() throws Exception {
    ScoreBatchJob.run(TestSpark.session(), new ScoreBatchJob.Options(config, "T", "asset_id = 'T-test-1'", false));
    Row batch = TestSpark.session().sql("SELECT cycle, predicted_rul, rul_lower, rul_upper, failure_probability,"
        + " risk_level, anomaly_severity, rul_model_version FROM delta.`" + warehouse.resolve("gold/predictions")
        + "` WHERE asset_id = 'T-test-1'").collectAsList().get(0);

    HttpResponse<String> r = post("/predict", predictBody("T", "T-test-1", events("T-test-1", 1, 30, true)), TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode p = JSON.readTree(r.body());
    assertEquals(30, batch.getInt(0));
    assertEquals(30, p.path("cycle").asInt());
    assertEquals(30, p.path("cycles").asInt());
    assertEquals(batch.getDouble(1), p.path("predicted_rul").asDouble(), 1e-9);
    assertEquals(batch.getDouble(2), p.path("rul_lower").asDouble(), 1e-9);
    assertEquals(batch.getDouble(3), p.path("rul_upper").asDouble(), 1e-9);
    assertEquals(batch.getDouble(4), p.path("failure_probability").asDouble(), 1e-9);
    assertEquals(batch.getString(5), p.path("risk_level").asText());
    assertEquals(batch.getString(6), p.path("anomaly_severity").asText());
    assertEquals(batch.getString(7), p.path("rul_model_version").asText());
    assertEquals("1", p.path("failure_model_version").asText());
    assertEquals(1, p.path("feature_set_version").asInt());

    JsonNode health = JSON.readTree(get("/health").body());
    assertEquals("ok", health.path("status").asText());
    assertEquals("T", health.path("datasets").path(0).path("dataset").asText(), health.toString());
    assertEquals("serve-T-rul v1", health.path("datasets").path(0).path("rul_model").asText());
  }

  @Test
  void theOpenApiDocumentDescribesEveryRoute() throws Exception {
    HttpResponse<String> r = get("/openapi.json");
    assertEquals(200, r.statusCode());
    JsonNode doc = JSON.readTree(r.body());
    assertEquals("3.1.0", doc.path("openapi").asText());
    List<String> paths = new ArrayList<>();
    doc.path("paths").fieldNames().forEachRemaining(paths::add);
    assertEquals(List.of("/health", "/openapi.json", "/predict"), paths);
  }

  @Test
  void badInputGetsAProblemNamingTheFieldAndWritesNothing() throws Exception {
    ArrayNode good = events("T-test-1", 1, 5, false);
    ObjectNode nonNumeric = (ObjectNode) good.get(2).deepCopy();
    ((ObjectNode) nonNumeric.path("sensors")).put("a", "hot");
    ArrayNode withBad = good.deepCopy().add(nonNumeric);
    ArrayNode otherAsset = events("T-test-2", 1, 2, false);
    String[][] corpus = {
        {"{not json", null, "not valid JSON"},
        {predictBody("T", "T-test-1", JSON.createArrayNode()), "events", "events is required"},
        {"{\"dataset\": \"T\", \"asset_id\": \"T-test-1\"}", "events", "events is required"},
        {predictBody("T", null, good), "asset_id", "asset_id is required"},
        {predictBody("../../etc", "T-test-1", good), "dataset", "is not a dataset name"},
        {predictBody("NOPE", "T-test-1", good), null, "no champion models serve dataset NOPE"},
        {predictBody("T", "T-test-1", withBad), "events[5]", "NON_NUMERIC"},
        {predictBody("T", "T-test-1", otherAsset), "events[0]", "send one asset's events"},
        {predictBody("T", "T-test-1", JSON.createArrayNode().add(3)), "events[0]", "an event is a JSON object"},
    };
    for (String[] c : corpus) {
      HttpResponse<String> r = post("/predict", c[0], TOKEN);
      int expected = c[2].startsWith("no champion") ? 404 : 400;
      assertEquals(expected, r.statusCode(), c[0] + " -> " + r.body());
      assertEquals(Problem.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
      JsonNode problem = JSON.readTree(r.body());
      assertEquals(expected, problem.path("status").asInt());
      assertTrue(problem.path("detail").asText().contains(c[2]), c[0] + " -> " + r.body());
      if (c[1] != null) {
        assertEquals(c[1], problem.path("field").asText(), r.body());
      }
    }
    HttpResponse<String> large = post("/predict", predictBody("T", "T-test-1", good).replace("{\"dataset\"",
        "{\"pad\": \"" + "x".repeat(250_000) + "\", \"dataset\""), TOKEN);
    assertEquals(413, large.statusCode(), large.body());
    assertEquals(Problem.CONTENT_TYPE, large.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    assertTrue(JSON.readTree(large.body()).path("detail").asText().contains("pdm.serve.max-request-bytes"),
        large.body());
    HttpResponse<String> unknown = get("/nothing-here");
    assertEquals(404, unknown.statusCode());
    assertTrue(JSON.readTree(unknown.body()).path("detail").asText().contains("openapi.json"), unknown.body());
  }

  @Test
  void writesNeedTheTokenAndAnOpenBindNeedsOne() throws Exception {
    String body = predictBody("T", "T-test-1", events("T-test-1", 1, 3, false));
    assertEquals(401, post("/predict", body, null).statusCode());
    HttpResponse<String> wrong = post("/predict", body, "not-the-token");
    assertEquals(401, wrong.statusCode());
    assertEquals("Bearer", wrong.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals(200, post("/predict", body, TOKEN).statusCode());
    assertEquals(200, get("/health").statusCode(), "reads need no token");

    PdmConfig open = TestSpark.config(warehouse);
    PdmException e = assertThrows(PdmException.class, () -> new ServeJob.Options(open, "0.0.0.0", 8080));
    assertTrue(e.getMessage().contains("pdm.serve.token"), e.getMessage());
    new ServeJob.Options(open, "127.0.0.1", 8080);
    e = assertThrows(PdmException.class, () -> new ServeJob.Options(open, "127.0.0.1", 70000));
    assertTrue(e.getMessage().contains("--port"), e.getMessage());
  }

  /** Cycles from..to of a unit of the tiny fleet's test split, as events; newest first when asked. */
  private static ArrayNode events(String asset, int from, int to, boolean newestFirst) throws IOException {
    int unit = Integer.parseInt(asset.substring(asset.lastIndexOf('-') + 1));
    List<Row> rows = new ArrayList<>(TinyFleet.rows("T", "test", unit, from, to, 1));
    if (newestFirst) {
      Collections.reverse(rows);
    }
    ArrayNode out = JSON.createArrayNode();
    for (Row r : rows) {
      Double[] readings = new Double[READINGS.size()];
      for (int i = 0; i < readings.length; i++) {
        readings[i] = (Double) r.get(5 + i);
      }
      out.add(JSON.readTree(EventJson.event(r.getString(2), "T", r.getInt(3), null, READINGS, 2, readings)));
    }
    return out;
  }

  private static String predictBody(String dataset, String asset, ArrayNode events) {
    ObjectNode body = JSON.createObjectNode();
    body.put("dataset", dataset);
    if (asset != null) {
      body.put("asset_id", asset);
    }
    body.set("events", events);
    return body.toString();
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
