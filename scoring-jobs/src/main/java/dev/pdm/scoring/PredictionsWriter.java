package dev.pdm.scoring;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Writes gold.predictions, keyed by (dataset, asset_id, cycle). The stream inserts only (a replayed
 * micro-batch, even scored by a newer model after a swap, finds its rows there and adds nothing);
 * score-batch upserts (scoring again with the same models rewrites the same values).
 */
final class PredictionsWriter {

  private PredictionsWriter() {}

  /** Callers create the table once ({@code warehouse.ensure}), not per micro-batch. */
  static void insertNew(Warehouse warehouse, Dataset<Row> predictions, List<String> datasets) {
    warehouse.delta(Tables.GOLD_PREDICTIONS).as("t")
        .merge(predictions.as("s"), condition(datasets))
        .whenNotMatched().insertAll()
        .execute();
  }

  /** Rows whose prediction is unchanged are left as they are (scored_at included): no rewrite. */
  static void upsert(Warehouse warehouse, Dataset<Row> predictions, List<String> datasets) {
    List<String> same = new ArrayList<>();
    for (String c : Tables.GOLD_PREDICTIONS.schema().fieldNames()) {
      if (!List.of("dataset", "asset_id", "cycle", "scored_at", "kafka_timestamp").contains(c)) {
        same.add("t." + c + " <=> s." + c);
      }
    }
    warehouse.delta(Tables.GOLD_PREDICTIONS).as("t")
        .merge(predictions.as("s"), condition(datasets))
        .whenMatched("NOT (" + String.join(" AND ", same) + ")").updateAll()
        .whenNotMatched().insertAll()
        .execute();
  }

  // The literal dataset list lets Delta prune the table's partitions.
  private static String condition(List<String> datasets) {
    return "t.dataset IN ('" + String.join("', '", datasets) + "') AND t.dataset = s.dataset"
        + " AND t.asset_id = s.asset_id AND t.cycle = s.cycle";
  }
}
