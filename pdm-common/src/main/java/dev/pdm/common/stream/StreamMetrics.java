package dev.pdm.common.stream;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One row of {@code ops.stream_metrics} per micro-batch, appended with Delta's idempotent-write
 * options ({@code txnAppId} of the query's checkpoint, {@code txnVersion} = batch id), so a batch
 * replayed after a crash is recorded once.
 */
public final class StreamMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(StreamMetrics.class);

  /** What one micro-batch did. Latencies are null when unknown. */
  public record Batch(String job, String queryName, long batchId, String dataset, String topic, long inputRows,
      long outputRows, Long alerts, long startedMillis, long committedMillis, Latency latency) {

    Row toRow() {
      long duration = committedMillis - startedMillis;
      return RowFactory.create(job, queryName, batchId, dataset, topic, inputRows, outputRows, alerts, duration,
          duration > 0 ? inputRows * 1000.0 / duration : null, latency.p50(), latency.p95(), latency.max(),
          new Timestamp(startedMillis), new Timestamp(committedMillis));
    }

    @Override
    public String toString() {
      return job + " batch " + batchId + ": " + inputRows + " in, " + outputRows + " out"
          + (alerts == null ? "" : ", " + alerts + " alerts") + " in " + (committedMillis - startedMillis) + " ms"
          + (latency.p95() == null ? "" : ", latency p50 " + latency.p50() + " ms, p95 " + latency.p95() + " ms");
    }
  }

  /** Time from Kafka record timestamp to a batch's commit: median, 95th percentile, oldest record. */
  public record Latency(Long p50, Long p95, Long max) {
    public static final Latency UNKNOWN = new Latency(null, null, null);
  }

  private StreamMetrics() {}

  /**
   * The latency of a batch's rows (a {@code kafka_timestamp} column) committed at {@code committedMillis}:
   * one aggregation, the Kafka timestamps at the 50th, 5th and 0th percentile.
   */
  public static Latency latency(Dataset<Row> rows, long committedMillis) {
    Row q = rows.selectExpr("percentile_approx(unix_millis(kafka_timestamp), array(0.5, 0.05, 0.0))").head();
    if (q.isNullAt(0)) {
      return Latency.UNKNOWN;
    }
    List<Long> ts = q.getList(0);
    return new Latency(committedMillis - ts.get(0), committedMillis - ts.get(1), committedMillis - ts.get(2));
  }

  /** The idempotent-write id of a query's metrics, from its checkpoint's {@link Checkpoints#identity}. */
  public static String appId(String identity) {
    return StreamIds.appId("pdm-stream-metrics", identity);
  }

  /** Creates the table when missing. */
  public static void ensureTable(Warehouse warehouse) {
    warehouse.ensure(Tables.OPS_STREAM_METRICS, Tables.OPS_STREAM_METRICS.schema());
  }

  /**
   * Records a batch; {@code appId} names the query's checkpoint, and {@code replayPossible} false
   * means the caller knows the batch to be new (see {@link IdempotentAppend}).
   */
  public static void record(Warehouse warehouse, String appId, Batch batch, boolean replayPossible) {
    LOG.debug("{}", batch);
    IdempotentAppend.append(
        warehouse.spark().createDataFrame(List.of(batch.toRow()), Tables.OPS_STREAM_METRICS.schema()),
        warehouse.path(Tables.OPS_STREAM_METRICS), appId, batch.batchId(), replayPossible);
  }
}
