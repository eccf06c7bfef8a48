package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.spark.sql.Row;

/** One record of gold.asset_events (a failure or maintenance) as the API answers it (GET /assets/{id}). */
public record AssetEventView(
    @JsonProperty("event_id") String eventId,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("asset_id") String assetId,
    @JsonProperty("kind") String kind,
    @JsonProperty("cycle") Integer cycle,
    @JsonProperty("event_time") String eventTime,
    @JsonProperty("part") String part,
    @JsonProperty("work_order_id") String workOrderId,
    @JsonProperty("note") String note,
    @JsonProperty("recorded_by") String recordedBy,
    @JsonProperty("recorded_at") String recordedAt) {

  static AssetEventView of(Row r) {
    return new AssetEventView(r.getAs("event_id"), r.getAs("dataset"), r.getAs("asset_id"), r.getAs("kind"),
        r.getAs("cycle"), AssetPrediction.instant(r.getAs("event_time")), r.getAs("part"), r.getAs("work_order_id"),
        r.getAs("note"), r.getAs("recorded_by"), AssetPrediction.instant(r.getAs("recorded_at")));
  }
}
