package dev.pdm.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import dev.pdm.features.FeaturesJob;
import dev.pdm.features.TinyFleet;
import dev.pdm.mlflow.LocalMlflow;
import dev.pdm.training.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drift reports against a model trained on a tiny fleet, with a real MLflow server: the reference
 * profile written at training, no drift on the training fleet's own data, drift on a fleet with a
 * second operating regime the model never saw (recomputed with the model's feature set), and the
 * HTML report drawn by headless Chromium.
 */
@Integration
class DriftReportJobTest {

  private static Path warehouse;
  private static PdmConfig config;
  private static TrainJob.Result trained;

  @BeforeAll
  static void trainOnTinyFleet() {
    SparkSession spark = TestSpark.session();
    warehouse = TestSpark.tempDir("drift-wh");
    config = TinyFleet.config(warehouse, "pdm.mlflow.tracking-uri", LocalMlflow.uri(),
        "pdm.training.grid.max-depth", "3", "pdm.training.grid.max-iter", "10", "pdm.training.grid.step-size",
        "0.3", "pdm.training.grid.subsampling-rate", "1.0", "pdm.drift.cycle-bands", "10,20");
    List<Row> rows = new ArrayList<>();
    for (int unit = 1; unit <= 9; unit++) {
      rows.addAll(TinyFleet.rows("T", "train", unit, 1, 25 + 4 * unit, 1));
      // The same engines run in two operating regimes: levels 1.5 times higher half the time.
      rows.addAll(TinyFleet.rows("U", "train", unit, 1, 25 + 4 * unit, 2));
    }
    TinyFleet.appendSilver(spark, config, rows);
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "T", false));
    FeaturesJob.run(spark, new FeaturesJob.Options(config, "U", false));
    trained = TrainJob.run(spark, new TrainJob.Options(config, "T", null, 3, false));
  }

  private static DriftReportJob.Result report(String where, Path out, Path html) {
    return DriftReportJob.run(TestSpark.session(), new DriftReportJob.Options(config, null, where, null, null,
        out == null ? null : out.toString(), html == null ? null : html.toString()));
  }

  @Test
  void trainingWritesTheReferenceProfile() {
    SparkSession spark = TestSpark.session();
    List<Row> rows = spark.read().format("delta").load(warehouse.resolve("ops/reference_profiles").toString())
        .where("run_id = '" + trained.runId() + "'").groupBy("kind", "name").agg(
            org.apache.spark.sql.functions.sum("rows").as("rows"),
            org.apache.spark.sql.functions.count("band").as("bands"))
        .orderBy("kind", "name").collectAsList();
    int features = new dev.pdm.features.FeatureSets(spark, new dev.pdm.common.table.Warehouse(spark,
        warehouse.toString())).latest("T").orElseThrow().featureNames().size();
    assertEquals(features + 1, rows.size(), "every feature and the predictions");
    for (Row r : rows) {
      assertEquals(trained.rows(), r.getLong(2), r.getString(1) + ": every training row counted once");
      assertEquals(3, r.getLong(3), "bands 1-10, 11-20, 21+");
    }
    assertEquals("prediction", rows.get(rows.size() - 1).getString(0));
  }

  @Test
  void ownFleetHasNoDriftAndAnUnseenRegimeHas() throws IOException, InterruptedException {
    Path dir = TestSpark.tempDir("drift-out");
    DriftReportJob.Result own = report("dataset = 'T'", dir.resolve("t.json"), null);
    DriftReport t = own.report();
    assertEquals("pdm-T-rul", t.modelName());
    assertEquals(trained.rows(), t.currentRows());
    assertEquals(0, t.decision().drifted(), t.toJson(false));
    assertTrue(t.byPsi().get(0).psi() < 0.01, "the training rows themselves: " + t.byPsi().get(0));
    // Predicted RUL is not compared here: on its own training rows a model is sharper than the
    // out-of-fold reference (RMSE about 2 vs 7 on this tiny fleet); the no-drift decision on unseen
    // data of the same fleet is checked end to end (airflow-dags/tests, README figures for FD001).
    assertTrue(t.performance().rmse() < t.performance().validationRmse(), t.performance().toString());
    JsonNode json = new ObjectMapper().readTree(dir.resolve("t.json").toFile());
    assertEquals(0, json.path("drifted_features").asInt(-1));
    assertEquals(t.features().size(), json.path("features").size());
    assertEquals(9, json.path("performance").path("labelled_assets").asInt());

    DriftReportJob.Result other = report("dataset = 'U'", dir.resolve("u.json"), dir.resolve("u.html"));
    DriftReport u = other.report();
    assertEquals(trained.rows(), u.currentRows(), "U's rows, recomputed with T's feature set");
    assertTrue(u.decision().retrain(), u.decision().reasons().toString());
    assertTrue(u.decision().driftedShare() >= 0.3, u.toJson(false));
    assertTrue(new ObjectMapper().readTree(dir.resolve("u.json").toFile()).path("retrain").asBoolean(false));

    List<Row> stored = TestSpark.session().read().format("delta")
        .load(warehouse.resolve("ops/drift_reports").toString())
        .where("report_id = '" + u.reportId() + "'").groupBy("kind").count().orderBy("kind").collectAsList();
    assertEquals(List.of("feature:" + u.features().size(), "prediction:1", "summary:1"),
        stored.stream().map(r -> r.getString(0) + ":" + r.getLong(1)).toList());
    // the summary row names the page, as a URI any reader opens (the dashboard links it)
    assertEquals(List.of(dir.resolve("u.html").toUri().toString().replace("file:///", "file:/")),
        TestSpark.session().read().format("delta").load(warehouse.resolve("ops/drift_reports").toString())
            .where("report_id = '" + u.reportId() + "' AND kind = 'summary'").select("html_path").collectAsList()
            .stream().map(r -> r.getString(0)).toList());

    assertDrawnByChromium(dir.resolve("u.html"), u);
  }

  @Test
  void badInputIsRefusedWithTheFix() {
    PdmException where = assertThrows(PdmException.class, () -> report("no_such_column = 1", null, null));
    assertTrue(where.getMessage().contains("--where no_such_column = 1"), where.getMessage());
    PdmException empty = assertThrows(PdmException.class, () -> report("dataset = 'nothing'", null, null));
    assertTrue(empty.getMessage().contains("pdm.drift.min-rows"), empty.getMessage());
    PdmException model = assertThrows(PdmException.class, () -> DriftReportJob.run(TestSpark.session(),
        new DriftReportJob.Options(config, "pdm-T-failure@champion", null, null, null, null, null)));
    assertTrue(model.getMessage().contains("not a pdm RUL model"), model.getMessage());
    assertThrows(PdmException.class, () -> new DriftReportJob.Options(config, "a b", null, null, null, null, null));
  }

  /** Renders the page in headless Chromium and counts what its script drew. */
  private static void assertDrawnByChromium(Path html, DriftReport report) throws IOException, InterruptedException {
    Path chromium = Path.of(System.getenv().getOrDefault("PDM_CHROMIUM", "/usr/bin/chromium"));
    TestSpark.require(Files.isExecutable(chromium), "headless Chromium",
        "not found at " + chromium + " (apt-get install chromium, or set PDM_CHROMIUM; bin/test installs it)");
    Path profile = TestSpark.tempDir("chromium-profile");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom",
        html.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
    assertTrue(dom.contains("data-rendered=\"true\""), "the page's script did not run to its end");
    int features = report.features().size();
    assertEquals(features, count(dom, "<rect class=\"bar psi "), "one PSI bar per feature");
    assertEquals(features + 1, count(dom, "<svg class=\"histogram\""), "a histogram per feature and predicted RUL");
    assertEquals((features + 1) * 11, count(dom, "<rect class=\"bar ref\""), "11 reference bins per histogram");
    assertEquals((features + 1) * 11, count(dom, "<rect class=\"bar cur\""), "11 current bins per histogram");
    assertTrue(dom.contains("Decision: retrain"), "the decision is shown");
    // The most drifted feature's bar is the longest, and not the minimum width.
    Matcher m = Pattern.compile("<rect class=\"bar psi drift\"[^>]*width=\"([0-9.]+)\"").matcher(dom);
    assertTrue(m.find(), "a drifted feature is drawn as such");
    assertTrue(Double.parseDouble(m.group(1)) > 50, "its bar has a length: " + m.group(1));
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
