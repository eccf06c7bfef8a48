package dev.pdm.common.table;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Console$;
import scala.runtime.AbstractFunction0;

/**
 * Keeps a warehouse table small in files: compacts it ({@code OPTIMIZE}, bin-packing the many small
 * files that every micro-batch and merge adds into few large ones) and removes the files no table
 * version within the retention still reads ({@code VACUUM}). A stream that runs for weeks adds a
 * few files to each table it writes every batch; without this, reads of those tables (stream-health,
 * the dashboard, drift reports) list and open ever more files.
 *
 * <p>Compaction commits with Delta's optimistic concurrency: beside a running scorer it may lose a
 * race with a merge that rewrote one of its files; it is then run again ({@link DeltaRetry}). A
 * compaction rewrites rows, never changes them, so readers of older versions are not affected until
 * VACUUM removes those versions' files after the retention.
 *
 * <p>Usage:
 * <pre>{@code
 * TableMaintenance.Outcome o = TableMaintenance.maintain(warehouse, Tables.OPS_STREAM_METRICS, 168);
 * }</pre>
 */
public final class TableMaintenance {

  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);
  private static final String LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  private TableMaintenance() {}

  /** What maintaining one table did: its data files (and bytes) before and after. */
  public record Outcome(String table, long filesBefore, long filesAfter, long bytesBefore, long bytesAfter,
      long filesCompacted) {}

  /** Compacts and vacuums {@code table}, keeping the files of the last {@code retainHours} hours of versions. */
  public static Outcome maintain(Warehouse warehouse, TableDef table, long retainHours) {
    SparkSession spark = warehouse.spark();
    String path = warehouse.path(table);
    Row before = detail(spark, path);
    Row compaction = DeltaRetry.commit("compact " + table.name(),
        () -> warehouse.delta(table).optimize().executeCompaction().head());
    // metrics: struct of numFilesAdded, numFilesRemoved, ...
    Row metrics = compaction.getStruct(compaction.fieldIndex("metrics"));
    long removed = metrics.getLong(metrics.fieldIndex("numFilesRemoved"));
    vacuum(warehouse, table, retainHours);
    Row after = detail(spark, path);
    return new Outcome(table.name(), before.getLong(0), after.getLong(0), before.getLong(1), after.getLong(1),
        removed);
  }

  /**
   * VACUUM, with what Delta prints about it ("Deleted N files ...", to Scala's console) sent to the
   * log: a job's stdout carries only its results.
   */
  private static void vacuum(Warehouse warehouse, TableDef table, long retainHours) {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    RuntimeConfig conf = warehouse.spark().conf();
    String before = conf.get(LISTING_PARALLELISM, null);
    // VACUUM lists the table's directories in this many tasks (Spark's default: 10,000): on a table
    // of a few directories that was most of its time (a test: 59 s, 18 s at 4 tasks)
    conf.set(LISTING_PARALLELISM, Math.max(4, warehouse.spark().sparkContext().defaultParallelism() * 2));
    try {
      Console$.MODULE$.withOut(printed, new AbstractFunction0<Object>() {
        @Override
        public Object apply() {
          return warehouse.delta(table).vacuum((double) retainHours);
        }
      });
    } finally {
      if (before == null) {
        conf.unset(LISTING_PARALLELISM);
      } else {
        conf.set(LISTING_PARALLELISM, before);
      }
    }
    printed.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
        .forEach(l -> LOG.info("vacuum {}: {}", table.name(), l));
  }

  private static Row detail(SparkSession spark, String path) {
    return spark.sql("DESCRIBE DETAIL delta.`" + path.replace("`", "``") + "`").select("numFiles", "sizeInBytes").head();
  }
}
