package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
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
 * score-batch's upsert of gold.predictions beside a live scorer, which appends to the same
 * dataset partition every micro-batch (issue 18, item 4): the upsert's MERGE loses the race to
 * the append again and again, and is run again on the new snapshot instead of failing the job.
 */
class PredictionsWriterTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void scoreBatchUpsertsBesideAScorerAppendingToThePartition() throws Exception {
    Warehouse wh = new Warehouse(spark, TestSpark.tempDir("predictions-race").toString());
    wh.ensure(Tables.GOLD_PREDICTIONS, Tables.GOLD_PREDICTIONS.schema());
    String path = wh.path(Tables.GOLD_PREDICTIONS);
    int rounds = 3;
    List<Dataset<Row>> batch = new ArrayList<>();
    List<Dataset<Row>> stream = new ArrayList<>();
    for (int i = 1; i <= rounds; i++) {
      batch.add(rows("T-batch", i, "batch"));
      stream.add(rows("T-stream", i, "stream"));
    }
    CyclicBarrier together = new CyclicBarrier(2);
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      Future<?> upserts = two.submit(() -> {
        for (Dataset<Row> rows : batch) {
          together.await(300, TimeUnit.SECONDS);
          PredictionsWriter.upsert(wh, rows, List.of("T"));
        }
        return null;
      });
      Future<?> appends = two.submit(() -> {
        for (Dataset<Row> rows : stream) {
          together.await(300, TimeUnit.SECONDS);
          rows.write().format("delta").mode("append").save(path);
        }
        return null;
      });
      appends.get(600, TimeUnit.SECONDS);
      upserts.get(600, TimeUnit.SECONDS);
    } finally {
      two.shutdownNow();
    }
    assertEquals("[[batch,3,3], [stream,3,3]]", spark.read().format("delta").load(path)
        .groupBy("scored_by").agg(org.apache.spark.sql.functions.count("*"),
            org.apache.spark.sql.functions.countDistinct("asset_id", "cycle"))
        .orderBy("scored_by").collectAsList().toString());
  }

  private Dataset<Row> rows(String asset, int cycle, String scoredBy) {
    return spark.createDataFrame(List.of(RowFactory.create("T", asset, cycle, null, 100.0 - cycle, 0.01 * cycle, "LOW",
        "NONE", new String[0], "pdm-T-rul", "1", "pdm-T-failure", "1", 1, scoredBy, new Timestamp(cycle * 1000L),
        null, null, null)), Tables.GOLD_PREDICTIONS.schema()).localCheckpoint(true);
  }
}
