package dev.pdm.drift;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pdm.mlflow.Histograms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One drift report: what was compared, each column's comparison, and the decision. Renders itself
 * as the JSON that orchestration reads and as rows of {@code ops.drift_reports}.
 *
 * @param bandUnit what the life-stage bands count: cycles, or a time fleet's hours of age
 */
public record DriftReport(String reportId, Timestamp createdAt, String modelName, String modelVersion, String runId,
    String dataset, int featureSetVersion, String selection, Histograms.Bands bands, List<Drift.Comparison> features,
    Drift.Comparison prediction, Drift.Performance performance, Drift.Decision decision, Drift.Thresholds thresholds,
    String bandUnit) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public long currentRows() {
    return prediction.currentRows();
  }

  public long referenceRows() {
    return prediction.referenceRows();
  }

  /** Features, most drifted first. */
  public List<Drift.Comparison> byPsi() {
    List<Drift.Comparison> sorted = new ArrayList<>(features);
    sorted.sort(Comparator.comparingDouble(Drift.Comparison::psi).reversed());
    return sorted;
  }

  /** How the reference was stratified, for people. */
  public String stratification() {
    StringBuilder s = new StringBuilder("life stage: bands of " + bandUnit + " ");
    for (int b = 0; b < bands.count(); b++) {
      Integer last = bands.lastCycle(b);
      s.append(b == 0 ? "" : ", ").append(bands.firstCycle(b)).append(last == null ? "+" : "-" + last);
    }
    return s.append("; the reference is reweighted to the window's share of rows in each band").toString();
  }

  public String toJson(boolean withHistograms) {
    ObjectNode root = JSON.createObjectNode();
    root.put("report_id", reportId).put("created_at", createdAt.toInstant().toString());
    root.put("retrain", decision.retrain());
    ArrayNode reasons = root.putArray("reasons");
    decision.reasons().forEach(reasons::add);
    root.putObject("model").put("name", modelName).put("version", modelVersion).put("run_id", runId)
        .put("dataset", dataset).put("feature_set_version", featureSetVersion);
    root.put("selection", selection).put("stratification", stratification());
    ObjectNode b = root.putObject("bands").put("unit", bandUnit);
    ArrayNode upper = b.putArray("upper");
    Arrays.stream(bands.upper()).forEach(upper::add);
    root.put("current_rows", currentRows()).put("reference_rows", referenceRows());
    root.put("drifted_share", decision.driftedShare()).put("drifted_features", decision.drifted())
        .put("features_compared", decision.features());
    comparison(root.putObject("prediction"), prediction, withHistograms);
    ObjectNode perf = root.putObject("performance");
    if (performance == null) {
      perf.put("labelled_assets", 0);
    } else {
      perf.put("labelled_assets", performance.labelledAssets()).put("labelled_rows", performance.labelledRows());
      num(perf, "rmse", performance.rmse());
      num(perf, "validation_rmse", performance.validationRmse());
    }
    root.putObject("thresholds").put("psi_warn", thresholds.psiWarn()).put("psi_drift", thresholds.psiDrift())
        .put("drifted_share", thresholds.driftedShare()).put("prediction_psi", thresholds.predictionPsi())
        .put("rmse_increase", thresholds.rmseIncrease());
    ArrayNode list = root.putArray("features");
    byPsi().forEach(c -> comparison(list.addObject(), c, withHistograms));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void comparison(ObjectNode node, Drift.Comparison c, boolean withHistograms) {
    node.put("name", c.name());
    num(node, "psi", c.psi());
    num(node, "ks_statistic", c.ks());
    num(node, "ks_p_value", c.ksPValue());
    node.put("status", c.status().name().toLowerCase());
    if (withHistograms) {
      ArrayNode edges = node.putArray("decile_edges");
      Arrays.stream(c.decileEdges()).forEach(edges::add);
      ArrayNode ref = node.putArray("reference_shares");
      Arrays.stream(c.reference()).forEach(ref::add);
      ArrayNode cur = node.putArray("current_shares");
      Arrays.stream(c.current()).forEach(cur::add);
    }
  }

  private static void num(ObjectNode node, String key, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      node.putNull(key);
    } else {
      node.put(key, v);
    }
  }

  /** Rows of ops.drift_reports: one per feature, one for predicted RUL, one summary. */
  /** The rows of ops.drift_reports; {@code htmlPath}: where the HTML page is written, or null. */
  public List<Row> rows(String htmlPath) {
    List<Row> rows = new ArrayList<>();
    for (Drift.Comparison c : features) {
      rows.add(row("feature", c));
    }
    rows.add(row("prediction", prediction));
    rows.add(RowFactory.create(reportId, createdAt, modelName, modelVersion, dataset, selection, "summary", null,
        prediction.psi(), null, null, decision.retrain() ? "retrain" : "ok", currentRows(), referenceRows(),
        decision.driftedShare(), performance == null ? null : nanToNull(performance.rmse()),
        performance == null ? null : nanToNull(performance.validationRmse()),
        performance == null ? 0L : performance.labelledAssets(), decision.retrain(),
        CollectionConverters.asScala(decision.reasons()).toSeq(), htmlPath));
    return rows;
  }

  private Row row(String kind, Drift.Comparison c) {
    return RowFactory.create(reportId, createdAt, modelName, modelVersion, dataset, selection, kind, c.name(),
        nanToNull(c.psi()), nanToNull(c.ks()), nanToNull(c.ksPValue()), c.status().name().toLowerCase(),
        c.currentRows(), c.referenceRows(), null, null, null, null, null, null, null);
  }

  private static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
