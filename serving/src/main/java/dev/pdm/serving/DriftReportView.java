package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.apache.spark.sql.Row;

/** The summary of one drift report, from its summary row of ops.drift_reports (GET /api/v1/drift-reports). */
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
    @JsonProperty("reasons") List<String> reasons) {

  static DriftReportView of(Row r) {
    int reasons = r.fieldIndex("reasons");
    return new DriftReportView(r.getAs("report_id"), AssetPrediction.instant(r.getAs("created_at")), r.getAs("dataset"),
        r.getAs("model_name"), r.getAs("model_version"), r.getAs("selection"), r.<Long>getAs("current_rows"),
        r.getAs("drifted_share"), r.getAs("rmse"), r.getAs("validation_rmse"), r.getAs("retrain"),
        r.isNullAt(reasons) ? List.of() : r.getList(reasons));
  }
}
