package dev.pdm.scoring.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The stream's ops.asset_risk refresh beside the batches: refreshes land in the order submitted
 * (the newer row of an asset wins), other datasets' rows are left alone, close waits for the last
 * one, and a failed refresh fails the next submit.
 */
class AssetRiskRefreshTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void refreshesLandInOrderAndCloseWaitsForTheLast() {
    Warehouse wh = new Warehouse(spark, TestSpark.tempDir("asset-risk").toString());
    wh.ensure(Tables.OPS_ASSET_RISK, Tables.OPS_ASSET_RISK.schema());
    AssetRiskRefresh.merge(wh, "OTHER", rows(row("OTHER", "u1", 9, "HIGH", 1)));
    try (AssetRiskRefresh refresh = new AssetRiskRefresh(wh, "FD001")) {
      refresh.submit(1, rows(row("FD001", "u1", 10, "LOW", 1), row("FD001", "u2", 4, "LOW", 1)).localCheckpoint(true));
      refresh.submit(2, rows(row("FD001", "u1", 12, "HIGH", 2)).localCheckpoint(true));
      refresh.submit(3, rows(row("FD001", "u1", 13, "CRITICAL", 3), row("FD001", "u3", 1, "LOW", 3)));
    }
    List<String> table = spark.read().format("delta").load(wh.path(Tables.OPS_ASSET_RISK))
        .selectExpr("concat_ws(' ', dataset, asset_id, cycle, risk_level, unix_seconds(updated_at))")
        .orderBy("dataset", "asset_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("FD001 u1 13 CRITICAL 3", "FD001 u2 4 LOW 1", "FD001 u3 1 LOW 3", "OTHER u1 9 HIGH 1"),
        table);
  }

  @Test
  void aFailedRefreshFailsTheNextSubmitWithTheCause() {
    Warehouse wh = new Warehouse(spark, TestSpark.tempDir("asset-risk-missing").toString());
    // no ops.asset_risk table: the merge fails on the refresh thread
    try (AssetRiskRefresh refresh = new AssetRiskRefresh(wh, "FD001")) {
      refresh.submit(1, rows(row("FD001", "u1", 10, "LOW", 1)));
      // (the failure surfaces in the next submit, not here)
      PdmException e = assertThrows(PdmException.class, () -> refresh.submit(2, rows(row("FD001", "u1", 11, "LOW", 2))));
      assertTrue(e.getMessage().startsWith("Cannot refresh ops.asset_risk: "), e.getMessage());
      assertTrue(e.getMessage().contains("run again on the same checkpoint"), e.getMessage());
    }
    // the failure is reported once, and the submit that reported it queued nothing: close has nothing to wait for
  }

  private Dataset<Row> rows(Row... rows) {
    return spark.createDataFrame(List.of(rows), Tables.OPS_ASSET_RISK.schema());
  }

  private static Row row(String dataset, String asset, int cycle, String level, long second) {
    return RowFactory.create(dataset, asset, cycle, level, level, 0, new Timestamp(second * 1000));
  }
}
