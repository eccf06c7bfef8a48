package dev.pdm.common.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.io.File;
import java.net.URI;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A stream's compaction: the small files of its dataset's partition become one with the same rows;
 * a file of half the target size or more, and other datasets' files, are left alone; a second
 * compaction finds nothing.
 */
class StreamCompactionTest {

  private final SparkSession spark = TestSpark.session();

  @Test
  void smallFilesOfTheStreamsDatasetAreCompactedBigOnesAndOtherDatasetsLeftAlone() {
    Warehouse wh = new Warehouse(spark, TestSpark.tempDir("stream-compaction").toString());
    TableDef t = Tables.GOLD_ALERTS; // partitioned by dataset
    wh.ensure(t, t.schema());
    List<Row> big = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      big.add(row("FD001", i));
    }
    append(wh, t, big);
    for (int i = 0; i < 4; i++) { // as a stream's batches: a file each
      append(wh, t, List.of(row("FD001", 10_000 + i)));
      append(wh, t, List.of(row("FD002", i)));
    }
    Set<String> before = files(wh, t);
    long bigFile = sizes(wh, t).stream().mapToLong(Long::longValue).max().orElseThrow();
    long smallFile = sizes(wh, t).stream().mapToLong(Long::longValue).min().orElseThrow();
    assertTrue(bigFile > 8 * smallFile, bigFile + " vs " + smallFile);

    // a target that takes the four small files in one bin and leaves the big one (above half of it) alone
    Warehouse sized = StreamCompaction.sized(wh, 8 * smallFile);
    assertEquals(4, StreamCompaction.compact(sized, t, "FD001"));
    Set<String> after = files(wh, t);
    assertEquals(1 + 1 + 4, after.size(), "the big file, the four compacted into one, FD002's four: " + after);
    assertTrue(after.containsAll(files(wh, t, "FD002")) && files(wh, t, "FD002").size() == 4);
    assertEquals(1, after.stream().filter(f -> !before.contains(f)).count());
    assertEquals(3004, wh.read(t, "test").where("dataset = 'FD001'").count());
    assertEquals(0, StreamCompaction.compact(sized, t, "FD001"), "nothing left to compact");
  }

  private static Row row(String dataset, int cycle) {
    return RowFactory.create("alert-" + dataset + "-" + cycle, dataset, "u" + cycle % 100, cycle, null, "HIGH", "LOW",
        10.0 + cycle, 0.5, "inspect within " + cycle + " cycles", List.of("s" + cycle), "1", "1", "open",
        new Timestamp(cycle * 1000L), new Timestamp(cycle * 1000L), null, null);
  }

  private void append(Warehouse wh, TableDef t, List<Row> rows) {
    spark.createDataFrame(rows, t.schema()).coalesce(1).write().format("delta").mode("append").save(wh.path(t));
  }

  private Set<String> files(Warehouse wh, TableDef t) {
    return Set.of(spark.read().format("delta").load(wh.path(t)).inputFiles());
  }

  private Set<String> files(Warehouse wh, TableDef t, String dataset) {
    return Set.of(spark.read().format("delta").load(wh.path(t)).where("dataset = '" + dataset + "'").inputFiles());
  }

  private List<Long> sizes(Warehouse wh, TableDef t) {
    return files(wh, t).stream().map(f -> new File(URI.create(f)).length()).collect(Collectors.toList());
  }
}
