package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Resolves reach the scorer's source once: one notice per asset and resolve, none again when
 * copied twice, none for a resolve noted before (by the old {@code alerts resolve}), none for
 * open alerts or other datasets.
 */
class ResolveNoticesTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void eachResolveOfAnAssetIsNotedOnce() {
    Warehouse wh = new Warehouse(spark, TestSpark.tempDir("resolve-notices").toString());
    wh.ensure(Tables.GOLD_ALERTS, Tables.GOLD_ALERTS.schema());
    wh.ensure(Tables.OPS_ALERT_RESOLUTIONS, Tables.OPS_ALERT_RESOLUTIONS.schema());
    append(wh, Tables.GOLD_ALERTS, alert("a1", "FD001", "u1", "resolved", 100), alert("a2", "FD001", "u1", "resolved", 101),
        alert("a3", "FD001", "u2", "open", 50), alert("a4", "FD001", "u3", "resolved", 60),
        alert("b1", "OTHER", "u1", "resolved", 100));
    // u3's resolve was noted by the old alerts resolve, a moment after it updated the alerts
    append(wh, Tables.OPS_ALERT_RESOLUTIONS, RowFactory.create("FD001", "u3", "a4", ts(61)));

    assertEquals(1, ResolveNotices.copy(wh, "FD001"));
    assertEquals(0, ResolveNotices.copy(wh, "FD001"), "copied again: nothing new");
    assertEquals(List.of("FD001 u1 a2 101", "FD001 u3 a4 61"), notices(wh));

    // u1 alerts again and is resolved again later: a second notice
    append(wh, Tables.GOLD_ALERTS, alert("a5", "FD001", "u1", "resolved", 200));
    assertEquals(1, ResolveNotices.copy(wh, "FD001"));
    assertEquals(List.of("FD001 u1 a2 101", "FD001 u1 a5 200", "FD001 u3 a4 61"), notices(wh));
  }

  private List<String> notices(Warehouse wh) {
    return spark.read().format("delta").load(wh.path(Tables.OPS_ALERT_RESOLUTIONS))
        .selectExpr("concat_ws(' ', dataset, asset_id, alert_id, unix_seconds(resolved_at)) AS s").orderBy("s")
        .as(Encoders.STRING()).collectAsList();
  }

  private void append(Warehouse wh, TableDef table, Row... rows) {
    spark.createDataFrame(List.of(rows), table.schema()).write().format("delta").mode("append").save(wh.path(table));
  }

  private static Timestamp ts(long seconds) {
    return new Timestamp(seconds * 1000);
  }

  private static Row alert(String id, String dataset, String asset, String status, long updated) {
    return RowFactory.create(id, dataset, asset, 1, null, "HIGH", "LOW", 10.0, 0.9, "inspect within 10 cycles",
        List.of(), "1", "1", status, ts(updated - 10), ts(updated), null, null);
  }
}
