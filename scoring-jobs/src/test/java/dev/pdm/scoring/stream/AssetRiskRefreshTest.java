package dev.pdm.scoring.stream;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  /** Item 4 of issue 18: the merge names the dataset partition, so two datasets' scorers never conflict. */
  @Test
  void scorersOfTwoDatasetsMergeSideBySideWithoutAConflict() throws Exception {
    Warehouse wh = new Warehouse(spark, TestSpark.tempDir("asset-risk-two").toString());
    wh.ensure(Tables.OPS_ASSET_RISK, Tables.OPS_ASSET_RISK.schema());
    AssetRiskRefresh.mergeOnce(wh, "A", rows(row("A", "u1", 1, "LOW", 1)));
    AssetRiskRefresh.mergeOnce(wh, "B", rows(row("B", "u1", 1, "LOW", 1)));
    int rounds = 6;
    CyclicBarrier together = new CyclicBarrier(2);
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (String dataset : List.of("A", "B")) {
        Dataset<Row>[] batches = new Dataset[rounds];
        for (int i = 0; i < rounds; i++) {
          batches[i] = rows(row(dataset, "u1", 2 + i, "LOW", 2 + i), row(dataset, "u" + (2 + i), 1, "LOW", 2 + i))
              .localCheckpoint(true);
        }
        runs.add(two.submit(() -> {
          for (Dataset<Row> batch : batches) {
            together.await(300, TimeUnit.SECONDS);
            try {
              // one attempt each, no retry: a conflict fails the test
              AssetRiskRefresh.mergeOnce(wh, dataset, batch);
            } catch (RuntimeException conflict) {
              together.reset(); // the other side stops waiting
              throw conflict;
            }
          }
          return null;
        }));
      }
      List<Throwable> failures = new ArrayList<>();
      for (Future<?> run : runs) {
        try {
          run.get(600, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof BrokenBarrierException)) {
            failures.add(e.getCause());
          }
        }
      }
      assertTrue(failures.isEmpty(), () -> "a merge failed: " + failures.get(0));
    } finally {
      two.shutdownNow();
    }
    List<Row> table = spark.read().format("delta").load(wh.path(Tables.OPS_ASSET_RISK))
        .groupBy("dataset").agg(count("*"), max("cycle")).orderBy("dataset").collectAsList();
    assertEquals("[[A,7,7], [B,7,7]]", table.toString());
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
