package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.StreamingFeatures;
import dev.pdm.ingest.RejectReason;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Cycles that reached the stream after a later cycle of their asset was scored: they are valid
 * (silver holds them) but cannot be folded in order, so the stream records them in
 * bronze.telemetry_quarantine with reason {@link RejectReason#LATE_EVENT} instead of scoring them,
 * appended once per micro-batch (Delta txnAppId/txnVersion).
 */
final class LateEvents {

  private LateEvents() {}

  /** Quarantines {@code late} (rows of StreamingFeatures.withLate with a late reason); returns how many. */
  static long quarantine(Warehouse warehouse, Dataset<Row> late, String topic, String appId, long batchId) {
    long n = late.count();
    if (n == 0) {
      return 0;
    }
    List<Column> cols = new ArrayList<>();
    for (StructField f : Tables.QUARANTINE.schema().fields()) {
      Column c = switch (f.name()) {
        case "source_type" -> lit("kafka");
        case "source" -> lit(topic);
        case "dataset", "split", "asset_id" -> col(f.name());
        case "reason_code" -> lit(RejectReason.LATE_EVENT.name());
        case "reason" -> col(StreamingFeatures.LATE_REASON);
        case "ingested_at" -> current_timestamp();
        case "ingest_date" -> to_date(current_timestamp());
        default -> lit(null);
      };
      cols.add(c.cast(f.dataType()).as(f.name()));
    }
    late.select(cols.toArray(Column[]::new)).write().format("delta").mode("append")
        .option("txnAppId", appId).option("txnVersion", batchId)
        .save(warehouse.path(Tables.QUARANTINE));
    return n;
  }
}
