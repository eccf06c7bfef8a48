package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The summary of one drift report, from its summary row of ops.drift_reports (GET /api/v1/drift-reports);
 * {@code html_url} serves the report's page when drift-report wrote one ({@code --html}).
 */
public record DriftReportView(
    @JsonProperty("report_id") String reportId,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("model_name") String modelName,
    @JsonProperty("model_version") String modelVersion,
    @JsonProperty("selection") String selection,
    @JsonProperty("current_rows") long currentRows,
    @JsonProperty("drifted_share") Double driftedShare,
    @JsonProperty("rmse") Double rmse,
    @JsonProperty("validation_rmse") Double validationRmse,
    @JsonProperty("retrain") Boolean retrain,
    @JsonProperty("reasons") List<String> reasons,
    @JsonIgnore String htmlPath,
    @JsonProperty("html_url") String htmlUrl) {

  static DriftReportView of(Row r) {
    int reasons = r.fieldIndex("reasons");
    // a table written before the column was added has none
    String html = Arrays.asList(r.schema().fieldNames()).contains("html_path") ? r.getAs("html_path") : null;
    String id = r.getAs("report_id");
    return new DriftReportView(r.getAs("report_id"), AssetPrediction.instant(r.getAs("created_at")), r.getAs("dataset"),
        r.getAs("model_name"), r.getAs("model_version"), r.getAs("selection"), r.<Long>getAs("current_rows"),
        r.getAs("drifted_share"), r.getAs("rmse"), r.getAs("validation_rmse"), r.getAs("retrain"),
        r.isNullAt(reasons) ? List.of() : r.getList(reasons), html,
        html == null ? null : "/api/v1/drift-reports/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/html");
  }
}
