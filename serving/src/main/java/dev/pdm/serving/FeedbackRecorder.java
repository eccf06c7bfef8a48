package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pdm.common.Names;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.feedback.AssetEvents;
import dev.pdm.common.profile.DatasetProfile;
import java.sql.Timestamp;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * {@code POST /api/v1/feedback}: ground truth into gold.asset_events, as {@code bin/pdm feedback}
 * ({@link AssetEvents}: an insert-only MERGE on an id derived from the record, so a retried POST
 * records it once). The body is checked field by field; nothing is written when one is bad.
 */
final class FeedbackRecorder {

  static final int MAX_ASSET_ID = 200;

  /** The body: an asset failed at a cycle, or maintenance was done on it. */
  record Request(@JsonProperty("dataset") String dataset, @JsonProperty("asset_id") String assetId,
      @JsonProperty("kind") String kind, @JsonProperty("cycle") Integer cycle,
      @JsonProperty("event_time") String eventTime, @JsonProperty("part") String part,
      @JsonProperty("by") String by, @JsonProperty("note") String note) {}

  /** The answer: the record's id, and whether this request added it (false: recorded before). */
  record Recorded(@JsonProperty("event_id") String eventId, @JsonProperty("recorded") boolean recorded) {}

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final FleetView view;
  private final Function<String, DatasetProfile> profiles;

  /** @param profiles each dataset's profile: a time fleet's failure may be placed by its event_time */
  FeedbackRecorder(SparkSession spark, Warehouse warehouse, FleetView view, Function<String, DatasetProfile> profiles) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.view = view;
    this.profiles = profiles;
  }

  Recorded record(Request body) {
    AssetEvents.Event event = event(body, profiles);
    AssetEvents.Result r = AssetEvents.record(spark, warehouse, event);
    // shown at once in GET /assets/{id}
    view.refreshAsset(Tables.GOLD_ASSET_EVENTS, event.dataset(), event.assetId());
    return new Recorded(r.eventId(), r.recorded());
  }

  static AssetEvents.Event event(Request b, Function<String, DatasetProfile> profiles) {
    if (b == null) {
      throw ApiException.badRequest(null, "send a JSON body: {\"dataset\", \"asset_id\", \"kind\": \"failure\" or"
          + " \"maintenance\", \"cycle\", \"by\", ...}");
    }
    if (b.dataset() == null || !Names.isDataset(b.dataset())) {
      throw ApiException.badRequest("dataset", "'" + b.dataset() + "' is not a dataset name: letters, digits, _ and -"
          + " such as FD001");
    }
    if (b.assetId() == null || b.assetId().isBlank() || b.assetId().length() > MAX_ASSET_ID) {
      throw ApiException.badRequest("asset_id", "name the asset (1 to " + MAX_ASSET_ID + " characters)");
    }
    String by = ApiFields.by(b.by());
    String note = ApiFields.text("note", b.note());
    String part = ApiFields.text("part", b.part());
    if (b.cycle() != null && b.cycle() < 1) {
      throw ApiException.badRequest("cycle", b.cycle() + " is not a cycle: cycles count from 1");
    }
    Timestamp at = ApiFields.instant("event_time", b.eventTime());
    if (AssetEvents.FAILURE.equals(b.kind())) {
      Integer cycle = b.cycle() == null && at != null
          ? AssetEvents.Event.failureCycle(profiles.apply(b.dataset()), at) : b.cycle();
      if (cycle == null) {
        throw ApiException.badRequest("cycle", "a failure needs the cycle the asset failed at (a time fleet's: its"
            + " event_time)");
      }
      if (part != null) {
        throw ApiException.badRequest("part", "a part goes with maintenance");
      }
      return AssetEvents.Event.failure(b.dataset(), b.assetId(), cycle, at, by, note);
    }
    if (AssetEvents.MAINTENANCE.equals(b.kind())) {
      return AssetEvents.Event.maintenance(b.dataset(), b.assetId(), b.cycle(), at, part, null, by, note);
    }
    throw ApiException.badRequest("kind", "'" + b.kind() + "' is not a kind: failure or maintenance");
  }
}
