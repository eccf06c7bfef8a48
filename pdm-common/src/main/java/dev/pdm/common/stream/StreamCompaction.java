package dev.pdm.common.stream;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Warehouse;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tables a stream appends to compacted while it runs: every micro-batch adds a file or
 * more to each, so a stream left running for weeks would leave millions of small files. Every
 * {@code pdm.stream.compaction.interval} a thread of the stream's own bin-packs each table's small
 * files (under half of {@code pdm.stream.compaction.target-file-mb}) into files of up to that size,
 * in the stream's dataset partition only; files that reached half the target are left alone, so a
 * row is rewritten about twice in its life, not at every compaction.
 *
 * <p>Why not Delta's auto compaction: it runs inside the writing batch, and on the scorer's silver
 * table (partitioned by dataset) it compacted after every other commit, rewriting the growing
 * compacted file each time; p95 latency at 2,000 events/s doubled (bin/soak-scoring). Here the
 * batches never wait for a compaction; the compaction shares the cores with them.
 *
 * <p>A compaction only rewrites files (Delta's {@code dataChange=false}): the stream's blind appends
 * never conflict with it, and streaming readers of the tables skip it. When it loses a race with a
 * merge that rewrote one of its files it is retried ({@link DeltaRetry}); a compaction that still
 * fails is logged and tried again at the next interval, never fatal to the stream.
 * {@code bin/pdm maintain} (OPTIMIZE to Delta's 1 GB files, and VACUUM of the files compacted away)
 * stays the daily job.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * try (StreamCompaction c = StreamCompaction.start(warehouse, "FD001", List.of(Tables.SILVER_TELEMETRY),
 *     600_000, 64)) {
 *   // run the stream
 * }
 * </pre>
 */
public final class StreamCompaction implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamCompaction.class);

  private final PeriodicTask task;

  private StreamCompaction(PeriodicTask task) {
    this.task = task;
  }

  /**
   * Compacts {@code tables} as {@code pdm.stream.compaction.*} say, unless the stream runs
   * {@code --trigger available-now} (a run that ends by itself leaves it to {@code bin/pdm maintain}).
   */
  public static StreamCompaction start(Warehouse warehouse, PdmConfig config, String dataset, boolean availableNow,
      List<TableDef> tables) {
    long interval = availableNow ? 0
        : StreamTrigger.parse(config.require(PdmConfigKeys.STREAM_COMPACTION_INTERVAL)).intervalMs();
    return start(warehouse, dataset, tables, interval, config.getLong(PdmConfigKeys.STREAM_COMPACTION_TARGET_FILE_MB));
  }

  /**
   * Compacts {@code tables} every {@code intervalMs} (0: never) on a daemon thread. Call on the job's
   * thread: the compaction thread inherits its Spark properties (not a micro-batch's).
   */
  public static StreamCompaction start(Warehouse warehouse, String dataset, List<TableDef> tables, long intervalMs,
      long targetFileMb) {
    if (intervalMs <= 0) {
      return new StreamCompaction(null);
    }
    Warehouse own = sized(warehouse, targetFileMb << 20);
    return new StreamCompaction(PeriodicTask.every("pdm-compaction-" + dataset, intervalMs, () -> {
      for (TableDef table : tables) {
        try {
          compact(own, table, dataset);
        } catch (RuntimeException e) {
          LOG.warn("Cannot compact {} of {}: {}; trying again in {} s", table.name(), dataset, e.getMessage(),
              intervalMs / 1000);
        }
      }
      // each table's failure is logged above, so one table's fault does not skip the others
    }, e -> { }));
  }

  /**
   * The warehouse on a session of its own whose OPTIMIZE writes files of up to {@code targetBytes}
   * and rewrites only files under half that: not the stream's session, nor {@code maintain}'s sizes.
   */
  static Warehouse sized(Warehouse warehouse, long targetBytes) {
    SparkSession session = warehouse.spark().newSession();
    session.conf().set("spark.databricks.delta.optimize.maxFileSize", targetBytes);
    session.conf().set("spark.databricks.delta.optimize.minFileSize", targetBytes / 2);
    return new Warehouse(session, warehouse.root());
  }

  /**
   * Bin-packs the small files of {@code table} (its {@code dataset} partition when partitioned by
   * dataset and a dataset is given), with the file sizes of {@code warehouse}'s session; returns the files removed.
   */
  public static long compact(Warehouse warehouse, TableDef table, String dataset) {
    if (!warehouse.exists(table)) {
      return 0;
    }
    long t0 = System.currentTimeMillis();
    Row result = DeltaRetry.commit("compact " + table.name(), () -> {
      var optimize = warehouse.delta(table).optimize();
      if (dataset != null && table.partitionBy().contains("dataset")) {
        optimize = optimize.where("dataset = '" + dataset.replace("'", "''") + "'");
      }
      return optimize.executeCompaction().head();
    });
    Row metrics = result.getStruct(result.fieldIndex("metrics"));
    long removed = metrics.getLong(metrics.fieldIndex("numFilesRemoved"));
    if (removed > 0) {
      LOG.info("compacted {} of {}: {} files into {} in {} ms", table.name(), dataset, removed,
          metrics.getLong(metrics.fieldIndex("numFilesAdded")), System.currentTimeMillis() - t0);
    }
    return removed;
  }

  /** Stops the compactions (one in flight finishes: it is one commit, or none). */
  @Override
  public void close() {
    if (task != null) {
      task.close();
    }
  }
}
