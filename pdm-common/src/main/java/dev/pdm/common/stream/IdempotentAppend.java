package dev.pdm.common.stream;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.immutable.Seq;

/**
 * Appends a streaming micro-batch to a Delta table at most once per (query, batch id), with the
 * same record as Delta's idempotent writes ({@code txnAppId}/{@code txnVersion}): a
 * {@code SetTransaction} action in the commit that adds the batch's files.
 *
 * <p>Why not the writer options alone: Delta 4.1 answers "has this app id written this version?"
 * from the table snapshot's computed state, which for every new table version is a full state
 * reconstruction (a Spark job over the checkpoint and the commits since, cached). A stream that
 * appends to a table every micro-batch paid that for each table in each batch: at 1,000 events/s
 * the stream scorer's five appends took 1.3-2.0 s per batch with it and about 0.5 s without.
 *
 * <p>The check is only needed when the batch may have been committed before, and Spark replays a
 * batch only as the first one a query runs after it (re)starts on its checkpoint, and only one that
 * the checkpoint had planned ({@link Replays}); every later batch is new by construction. So the
 * caller says whether a replay is possible: then this is Delta's own checked write; otherwise the
 * files and the {@code SetTransaction} are committed without reading the state, so that the check
 * of a later run still sees every batch.
 * A table whose schema differs from the rows' (or that does not exist) also takes the checked
 * writer, which applies Delta's schema rules and errors.
 *
 * <p>Usage:
 * <pre>{@code
 * IdempotentAppend.Replays replays = IdempotentAppend.Replays.forCheckpoint(spark, checkpoint);   // before start
 * // in the function:
 * IdempotentAppend.append(rows, path, appId, batchId, replays.mayBeReplay(batchId));
 * }</pre>
 */
public final class IdempotentAppend {

  private IdempotentAppend() {}

  /**
   * Whether a micro-batch may have been committed before, as seen by one foreachBatch function.
   * Spark writes a batch's offsets before it runs the batch and, on a start, re-runs the last
   * planned batch if it did not commit. So a batch may be a replay if its id is at or below the
   * last one the checkpoint's offset log held when the query started ({@link #forCheckpoint}),
   * or one this function already started (the query was restarted in this JVM); any later batch
   * is new. A checkpoint begun afresh therefore checks nothing, which also keeps a fresh
   * checkpoint at a reused path from taking the old run's batch ids (the same app id) for its own.
   */
  public static final class Replays {
    private long lastStarted;

    /** @param lastPlanned the last batch id in the checkpoint's offset log at the start; -1: none */
    Replays(long lastPlanned) {
      this.lastStarted = lastPlanned;
    }

    /** For a query about to start on {@code checkpoint}: read its offset log now, before the start. */
    public static Replays forCheckpoint(SparkSession spark, String checkpoint) {
      return new Replays(Checkpoints.lastBatch(spark, checkpoint, Checkpoints.OFFSETS));
    }

    /** Call once per batch, before its writes. */
    public synchronized boolean mayBeReplay(long batchId) {
      boolean replay = batchId <= lastStarted;
      lastStarted = Math.max(lastStarted, batchId);
      return replay;
    }
  }

  /**
   * Appends {@code rows} (in the table's column order and types) unless {@code appId} already
   * committed {@code batchId} to the table; with {@code replayPossible} false the caller
   * guarantees it did not.
   */
  public static void append(Dataset<Row> rows, String path, String appId, long batchId, boolean replayPossible) {
    if (!replayPossible) {
      DeltaLog log = DeltaLog.forTable(rows.sparkSession(), path);
      OptimisticTransaction txn = log.startTransaction();
      if (txn.readVersion() >= 0 && sameColumns(rows.schema(), txn.metadata().schema())) {
        Seq<FileAction> files = txn.writeFiles(rows);
        txn.updateSetTransaction(appId, batchId, Option.<Object>apply(System.currentTimeMillis()));
        @SuppressWarnings("unchecked")
        Seq<Action> actions = (Seq<Action>) (Seq<?>) files;
        txn.commit(actions, new DeltaOperations.Write(SaveMode.Append, Option.empty(), Option.empty(),
            Option.empty(), Option.empty(), Option.empty(), Option.empty()));
        return;
      }
    }
    rows.write().format("delta").mode("append")
        .option("txnAppId", appId)
        .option("txnVersion", batchId)
        .save(path);
  }

  /** Same column names, order and types; nullability and comments aside. */
  static boolean sameColumns(StructType rows, StructType table) {
    List<StructField> a = List.of(rows.fields());
    List<StructField> b = List.of(table.fields());
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).name().equals(b.get(i).name()) || !a.get(i).dataType().sql().equals(b.get(i).dataType().sql())) {
        return false;
      }
    }
    return true;
  }
}
