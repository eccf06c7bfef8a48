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
 * The alert tables of a dataset, and the alerts topic: every alert of gold.alerts not yet
 * published is sent (as JSON keyed by asset id), then marked published. A crash between the send
 * and the mark sends those alerts again with the next batch that publishes: the topic is at least
 * once, and consumers deduplicate on {@code alert_id}; the table is exactly once (the stream
 * appends its alerts once per micro-batch).
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
    warehouse.ensure(Tables.GOLD_WORK_ORDERS, Tables.GOLD_WORK_ORDERS.schema());
    warehouse.ensure(Tables.OPS_ASSET_RISK, Tables.OPS_ASSET_RISK.schema());
  }

  /** Sends every alert of the dataset not yet published to the topic (when there is one), marking it published. */
  void publishPending() {
    if (topic == null) {
      return;
    }
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
