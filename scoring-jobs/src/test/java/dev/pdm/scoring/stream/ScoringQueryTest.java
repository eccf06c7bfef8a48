package dev.pdm.scoring.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.table.Tables;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** What a new checkpoint takes from gold.alerts: each asset's highest level among its alerts not resolved. */
class ScoringQueryTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void anAssetsAlertedLevelIsItsHighestOpenAlertsNotAResolvedOnes() {
    List<Row> alerts = List.of(alert("u1", "MEDIUM", "resolved"), alert("u1", "HIGH", "acknowledged"),
        alert("u1", "MEDIUM", "open"), alert("u2", "CRITICAL", "resolved"), alert("u3", "CRITICAL", "open"),
        alert("u3", "HIGH", "open"));
    List<Row> other = List.of(RowFactory.create("a", "OTHER", "u1", 1, null, "CRITICAL", "LOW", 1.0, 1.0, "x",
        List.of(), "1", "1", "open", new Timestamp(0), new Timestamp(0), null, null));
    List<String> levels = ScoringQuery.alertedLevels(spark.createDataFrame(
            new java.util.ArrayList<Row>() {{ addAll(alerts); addAll(other); }}, Tables.GOLD_ALERTS.schema()), "FD001")
        .selectExpr("concat_ws(' ', asset_id, alerted_level) AS s").orderBy("s").as(Encoders.STRING()).collectAsList();
    // u2's only alert is resolved: no row, so it starts at LOW
    assertEquals(List.of("u1 HIGH", "u3 CRITICAL"), levels);
  }

  private static Row alert(String asset, String level, String status) {
    return RowFactory.create(asset + level + status, "FD001", asset, 1, null, level, "LOW", 10.0, 0.9, "x", List.of(),
        "1", "1", status, new Timestamp(0), new Timestamp(0), null, null);
  }
}
