package dev.pdm.features.feedback;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * gold.asset_events, the ground truth about assets: a failure at a cycle, or maintenance done
 * (with the part). Recorded by {@code bin/pdm feedback}, {@code POST /api/v1/feedback} and the
 * completion of a work order; read by the drift report (realised RUL of assets that failed) and by
 * training (failed streamed assets as run-to-failure examples, see {@link FailureLabels}).
 *
 * <p>A record's id is a hash of what it says, so sending the same feedback twice (a retry, a
 * double click) records it once: each record is an insert-only MERGE on the id, retried when a
 * concurrent writer wins the race.
 *
 * <p>Usage:
 * <pre>{@code
 * AssetEvents.Result r = AssetEvents.record(spark, warehouse,
 *     AssetEvents.Event.failure("FD001", "FD001-test-7", 212, null, "j.smith", "compressor stall"));
 * Dataset<Row> failures = AssetEvents.failures(warehouse, "FD001"); // dataset, asset_id, failed_at_cycle
 * }</pre>
 */
public final class AssetEvents {

  public static final String FAILURE = "failure";
  public static final String MAINTENANCE = "maintenance";

  /** One record; {@code id} null: derived from the rest. */
  public record Event(String id, String dataset, String assetId, String kind, Integer cycle, Timestamp eventTime,
      String part, String workOrderId, String note, String by) {

    /** The asset failed at {@code cycle}. */
    public static Event failure(String dataset, String assetId, int cycle, Timestamp at, String by, String note) {
      return new Event(null, dataset, assetId, FAILURE, cycle, at, null, null, note, by);
    }

    /**
     * The cycle of a failure reported by its time {@code at} alone: on a time fleet its tick
     * ({@link dev.pdm.common.profile.DatasetProfile#tickOf}); null on a cycle fleet, or for a time
     * outside the fleet's clock.
     */
    public static Integer failureCycle(dev.pdm.common.profile.DatasetProfile profile, Timestamp at) {
      if (profile.clock() != dev.pdm.common.profile.DatasetProfile.Clock.TIME) {
        return null;
      }
      long tick = profile.tickOf(at.getTime());
      return tick < 0 ? null : (int) tick;
    }

    /** Maintenance was done on the asset (at a cycle or a time, when known), on {@code part}. */
    public static Event maintenance(String dataset, String assetId, Integer cycle, Timestamp at, String part,
        String workOrderId, String by, String note) {
      return new Event(null, dataset, assetId, MAINTENANCE, cycle, at, part, workOrderId, note, by);
    }

    /** The stable id: a work order's completion by its id, anything else by a hash of what it says. */
    public String eventId() {
      if (id != null) {
        return id;
      }
      if (workOrderId != null) {
        return MAINTENANCE + "-" + workOrderId;
      }
      return kind + "-" + hash(String.join("\u0000", dataset, assetId, kind, String.valueOf(cycle),
          String.valueOf(eventTime == null ? null : eventTime.toInstant()), String.valueOf(part)));
    }
  }

  /** What a record did: the id, and whether it was new (false: recorded before). */
  public record Result(String eventId, boolean recorded) {}

  private AssetEvents() {}

  /** Records {@code e} unless a record with its id exists. */
  public static Result record(SparkSession spark, Warehouse warehouse, Event e) {
    warehouse.ensure(Tables.GOLD_ASSET_EVENTS, Tables.GOLD_ASSET_EVENTS.schema());
    String id = e.eventId();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    Row row = RowFactory.create(id, e.dataset(), e.assetId(), e.kind(), e.cycle(), e.eventTime(), e.part(),
        e.workOrderId(), e.note(), e.by(), now);
    // a MERGE answers its metrics as one row: num_affected_rows, ..., num_inserted_rows
    Row metrics = DeltaRetry.commit("record " + e.kind() + " of " + e.assetId() + " in gold.asset_events",
        () -> warehouse.delta(Tables.GOLD_ASSET_EVENTS).as("t")
            .merge(spark.createDataFrame(List.of(row), Tables.GOLD_ASSET_EVENTS.schema()).as("s"),
                "t.dataset = '" + e.dataset().replace("'", "''") + "' AND t.event_id = s.event_id")
            .whenNotMatched().insertAll()
            .execute().head());
    return new Result(id, metrics.<Long>getAs("num_inserted_rows") > 0);
  }

  /**
   * The failure cycle of each asset that failed (the first, when reported more than once):
   * {@code dataset, asset_id, failed_at_cycle}; empty when gold.asset_events does not exist.
   *
   * @param dataset only this dataset's, or every dataset's when null
   */
  public static Dataset<Row> failures(Warehouse warehouse, String dataset) {
    SparkSession spark = warehouse.spark();
    if (!warehouse.exists(Tables.GOLD_ASSET_EVENTS)) {
      return spark.emptyDataFrame().selectExpr("CAST(NULL AS STRING) AS dataset", "CAST(NULL AS STRING) AS asset_id",
          "CAST(NULL AS INT) AS failed_at_cycle").limit(0);
    }
    // a time fleet's failure reported by its time was recorded at its tick (Event.failureCycle)
    Dataset<Row> events = warehouse.read(Tables.GOLD_ASSET_EVENTS, "pdm feedback")
        .where(col("kind").equalTo(FAILURE).and(col("cycle").isNotNull()));
    if (dataset != null) {
      events = events.where(col("dataset").equalTo(dataset));
    }
    return events.groupBy("dataset", "asset_id").agg(min("cycle").as("failed_at_cycle"));
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
