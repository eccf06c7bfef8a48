package dev.pdm.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** stream-health on hand-written ops.stream_metrics rows. */
class StreamHealthJobTest {

  private static Row batch(String job, long batchId, long inputRows, long minutesAgo) {
    Timestamp at = new Timestamp(System.currentTimeMillis() - minutesAgo * 60_000);
    return RowFactory.create(job, job + "-q", batchId, "FD001", "t", inputRows, inputRows, 0L, 100L, 10.0, null,
        null, null, at, at);
  }

  @Test
  void healthyOnlyWithARecentBatch() {
    SparkSession spark = TestSpark.session();
    Path wh = TestSpark.tempDir("health-wh");
    PdmConfig config = TestSpark.config(wh);
    StreamHealthJob.Options scoring = new StreamHealthJob.Options(config, "score-stream", null, 15);
    PdmException missing = assertThrows(PdmException.class, () -> StreamHealthJob.run(spark, scoring));
    assertTrue(missing.getMessage().contains("ops.stream_metrics"), missing.getMessage());

    Warehouse warehouse = new Warehouse(spark, wh.toString());
    warehouse.ensure(Tables.OPS_STREAM_METRICS, Tables.OPS_STREAM_METRICS.schema());
    spark.createDataFrame(List.of(batch("score-stream", 0, 500, 60), batch("score-stream", 1, 120, 5),
            batch("score-stream", 2, 80, 2), batch("ingest-stream", 7, 900, 40)), Tables.OPS_STREAM_METRICS.schema())
        .write().format("delta").mode("append").save(warehouse.path(Tables.OPS_STREAM_METRICS));

    StreamHealthJob.Result ok = StreamHealthJob.run(spark, scoring);
    assertTrue(ok.healthy(), ok.summary());
    assertEquals(2, ok.batches());
    assertEquals(200, ok.inputRows());
    assertEquals(0, ok.exitCode());

    StreamHealthJob.Result stale = StreamHealthJob.run(spark,
        new StreamHealthJob.Options(config, "ingest-stream", "FD001", 30));
    assertFalse(stale.healthy());
    assertEquals(1, stale.exitCode());
    assertTrue(stale.reason().contains("more than 30 min"), stale.reason());

    StreamHealthJob.Result none = StreamHealthJob.run(spark,
        new StreamHealthJob.Options(config, "score-stream", "FD002", 15));
    assertFalse(none.healthy());
    assertTrue(none.reason().contains("no batch of score-stream of FD002"), none.reason());
    assertThrows(PdmException.class, () -> new StreamHealthJob.Options(config, "train", null, 15));
  }
}
