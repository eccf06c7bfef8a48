package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.kafka.KafkaSettings;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Writes a micro-batch's alerts: gold.alerts (insert-only on alert_id), then the assets' new
 * state in ops.asset_risk, then every alert of the dataset not yet published to the alerts topic
 * (as JSON keyed by asset id), marking it published. A crash between the send and the mark sends
 * those alerts again with the next batch: the topic is at least once, and consumers deduplicate on
 * {@code alert_id}; the table is exactly once.
 */
final class AlertWriter {

  private final Warehouse warehouse;
  private final PdmConfig config;
  private final String dataset;
  private final String topic;

  AlertWriter(Warehouse warehouse, PdmConfig config, String dataset, String topic) {
    this.warehouse = warehouse;
    this.config = config;
    this.dataset = dataset;
    this.topic = topic;
  }

  void ensureTables() {
    warehouse.ensure(Tables.GOLD_ALERTS, Tables.GOLD_ALERTS.schema());
    warehouse.ensure(Tables.OPS_ASSET_RISK, Tables.OPS_ASSET_RISK.schema());
  }

  /** Current per-asset state of the dataset. */
  Dataset<Row> state() {
    return warehouse.read(Tables.OPS_ASSET_RISK, "pdm score-stream").where(col("dataset").equalTo(dataset));
  }

  /** @param raised how many rows {@code alerts} has: with none, gold.alerts is not merged (a MERGE costs seconds) */
  void write(Dataset<Row> alerts, long raised, Dataset<Row> nextState) {
    if (raised > 0) {
      warehouse.delta(Tables.GOLD_ALERTS).as("t")
          .merge(alerts.as("s"), "t.dataset = '" + dataset + "' AND t.alert_id = s.alert_id")
          .whenNotMatched().insertAll()
          .execute();
    }
    warehouse.delta(Tables.OPS_ASSET_RISK).as("t")
        .merge(nextState.as("s"), "t.dataset = s.dataset AND t.asset_id = s.asset_id")
        .whenMatched("s.cycle > t.cycle").updateAll()
        .whenNotMatched().insertAll()
        .execute();
    if (topic != null) {
      publish();
    }
  }

  /** Sends every alert of the dataset not yet published to the topic (when there is one), marking it published. */
  void publishPending() {
    if (topic != null) {
      publish();
    }
  }

  private void publish() {
    Dataset<Row> pending = warehouse.read(Tables.GOLD_ALERTS, "pdm score-stream")
        .where(col("dataset").equalTo(dataset).and(col("published_at").isNull()))
        .drop("published_at").cache();
    try {
      if (pending.isEmpty()) {
        return;
      }
      Map<String, String> kafka = KafkaSettings.sparkSource(config);
      pending.select(col("asset_id").cast("binary").as("key"),
              to_json(struct(col("*"))).cast("binary").as("value"))
          .write().format("kafka").options(kafka).option("topic", topic).save();
      warehouse.delta(Tables.GOLD_ALERTS).as("t")
          .merge(pending.select("alert_id").as("s"), "t.dataset = '" + dataset + "' AND t.alert_id = s.alert_id")
          .whenMatched().updateExpr(Map.of("published_at", "current_timestamp()"))
          .execute();
    } finally {
      pending.unpersist();
    }
  }
}
