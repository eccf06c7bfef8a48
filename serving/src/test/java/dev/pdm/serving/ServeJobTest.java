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
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.FeaturesJob;
import dev.pdm.features.TinyFleet;
import dev.pdm.ingest.sim.EventJson;
import dev.pdm.mlflow.LocalMlflow;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.Tracking;
import dev.pdm.scoring.ScoreBatchJob;
import dev.pdm.training.TrainJob;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
        "pdm.serve.max-request-bytes", "200000", "pdm.serve.view-refresh", "1s", "pdm.serve.history-cycles", "20",
        "pdm.scoring.model-refresh-interval", "1s");
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
        + "` WHERE asset_id = 'T-test-1' ORDER BY cycle DESC LIMIT 1").head();

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

    // fields in another order (events first: read in a second pass) give the same answer
    ObjectNode eventsFirst = JSON.createObjectNode();
    eventsFirst.set("events", events("T-test-1", 1, 30, true));
    eventsFirst.put("asset_id", "T-test-1").put("dataset", "T");
    HttpResponse<String> reordered = post("/predict", eventsFirst.toString(), TOKEN);
    assertEquals(200, reordered.statusCode(), reordered.body());
    assertEquals(p, JSON.readTree(reordered.body()));

    JsonNode health = JSON.readTree(get("/health").body());
    assertEquals("ok", health.path("status").asText());
    assertEquals("T", health.path("datasets").path(0).path("dataset").asText(), health.toString());
    assertEquals("serve-T-rul v1", health.path("datasets").path(0).path("rul_model").asText());
  }

  @Test
  void theServerFollowsTheChampionAliasesWithoutARestart() throws Exception {
    List<String> names = List.of("serve-T-rul", "serve-T-failure");
    String body = predictBody("T", "T-test-1", events("T-test-1", 1, 30, false));
    try (Tracking tracking = Tracking.connect(config)) {
      List<String> moved = new ArrayList<>();
      try {
        for (String name : names) {
          // a new version of the same model: what a retraining's promotion does to the alias
          Tracking.ModelVersion v1 = tracking.versionByAlias(name, Registry.CHAMPION).orElseThrow();
          moved.add(tracking.createModelVersion(name, v1.source(), v1.runId(), v1.tags()));
        }
        JsonNode before = JSON.readTree(post("/predict", body, TOKEN).body());
        for (int i = 0; i < names.size(); i++) {
          tracking.setAlias(names.get(i), Registry.CHAMPION, moved.get(i));
        }
        JsonNode after = predictUntil(body, p -> p.path("rul_model_version").asText().equals(moved.get(0))
            && p.path("failure_model_version").asText().equals(moved.get(1)));
        assertEquals(before.path("predicted_rul").asDouble(), after.path("predicted_rul").asDouble(), 1e-12,
            "the same trees under a new version");
        assertEquals("serve-T-rul v" + moved.get(0), JSON.readTree(get("/health").body()).path("datasets").path(0)
            .path("rul_model").asText());
      } finally {
        // the other tests expect version 1
        for (String name : names) {
          tracking.setAlias(name, Registry.CHAMPION, "1");
        }
        predictUntil(body, p -> p.path("rul_model_version").asText().equals("1"));
      }
    }
  }

  /** POSTs a predict body until the answer satisfies {@code done} (the server checks the registry every second). */
  private static JsonNode predictUntil(String body, Predicate<JsonNode> done) throws Exception {
    JsonNode last = null;
    for (int i = 0; i < 60; i++) {
      last = JSON.readTree(post("/predict", body, TOKEN).body());
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the server did not follow the aliases: " + last);
  }

  @Test
  void modelsListEachTasksChampionWithItsCrossValidatedMetricsAndMlflowPage() throws Exception {
    JsonNode m = JSON.readTree(get("/models").body());
    assertTrue(m.path("error").isNull(), m.toString());
    List<String> models = new ArrayList<>();
    m.path("models").forEach(x -> models.add(x.path("dataset").asText() + ":" + x.path("task").asText() + ":"
        + x.path("name").asText()));
    assertEquals(List.of("T:failure:serve-T-failure", "T:rul:serve-T-rul"), models);
    for (JsonNode x : m.path("models")) {
      JsonNode champion = null;
      for (JsonNode v : x.path("versions")) {
        if (v.path("aliases").toString().contains("\"champion\"")) {
          champion = v;
        }
      }
      assertTrue(champion != null, x.toString());
      String metric = x.path("task").asText().equals("rul") ? "rmse_all_rows" : "auc_pr";
      assertTrue(champion.path("metrics").path(metric).isNumber(), champion.toString());
      assertEquals(1, champion.path("feature_set_version").asInt());
      assertEquals(LocalMlflow.uri() + "/#/models/" + x.path("name").asText() + "/versions/"
          + champion.path("version").asText(), champion.path("mlflow_url").asText());
    }
  }

  @Test
  void theOpenApiDocumentDescribesEveryRoute() throws Exception {
    HttpResponse<String> r = get("/openapi.json");
    assertEquals(200, r.statusCode());
    JsonNode doc = JSON.readTree(r.body());
    assertEquals("3.1.0", doc.path("openapi").asText());
    List<String> paths = new ArrayList<>();
    doc.path("paths").fieldNames().forEachRemaining(paths::add);
    assertEquals(List.of("/health", "/openapi.json", "/predict", "/assets", "/assets/{asset_id}",
        "/assets/{asset_id}/readings", "/alerts",
        "/alerts/{alert_id}/ack", "/alerts/{alert_id}/resolve", "/work-orders", "/work-orders/{work_order_id}/schedule",
        "/work-orders/{work_order_id}/complete", "/work-orders/{work_order_id}/cancel", "/feedback", "/streams",
        "/live", "/models", "/drift-reports", "/drift-reports/{report_id}/html"), paths);
  }

  @Test
  void assetsAlertsAndWorkOrdersAreReadFromTheViewAndChangeThroughIt() throws Exception {
    SparkSession spark = TestSpark.session();
    ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config, "T", "asset_id LIKE 'T-train-%'", false));
    ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config, "T", "asset_id = 'T-test-1'", true));
    Warehouse wh = new Warehouse(spark, warehouse.toString());
    wh.ensure(Tables.GOLD_ALERTS, Tables.GOLD_ALERTS.schema());
    spark.createDataFrame(List.of(alert("a1", 20, "MEDIUM", "2026-01-01 10:00:00"),
        alert("a2", 28, "HIGH", "2026-01-01 11:00:00")), Tables.GOLD_ALERTS.schema())
        .write().format("delta").mode("append").save(wh.path(Tables.GOLD_ALERTS));
    wh.ensure(Tables.GOLD_WORK_ORDERS, Tables.GOLD_WORK_ORDERS.schema());
    Timestamp created = Timestamp.valueOf("2026-01-01 11:00:00");
    spark.createDataFrame(List.of(RowFactory.create("wo-a2", "T", "T-test-1", "a2", "HIGH", "P2", 28, 33, 3600.0,
            Timestamp.valueOf("2026-01-01 16:00:00"), "inspect", "open", null, created, null, null, null, null, null,
            null, created, null)), Tables.GOLD_WORK_ORDERS.schema())
        .write().format("delta").mode("append").save(wh.path(Tables.GOLD_WORK_ORDERS));

    // the view follows the tables: wait until it holds both
    JsonNode assets = waitFor("/assets?dataset=T", a -> a.path("total").asInt() == 9);
    waitFor("/alerts", a -> a.path("total").asInt() == 2);
    List<String> worstFirst = spark.sql("SELECT asset_id FROM (SELECT *, row_number() OVER (PARTITION BY asset_id"
        + " ORDER BY cycle DESC) AS n FROM delta.`" + wh.path(Tables.GOLD_PREDICTIONS) + "`) WHERE n = 1 ORDER BY"
        + " array_position(array('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'), risk_level) DESC, failure_probability DESC,"
        + " predicted_rul, asset_id").collectAsList().stream().map(r -> r.getString(0)).toList();
    List<String> answered = new ArrayList<>();
    assets.path("assets").forEach(a -> answered.add(a.path("asset_id").asText()));
    assertEquals(worstFirst, answered);
    JsonNode three = JSON.readTree(get("/assets?dataset=T&limit=3").body());
    assertEquals(3, three.path("assets").size());
    assertEquals(9, three.path("total").asInt());
    // the counts per level, worst first, cover every asset of the dataset whatever the risk filter
    JsonNode levels = JSON.readTree(get("/assets?dataset=T&risk=low&limit=1").body()).path("levels");
    List<String> names = new ArrayList<>();
    levels.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("CRITICAL", "HIGH", "MEDIUM", "LOW"), names);
    int counted = 0;
    for (JsonNode n : levels) {
      counted += n.asInt();
    }
    assertEquals(9, counted);
    JsonNode all = JSON.readTree(get("/assets").body());
    assertEquals("[\"T\"]", all.path("datasets").toString());
    assertEquals("cycle", all.path("clocks").path("T").path("kind").asText(), "each listed dataset's clock");
    String level = assets.path("assets").path(0).path("risk_level").asText();
    JsonNode filtered = JSON.readTree(get("/assets?risk=" + level.toLowerCase()).body());
    filtered.path("assets").forEach(a -> assertEquals(level, a.path("risk_level").asText()));
    assertEquals(assets.path("assets").findValuesAsText("risk_level").stream().filter(level::equals).count(),
        filtered.path("total").asLong());

    JsonNode one = JSON.readTree(get("/assets/T-test-1").body());
    Row last = spark.sql("SELECT cycle, predicted_rul, failure_probability FROM delta.`"
        + wh.path(Tables.GOLD_PREDICTIONS) + "` WHERE asset_id = 'T-test-1' ORDER BY cycle DESC LIMIT 1").head();
    assertEquals(30, last.getInt(0));
    assertEquals(30, one.path("latest").path("cycle").asInt(), one.toString());
    assertEquals("cycle/cycles", one.path("clock").path("kind").asText() + "/" + one.path("clock").path("rul_unit")
        .asText(), "a cycle fleet's clock");
    assertEquals(last.getDouble(1), one.path("latest").path("predicted_rul").asDouble(), 1e-12);
    assertEquals(last.getDouble(2), one.path("latest").path("failure_probability").asDouble(), 1e-12);
    assertEquals(20, one.path("predictions").size(), "pdm.serve.history-cycles");
    assertEquals(30, one.path("predictions").path(0).path("cycle").asInt());
    assertEquals(11, one.path("predictions").path(19).path("cycle").asInt());
    assertEquals(List.of("a2", "a1"), one.path("alerts").findValuesAsText("alert_id"));
    // its sensors' trends: silver's last 20 cycles of each reading, oldest first
    JsonNode readings = waitFor("/assets/T-test-1/readings", r -> r.path("cycles").size() == 20);
    assertEquals(11, readings.path("cycles").path(0).asInt());
    assertEquals(30, readings.path("cycles").path(19).asInt());
    List<String> sensors = new ArrayList<>();
    readings.path("values").fieldNames().forEachRemaining(sensors::add);
    assertEquals(READINGS, sensors);
    Row silver = spark.sql("SELECT a, d FROM delta.`" + wh.path(Tables.SILVER_TELEMETRY) + "` WHERE asset_id ="
        + " 'T-test-1' AND cycle = 30").head();
    assertEquals(silver.getDouble(0), readings.path("values").path("a").path(19).asDouble(), 0.0);
    assertEquals(silver.getDouble(1), readings.path("values").path("d").path(19).asDouble(), 0.0);
    assertEquals(404, get("/assets/T-test-99/readings").statusCode());
    waitFor("/work-orders", w -> w.path("total").asInt() == 1);
    assertEquals(List.of("wo-a2"), JSON.readTree(get("/assets/T-test-1").body()).path("work_orders")
        .findValuesAsText("work_order_id"));

    // ack and resolve: Delta commits, seen at once in the view, then folded from the table
    assertEquals(401, post("/alerts/a1/ack", "", null).statusCode());
    HttpResponse<String> ack = post("/alerts/a1/ack", "{\"note\": \"borescope booked\"}", TOKEN);
    assertEquals(200, ack.statusCode(), ack.body());
    assertEquals("acknowledged", JSON.readTree(ack.body()).path("status").asText());
    assertEquals(List.of("a2"), JSON.readTree(get("/alerts?status=open").body()).path("alerts")
        .findValuesAsText("alert_id"));
    HttpResponse<String> resolve = post("/alerts/a2/resolve", "", TOKEN);
    assertEquals(200, resolve.statusCode(), resolve.body());
    assertEquals(List.of("a1:resolved:resolved with a2", "a2:resolved:null"), spark.sql("SELECT concat_ws(':',"
        + " alert_id, status, coalesce(note, 'null')) FROM delta.`" + wh.path(Tables.GOLD_ALERTS) + "` ORDER BY"
        + " alert_id").collectAsList().stream().map(r -> r.getString(0)).toList());
    long version = spark.sql("DESCRIBE HISTORY delta.`" + wh.path(Tables.GOLD_ALERTS) + "`").head().getLong(0);
    waitFor("/health", h -> h.path("alerts_version").asLong() == version);
    assertEquals(2, JSON.readTree(get("/alerts?status=resolved").body()).path("total").asInt(),
        "the folded UPDATE commits agree with what the server showed at once");

    // a work order: schedule, then complete (a maintenance event); who is required
    HttpResponse<String> anonymous = post("/work-orders/wo-a2/schedule", "", TOKEN);
    assertEquals(400, anonymous.statusCode(), anonymous.body());
    assertEquals("by", JSON.readTree(anonymous.body()).path("field").asText());
    HttpResponse<String> scheduled = post("/work-orders/wo-a2/schedule",
        "{\"by\": \"j.smith\", \"scheduled_for\": \"2026-01-01T14:00:00Z\"}", TOKEN);
    assertEquals(200, scheduled.statusCode(), scheduled.body());
    JsonNode planned = JSON.readTree(get("/work-orders?status=scheduled").body()).path("work_orders").path(0);
    assertEquals("2026-01-01T14:00:00Z", planned.path("scheduled_for").asText(), planned.toString());
    assertEquals("j.smith", planned.path("scheduled_by").asText());
    HttpResponse<String> done = post("/work-orders/wo-a2/complete", "{\"by\": \"j.smith\", \"part\": \"HPC\"}",
        TOKEN);
    assertEquals(200, done.statusCode(), done.body());
    assertEquals("done", JSON.readTree(done.body()).path("status").asText());
    assertEquals(List.of("T-test-1:maintenance:HPC:wo-a2:j.smith"), spark.sql("SELECT concat_ws(':', asset_id, kind,"
        + " part, work_order_id, recorded_by) FROM delta.`" + wh.path(Tables.GOLD_ASSET_EVENTS) + "`").collectAsList()
        .stream().map(r -> r.getString(0)).toList());
    assertEquals(0, JSON.readTree(get("/work-orders?status=open,scheduled").body()).path("total").asInt());

    // feedback: a failure recorded once, however often it is sent
    String failure = "{\"dataset\": \"T\", \"asset_id\": \"T-test-1\", \"kind\": \"failure\", \"cycle\": 31,"
        + " \"by\": \"j.smith\"}";
    JsonNode first = JSON.readTree(post("/feedback", failure, TOKEN).body());
    assertTrue(first.path("recorded").asBoolean(), first.toString());
    JsonNode again = JSON.readTree(post("/feedback", failure, TOKEN).body());
    assertEquals(first.path("event_id").asText(), again.path("event_id").asText());
    assertTrue(!again.path("recorded").asBoolean(), again.toString());
    assertEquals(List.of("failure", "maintenance"), JSON.readTree(get("/assets/T-test-1").body()).path("events")
        .findValuesAsText("kind"), "the asset's events, newest first, at once");
    assertEquals(List.of("failure:31", "maintenance"), spark.sql("SELECT concat_ws(':', kind, cycle) FROM delta.`"
        + wh.path(Tables.GOLD_ASSET_EVENTS) + "` ORDER BY kind").collectAsList().stream().map(r -> r.getString(0))
        .toList());

    String[][] refused = {
        {"POST", "/work-orders/wo-a2/cancel", "409", "is done already", ""},
        {"POST", "/work-orders/wo-nope/cancel", "404", "no work order wo-nope", ""},
        {"POST", "/work-orders/a2/cancel", "400", "not a work order id", "work_order_id"},
        {"GET", "/work-orders?status=closed", "400", "'closed' is not one of", "status"},
        {"POST", "/feedback", "400", "'repair' is not a kind", "kind"},
        {"POST", "/feedback", "400", "a failure needs the cycle", "cycle"},
        {"POST", "/feedback", "400", "not a dataset name", "dataset"},
        {"POST", "/alerts/a2/resolve", "409", "resolved already", ""},
        {"POST", "/alerts/nope/ack", "404", "no alert nope", ""},
        {"POST", "/alerts/..%2F..%2Fx/ack", "400", "not an alert id", "alert_id"},
        {"GET", "/alerts?status=closed", "400", "'closed' is not one of", "status"},
        {"GET", "/assets?limit=0", "400", "from 1 to 10000", "limit"},
        {"GET", "/assets?risk=HOT", "400", "'HOT' is not one of", "risk"},
        {"GET", "/assets/nope", "404", "no predictions of asset nope", ""},
    };
    for (String[] c : refused) {
      HttpResponse<String> r = c[0].equals("GET") ? get(c[1]) : post(c[1], switch (c[4]) {
        case "kind" -> "{\"dataset\": \"T\", \"asset_id\": \"a\", \"kind\": \"repair\", \"by\": \"j\"}";
        case "cycle" -> "{\"dataset\": \"T\", \"asset_id\": \"a\", \"kind\": \"failure\", \"by\": \"j\"}";
        case "dataset" -> c[1].equals("/feedback") ? "{\"dataset\": \"../x\", \"asset_id\": \"a\"}" : "";
        default -> c[1].startsWith("/work-orders") ? "{\"by\": \"j.smith\"}" : "";
      }, TOKEN);
      assertEquals(Integer.parseInt(c[2]), r.statusCode(), c[1] + " -> " + r.body());
      JsonNode problem = JSON.readTree(r.body());
      assertTrue(problem.path("detail").asText().contains(c[3]), c[1] + " -> " + r.body());
      assertEquals(c[4], problem.path("field").asText(""), c[1] + " -> " + r.body());
    }
  }

  @Test
  void metricsCountRequestsByRouteTemplateInPrometheusText() throws Exception {
    String before = metrics();
    get("/health");
    get("/health");
    get("/assets/no-such-asset-1");
    get("/assets/no-such-asset-2");
    get("/no-such-route");
    String after = metrics();
    String health = "pdm_serve_requests_total{method=\"GET\",route=\"/api/v1/health\",status=\"200\"}";
    String asset = "pdm_serve_requests_total{method=\"GET\",route=\"/api/v1/assets/{asset_id}\",status=\"404\"}";
    String unmatched = "pdm_serve_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}";
    assertEquals(2, value(after, health) - value(before, health));
    assertEquals(2, value(after, asset) - value(before, asset), "one series per route template, not per path");
    assertEquals(1, value(after, unmatched) - value(before, unmatched));
    assertEquals(value(after, health), value(after, "pdm_serve_request_seconds_bucket{method=\"GET\","
        + "route=\"/api/v1/health\",status=\"200\",le=\"+Inf\"}"));
    assertTrue(after.contains("# TYPE pdm_serve_request_seconds histogram"), after);
    assertTrue(value(after, "pdm_serve_view_table_version{table=\"gold.predictions\"}") >= -1, after);
  }

  private static String metrics() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base.replace("/api/v1", "/metrics")))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    return r.body();
  }

  /** The value of one series in Prometheus text, 0 when absent. */
  private static long value(String text, String series) {
    return text.lines().filter(l -> l.startsWith(series + " ")).map(l -> Long.parseLong(l.substring(series.length() + 1)))
        .findFirst().orElse(0L);
  }

  private static Row alert(String id, int cycle, String level, String raisedAt) {
    Timestamp at = Timestamp.valueOf(raisedAt);
    return RowFactory.create(id, "T", "T-test-1", cycle, null, level, "LOW", 50.0, 0.5, "inspect", List.of(), "1", "1",
        "open", at, at, null, null);
  }

  /** GETs {@code path} until its answer satisfies {@code done} (the view folds every second). */
  private static JsonNode waitFor(String path, Predicate<JsonNode> done) throws Exception {
    JsonNode last = null;
    for (int i = 0; i < 120; i++) {
      last = JSON.readTree(get(path).body());
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(path + " never reached the expected state; last answer: " + last);
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
        {"{\"events\": " + withBad + ", \"asset_id\": \"T-test-1\", \"dataset\": \"T\"}", "events[5]",
            "NON_NUMERIC"},
        {"{\"events\": " + good + ", \"dataset\": \"T\"}", "asset_id", "asset_id is required"},
        {predictBody("T", "T-test-1", withBad).replace("}]}", "}]"), null, "not valid JSON"},
        {"{\"dataset\": \"T\", \"asset_id\": \"T-test-1\", \"events\": {}}", "events", "must be an array"},
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
