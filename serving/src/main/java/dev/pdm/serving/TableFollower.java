package dev.pdm.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one Delta table into an in-memory view: a streaming query over the table whose every
 * micro-batch (the rows committed since the last) is handed to a fold. The first batch is the
 * table as it stands; then one batch per refresh interval in which the table moved, so requests
 * read the view and no request starts a Spark job. Rows that an UPDATE or MERGE rewrote come again
 * ({@code ignoreChanges}); the fold keeps the newest of each key, so a re-sent row changes nothing.
 *
 * <p>The query starts when the table exists and starts again after a failure (a table replaced
 * under it, say) at the next {@link #poll}: the view outlives faults and keeps serving what it
 * has. Its checkpoint is a scratch directory of the driver, deleted on close: the view is rebuilt
 * from the table at every start, so nothing of it must outlive the process.
 *
 * <p>Usage:
 * <pre>{@code
 * TableFollower f = new TableFollower(spark, warehouse, Tables.GOLD_ALERTS, 2000, batch -> fold(batch));
 * f.poll();          // from a scheduler, every refresh interval
 * f.version();       // the table version folded so far, -1 before the first batch
 * f.close();
 * }</pre>
 */
final class TableFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TableFollower.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final TableDef table;
  private final long intervalMillis;
  private final Consumer<Dataset<Row>> fold;
  private StreamingQuery query;
  private Path checkpoint;
  private volatile long version = -1;
  private volatile String lastError;

  TableFollower(SparkSession spark, Warehouse warehouse, TableDef table, long intervalMillis,
      Consumer<Dataset<Row>> fold) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.table = table;
    this.intervalMillis = intervalMillis;
    this.fold = fold;
  }

  /** Starts the query once the table exists, again after it failed; notes the version folded. */
  synchronized void poll() {
    if (query != null && !query.isActive()) {
      lastError = query.exception().isDefined() ? query.exception().get().getMessage() : "stopped";
      LOG.warn("serve: following {} stopped ({}); starting again", table.name(), lastError);
      stopQuery();
    }
    if (query == null) {
      if (!warehouse.exists(table)) {
        return;
      }
      start();
    }
    StreamingQueryProgress p = query.lastProgress();
    if (p != null && p.sources().length > 0 && p.sources()[0].endOffset() != null) {
      version = reservoirVersion(p.sources()[0].endOffset());
    }
  }

  /** The table version the view holds (the last one folded), -1 before the first batch. */
  long version() {
    return version;
  }

  String table() {
    return table.name();
  }

  private void start() {
    try {
      checkpoint = Files.createTempDirectory("pdm-serve-view-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Dataset<Row> rows = spark.readStream().format("delta").option("ignoreChanges", "true")
        .load(warehouse.path(table));
    try {
      query = rows.writeStream()
          .queryName("pdm-serve-" + table.name())
          .option("checkpointLocation", checkpoint.toString())
          .trigger(Trigger.ProcessingTime(intervalMillis))
          .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (batch, id) -> fold.accept(batch))
          .start();
      LOG.info("serve: following {} into memory (every {} ms)", table.name(), intervalMillis);
    } catch (TimeoutException e) {
      throw new IllegalStateException("could not start following " + table.name(), e);
    }
  }

  /**
   * The last version folded, from the Delta source's offset {"reservoirVersion": N, "index": I}: index
   * -1 is the start of version N (everything before it read), any other index lies within N.
   */
  static long reservoirVersion(String offsetJson) {
    try {
      JsonNode o = JSON.readTree(offsetJson);
      long v = o.path("reservoirVersion").asLong(-1);
      return o.path("index").asLong(-1) == -1 ? v - 1 : v;
    } catch (IOException e) {
      return -1;
    }
  }

  private void stopQuery() {
    try {
      query.stop();
    } catch (TimeoutException e) {
      LOG.warn("serve: following {} did not stop in time", table.name());
    }
    query = null;
    delete(checkpoint);
  }

  @Override
  public synchronized void close() {
    if (query != null) {
      stopQuery();
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}", dir, e);
    }
  }
}
