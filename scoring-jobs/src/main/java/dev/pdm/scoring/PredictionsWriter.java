package dev.pdm.scoring;

import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Writes score-batch's gold.predictions, keyed by (dataset, asset_id, cycle): an upsert (scoring
 * again with the same models rewrites the same values). The stream appends its own, once per
 * micro-batch ({@link dev.pdm.scoring.stream.ScoringBatchWriter}).
 */
final class PredictionsWriter {

  private PredictionsWriter() {}

  /** Rows whose prediction is unchanged are left as they are (scored_at included): no rewrite. */
  static void upsert(Warehouse warehouse, Dataset<Row> predictions, List<String> datasets) {
    List<String> same = new ArrayList<>();
    for (String c : Tables.GOLD_PREDICTIONS.schema().fieldNames()) {
      if (!List.of("dataset", "asset_id", "cycle", "scored_at", "kafka_timestamp").contains(c)) {
        same.add("t." + c + " <=> s." + c);
      }
    }
    // a live scorer appends to the same partition: a MERGE on the key is safe to run again
    DeltaRetry.commit("write gold.predictions of " + datasets, () -> warehouse.delta(Tables.GOLD_PREDICTIONS).as("t")
        .merge(predictions.as("s"), condition(datasets))
        .whenMatched("NOT (" + String.join(" AND ", same) + ")").updateAll()
        .whenNotMatched().insertAll()
        .execute());
  }

  // The literal dataset list lets Delta prune the table's partitions.
  private static String condition(List<String> datasets) {
    return "t.dataset IN ('" + String.join("', '", datasets) + "') AND t.dataset = s.dataset"
        + " AND t.asset_id = s.asset_id AND t.cycle = s.cycle";
  }
}
