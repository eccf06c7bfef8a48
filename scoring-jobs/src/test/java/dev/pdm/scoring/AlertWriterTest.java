package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class AlertWriterTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void anAlertsTopicThatCannotBeReachedLeavesTheAlertsPendingAndTheBatchGoingOn() {
    String root = TestSpark.tempDir("alerts").toString();
    // nothing listens on port 1: the broker is down
    PdmConfig config = PdmConfig.of(Map.of("pdm.warehouse", root, "pdm.kafka.bootstrap-servers", "127.0.0.1:1"));
    Warehouse warehouse = new Warehouse(spark, root);
    AlertWriter writer = new AlertWriter(warehouse, config, "T", "alerts-T");
    writer.ensureTables();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    spark.createDataFrame(List.of(RowFactory.create("a1", "T", "T-1", 40, null, "HIGH", "LOW", 12.0, 0.9,
            "inspect within 12 cycles", scala.jdk.javaapi.CollectionConverters.asScala(List.of("s2_mean_10")).toSeq(),
            "1", "1", "open", now, now, null, null)), Tables.GOLD_ALERTS.schema())
        .write().format("delta").mode("append").save(warehouse.path(Tables.GOLD_ALERTS));

    writer.publishPending(); // no exception: the stream would have ended with it

    assertEquals(1, warehouse.read(Tables.GOLD_ALERTS, "test").where("published_at IS NULL").count(),
        "still pending: the next batch that reaches the topic sends it");
  }
}
