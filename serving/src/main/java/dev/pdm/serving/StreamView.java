package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.spark.sql.Row;

/**
 * The last committed micro-batch of one streaming query, from ops.stream_metrics: the stream's
 * health as the dashboard shows it (GET /api/v1/streams).
 */
public record StreamView(
    @JsonProperty("job") String job,
    @JsonProperty("query_name") String queryName,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("topic") String topic,
    @JsonProperty("batch_id") long batchId,
    @JsonProperty("input_rows") long inputRows,
    @JsonProperty("output_rows") long outputRows,
    @JsonProperty("duration_ms") long durationMs,
    @JsonProperty("latency_p50_ms") Long latencyP50Ms,
    @JsonProperty("latency_p95_ms") Long latencyP95Ms,
    @JsonProperty("committed_at") String committedAt) {

  static StreamView of(Row r) {
    return new StreamView(r.getAs("job"), r.getAs("query_name"), r.getAs("dataset"), r.getAs("topic"),
        r.<Long>getAs("batch_id"), r.<Long>getAs("input_rows"), r.<Long>getAs("output_rows"),
        r.<Long>getAs("duration_ms"), r.getAs("latency_p50_ms"), r.getAs("latency_p95_ms"),
        AssetPrediction.instant(r.getAs("committed_at")));
  }
}
