package dev.pdm.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.TinyFleet;
import dev.pdm.mlflow.LocalMlflow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard needs from the server, over HTTP against a real server on an empty
 * warehouse: its pages and the chart library come from the jar (the version npm installed from
 * the lock file), and the live stream tells when a table moves. The pages themselves are tested in
 * a real browser (serving/src/test/python, run by bin/test).
 */
@Integration
class DashboardServingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Path warehouse;
  private static ServeJob.Running server;
  private static String root;

  @BeforeAll
  static void serve() {
    SparkSession spark = TestSpark.session();
    warehouse = TestSpark.tempDir("dashboard-wh");
    PdmConfig config = TinyFleet.config(warehouse, "pdm.mlflow.tracking-uri", LocalMlflow.uri(),
        "pdm.serve.view-refresh", "1s");
    server = ServeJob.start(spark, new ServeJob.Options(config, "127.0.0.1", 0));
    root = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyPageIsTheShellAndTheChartLibraryIsThePinnedOne() throws Exception {
    for (String page : List.of("/", "/assets/T-test-1", "/alerts", "/work-orders")) {
      HttpResponse<String> r = get(page, null);
      assertEquals(200, r.statusCode(), page);
      assertEquals("text/html;charset=utf-8", type(r), page);
      assertTrue(r.body().contains("<script type=\"module\" src=\"/ui/app.js\"></script>"), page);
    }
    HttpResponse<String> uplot = get("/ui/vendor/uplot/dist/uPlot.iife.min.js", null);
    assertEquals(200, uplot.statusCode());
    assertEquals("text/javascript;charset=utf-8", type(uplot));
    // serving/src/main/npm/package-lock.json pins it
    assertTrue(uplot.body().startsWith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */"), uplot.body().substring(0, 60));
    String etag = uplot.headers().firstValue("ETag").orElseThrow();
    assertEquals(304, get("/ui/vendor/uplot/dist/uPlot.iife.min.js", etag).statusCode());
    // only the dashboard's files: a resource of the jar beside them is not one
    assertEquals(404, get("/ui/openapi.json", null).statusCode());
    assertEquals(404, get("/no-such-page", null).statusCode());
  }

  @Test
  void theLiveStreamSaysWhenAStreamCommitsABatchAndStreamsShowsTheBatch() throws Exception {
    BlockingQueue<String> data = new LinkedBlockingQueue<>();
    CompletableFuture<HttpResponse<Stream<String>>> live = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(root + "/api/v1/live")).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> response = live.get(30, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    Thread reader = new Thread(() -> response.body().filter(l -> l.startsWith("data: "))
        .forEach(l -> data.add(l.substring(6))), "sse-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      String first = data.poll(30, TimeUnit.SECONDS);
      assertNotNull(first, "no versions event when the client joined");
      long before = JSON.readTree(first).path("stream_metrics_version").asLong();

      SparkSession spark = TestSpark.session();
      Warehouse wh = new Warehouse(spark, warehouse.toString());
      wh.ensure(Tables.OPS_STREAM_METRICS, Tables.OPS_STREAM_METRICS.schema());
      Timestamp t = Timestamp.valueOf("2026-12-05 10:00:00");
      spark.createDataFrame(List.of(RowFactory.create("score-stream", "pdm-score-stream-T-telemetry", 7L, "T",
              "telemetry", 500L, 500L, 2L, 900L, 555.6, 1200L, 1800L, 2100L, t, Timestamp.valueOf("2026-12-05 10:00:01"))),
              Tables.OPS_STREAM_METRICS.schema())
          .write().format("delta").mode("append").save(wh.path(Tables.OPS_STREAM_METRICS));

      long after = before;
      long deadline = System.currentTimeMillis() + 60_000;
      while (after <= before) {
        String next = data.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        assertNotNull(next, "no versions event within 60 s of a commit to ops.stream_metrics");
        after = JSON.readTree(next).path("stream_metrics_version").asLong();
      }
      JsonNode streams = JSON.readTree(get("/api/v1/streams", null).body());
      assertEquals(after, streams.path("stream_metrics_version").asLong());
      JsonNode s = streams.path("streams").path(0);
      assertEquals("pdm-score-stream-T-telemetry", s.path("query_name").asText());
      assertEquals(7, s.path("batch_id").asLong());
      assertEquals(1800, s.path("latency_p95_ms").asLong());
      assertEquals("2026-12-05T10:00:01Z", s.path("committed_at").asText());
    } finally {
      response.body().close();
    }
  }

  /** The Content-Type as Jetty writes it (no space after the semicolon). */
  private static String type(HttpResponse<?> r) {
    return r.headers().firstValue("Content-Type").orElse("").replace(" ", "");
  }

  @Test
  void driftReportsAreTheSummaryRowsNewestFirstWithTheirPages() throws Exception {
    SparkSession spark = TestSpark.session();
    Path page = warehouse.resolve("reports/r2.html");
    Files.createDirectories(page.getParent());
    Files.writeString(page, "<!doctype html><title>drift r2</title>");
    Warehouse wh = new Warehouse(spark, warehouse.toString());
    wh.ensure(Tables.OPS_DRIFT_REPORTS, Tables.OPS_DRIFT_REPORTS.schema());
    spark.createDataFrame(List.of(
            drift("r1", "2026-12-01 08:00:00", "summary", null, false, List.of(), null),
            drift("r1", "2026-12-01 08:00:00", "feature", "s2_mean_10", null, null, null),
            drift("r2", "2026-12-02 08:00:00", "summary", null, true, List.of("40 of 152 features drifted"),
                page.toUri().toString())),
            Tables.OPS_DRIFT_REPORTS.schema())
        .write().format("delta").mode("append").save(wh.path(Tables.OPS_DRIFT_REPORTS));
    JsonNode reports = null;
    for (int i = 0; i < 120 && (reports == null || reports.path("total").asInt() < 2); i++) {
      Thread.sleep(500);
      reports = JSON.readTree(get("/api/v1/drift-reports?dataset=T", null).body());
    }
    assertEquals(2, reports.path("total").asInt(), String.valueOf(reports));
    assertEquals("r2", reports.path("drift_reports").path(0).path("report_id").asText());
    assertTrue(reports.path("drift_reports").path(0).path("retrain").asBoolean());
    assertEquals("40 of 152 features drifted", reports.path("drift_reports").path(0).path("reasons").path(0).asText());
    assertEquals("r1", reports.path("drift_reports").path(1).path("report_id").asText());
    assertEquals(0, JSON.readTree(get("/api/v1/drift-reports?dataset=OTHER", null).body()).path("total").asInt());

    // r2's page, read where its row says, in a sandbox; r1 was made without one
    assertEquals("/api/v1/drift-reports/r2/html", reports.path("drift_reports").path(0).path("html_url").asText());
    assertTrue(reports.path("drift_reports").path(1).path("html_url").isNull());
    assertTrue(reports.path("drift_reports").path(0).path("html_path").isMissingNode(), "no file paths in answers");
    HttpResponse<String> html = get("/api/v1/drift-reports/r2/html", null);
    assertEquals(200, html.statusCode());
    assertEquals("<!doctype html><title>drift r2</title>", html.body());
    assertEquals("sandbox allow-scripts", html.headers().firstValue("Content-Security-Policy").orElse(null));
    HttpResponse<String> none = get("/api/v1/drift-reports/r1/html", null);
    assertEquals(404, none.statusCode());
    assertTrue(none.body().contains("--html"), none.body());
    assertEquals(404, get("/api/v1/drift-reports/r9/html", null).statusCode());
  }

  private static Row drift(String id, String at, String kind, String name, Boolean retrain,
      List<String> reasons, String html) {
    return RowFactory.create(id, Timestamp.valueOf(at), "pdm-T-rul", "3", "T", "split IS NULL", kind, name, 0.1, 0.05,
        0.5, kind.equals("summary") ? (retrain ? "retrain" : "ok") : "ok", 500L, 2000L, 0.2, 14.0, 12.5, 3L, retrain,
        reasons, html);
  }

  private static HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path));
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
