package dev.pdm.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pdm.common.test.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * Batch/stream parity: the same rows, folded by the batch job in one pass and by the stream in
 * several micro-batches with assets interleaved, give the same features (|difference| <= 1e-9).
 */
class StreamingFeaturesTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void streamFeaturesEqualBatchFeatures() throws Exception {
    FeatureSet set = FeatureSetFitter.fit(
        TinyFleet.frame(spark, TinyFleet.concat(List.of(
            TinyFleet.rows("P", "train", 1, 1, 60, 2), TinyFleet.rows("P", "train", 2, 1, 45, 2)))),
        "P", TinyFleet.profile(), FeatureConfig.from(TinyFleet.config(Path.of("unused")), TinyFleet.profile()), 0);
    set = set.withVersion(1);
    assertEquals(2, set.regimes());

    // live assets: 3 units, 40 cycles each, landed in 4 commits that interleave them and
    // deliver some cycles out of order within a batch
    int[][] ranges = {{1, 7}, {8, 19}, {20, 33}, {34, 40}};
    List<List<Row>> batches = new ArrayList<>();
    for (int[] range : ranges) {
      List<Row> batch = new ArrayList<>();
      for (int unit = 1; unit <= 3; unit++) {
        List<Row> rows = new ArrayList<>(TinyFleet.rows("P", null, unit, range[0], range[1], 2));
        java.util.Collections.reverse(rows);
        batch.addAll(rows);
      }
      batches.add(batch);
    }
    Path in = TestSpark.tempDir("stream-in");
    for (List<Row> batch : batches) {
      TinyFleet.frame(spark, batch).coalesce(1).write().format("delta").mode("append").save(in.toString());
    }
    Path out = TestSpark.tempDir("stream-out");
    Path checkpoint = TestSpark.tempDir("stream-cp");

    int batchesRun = runStream(set, in, out, checkpoint);
    assertTrue(batchesRun >= 4, "several micro-batches, got " + batchesRun);
    Dataset<Row> streamed = spark.read().format("delta").load(out.toString());
    assertEquals(120, streamed.count());

    Dataset<Row> batch = FeaturesJob.compute(TinyFleet.frame(spark, TinyFleet.concat(batches)), set, 0);
    assertSameFeatures(batch, streamed, set);

    // restart on the same checkpoint: nothing new, nothing changed
    long version = spark.sql("DESCRIBE HISTORY delta.`" + out + "`").count();
    runStream(set, in, out, checkpoint);
    assertEquals(120, spark.read().format("delta").load(out.toString()).count());
    assertEquals(version, spark.sql("DESCRIBE HISTORY delta.`" + out + "`").count());
  }

  private int runStream(FeatureSet set, Path in, Path out, Path checkpoint) throws Exception {
    Dataset<Row> source = spark.readStream().format("delta").option("maxFilesPerTrigger", "1").load(in.toString());
    StreamingQuery query = StreamingFeatures.apply(source, set).writeStream()
        .format("delta").outputMode("append")
        .option("checkpointLocation", checkpoint.toString())
        .trigger(Trigger.AvailableNow())
        .start(out.toString());
    query.awaitTermination();
    int ran = 0;
    for (var p : query.recentProgress()) {
      if (p.numInputRows() > 0) {
        ran++;
      }
    }
    return ran;
  }

  private static void assertSameFeatures(Dataset<Row> batch, Dataset<Row> stream, FeatureSet set) {
    Map<String, Row> byKey = new HashMap<>();
    for (Row r : stream.collectAsList()) {
      byKey.put(r.getAs("asset_id") + "#" + r.getAs("cycle"), r);
    }
    List<String> columns = new ArrayList<>(set.spec().featureNames());
    columns.add("regime");
    int compared = 0;
    for (Row b : batch.collectAsList()) {
      Row s = byKey.get(b.getAs("asset_id") + "#" + b.getAs("cycle"));
      if (s == null) {
        fail("the stream has no row for " + b.getAs("asset_id") + " cycle " + b.getAs("cycle"));
      }
      for (String c : columns) {
        Object bv = b.getAs(c);
        Object sv = s.getAs(c);
        String where = c + " of " + b.getAs("asset_id") + " at cycle " + b.getAs("cycle");
        if (bv == null || sv == null) {
          assertEquals(bv, sv, where);
        } else {
          assertEquals(((Number) bv).doubleValue(), ((Number) sv).doubleValue(), 1e-9, where);
        }
        compared++;
      }
    }
    assertEquals(120 * columns.size(), compared);
  }
}
