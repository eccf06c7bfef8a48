package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.common.stream.StreamRunner;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert tables of a dataset, and the alerts topic: every alert of gold.alerts not yet
 * published is sent (as JSON keyed by asset id), then marked published. A crash between the send
 * and the mark sends those alerts again with the next batch that publishes: the topic is at least
 * once, and consumers deduplicate on {@code alert_id}; the table is exactly once (the stream
 * appends its alerts once per micro-batch). A topic that cannot be reached leaves the alerts
 * pending with a warning, not the stream failed: they are sent by the first batch after it is back.
 */
final class AlertWriter {

  private static final Logger LOG = LoggerFactory.getLogger(AlertWriter.class);
  /**
   * How long a send may wait for an unreachable broker (metadata, then delivery): the publish
   * runs beside the batch's writes, and Kafka's defaults (60 s and 120 s) would hold every batch
   * that long while the topic is down.
   */
  static final Map<String, String> PRODUCER_WAITS = Map.of("kafka.max.block.ms", "10000",
      "kafka.request.timeout.ms", "10000", "kafka.delivery.timeout.ms", "20000");

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
    // made unpartitioned before pdm partitioned it by dataset (scorers of two datasets conflicted)
    warehouse.ensurePartitioning(Tables.OPS_ASSET_RISK);
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
      Map<String, String> kafka = new HashMap<>(PRODUCER_WAITS);
      kafka.putAll(KafkaSettings.sparkSource(config)); // the user's pdm.kafka.option.* win
      try {
        pending.select(col("asset_id").cast("binary").as("key"),
                to_json(struct(col("*"))).cast("binary").as("value"))
            .write().format("kafka").options(kafka).option("topic", topic).save();
      } catch (Exception e) { // Scala throws SparkException undeclared
        LOG.warn("Cannot publish {} alert(s) of {} to topic {}: {}; they stay pending in gold.alerts and go out with"
            + " the next batch that reaches it", pending.count(), dataset, topic, StreamRunner.rootCause(e));
        return;
      }
      // an ack or resolve commits to the same partition: marking the sent alerts again is harmless
      DeltaRetry.commit("mark the alerts of " + dataset + " published", () -> warehouse.delta(Tables.GOLD_ALERTS).as("t")
          .merge(pending.select("alert_id").as("s"), "t.dataset = '" + dataset + "' AND t.alert_id = s.alert_id")
          .whenMatched().updateExpr(Map.of("published_at", "current_timestamp()"))
          .execute());
    } finally {
      pending.unpersist();
    }
  }
}
