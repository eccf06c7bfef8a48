package dev.pdm.scoring.stream;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nanvl;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.stream.IdempotentAppend;
import dev.pdm.common.stream.StreamMetrics;
import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Merges;
import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.RejectReason;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The writes of one scoring micro-batch, each a named step over the processor's persisted output:
 * {@link #bronze}, {@link #quarantine}, {@link #silver}, {@link #predictions}, {@link #alerts},
 * {@link #workOrders}, {@link #refolds}, and the rows of ops.asset_risk ({@link #assetRisk}). Appends record
 * Delta's {@code txnAppId}/{@code txnVersion} (the checkpoint's id and the batch id), so a batch
 * Spark replays after a crash skips every table it committed before (checked only when the batch
 * may be a replay: {@link IdempotentAppend}); silver is merged insert-only only when the batch
 * holds a record the state could not check; ops.asset_risk, a view of the state, is merged on the
 * asset key beside the batches ({@link AssetRiskRefresh}).
 *
 * <p>The batch's time (ingested_at, scored_at, raised_at, updated_at) is one value per batch, but
 * not a literal: Spark compiles a literal timestamp into a plan's generated code, so every batch
 * would generate and compile each write's code anew (most of a small batch's CPU); the
 * {@link #batchTime} column keeps the code the same from batch to batch.
 */
public final class ScoringBatchWriter {

  /** Alert levels that open a work order. */
  public static final List<String> WORK_ORDER_LEVELS = List.of("HIGH", "CRITICAL");

  /** What a batch held, counted once from its output. */
  public record Counts(long received, long inserted, long duplicates, long conflicts, long rejected, long late,
      long unchecked, long predictions, long alerts, long workOrders, long assets, long refolds, Long publishedP50,
      Long publishedP05, Long publishedFirst) {

    /** Publish-to-commit latency of the predictions, from their events' Kafka timestamps. */
    public StreamMetrics.Latency latency(long committedMillis) {
      return publishedP50 == null ? StreamMetrics.Latency.UNKNOWN : new StreamMetrics.Latency(
          committedMillis - publishedP50, committedMillis - publishedP05, committedMillis - publishedFirst);
    }
  }

  private final Warehouse warehouse;
  private final DatasetProfile profile;
  private final String dataset;
  private final String appId;
  private final Column batchTime;
  private final boolean replayPossible;

  /**
   * The writes of the batch that started at {@code batchTime}; {@code replayPossible}: the batch
   * may have been committed before (the first batch of a query run), so each append checks.
   */
  public ScoringBatchWriter(Warehouse warehouse, DatasetProfile profile, String dataset, String appId,
      Timestamp batchTime, boolean replayPossible) {
    this.warehouse = warehouse;
    this.profile = profile;
    this.dataset = dataset;
    this.appId = appId;
    this.batchTime = batchTime(batchTime);
    this.replayPossible = replayPossible;
  }

  /** A per-batch constant that code generation does not inline: a UDF is never folded into a literal. */
  private static Column batchTime(Timestamp t) {
    return udf((UDF0<Timestamp>) () -> t, DataTypes.TimestampType).apply();
  }

  /** One aggregation over the batch output. */
  public static Counts count(Dataset<Row> out) {
    Row r = out.selectExpr(
        "count_if(kind = 'LANDED')",
        "count_if(kind = 'LANDED' AND status = 'INSERT')",
        "count_if(status = 'DUPLICATE')",
        "count_if(status = 'CONFLICT')",
        "count_if(status = 'REJECT')",
        "count_if(lateReason IS NOT NULL)",
        "count_if(kind = 'LANDED' AND status = 'INSERT' AND NOT checked)",
        "count_if(predictedRul IS NOT NULL)",
        "count_if(alertId IS NOT NULL)",
        "count_if(alertId IS NOT NULL AND riskLevel IN ('" + String.join("', '", WORK_ORDER_LEVELS) + "'))",
        "count_if(kind = 'ASSET')",
        "count_if(kind = '" + StreamOutput.REFOLD + "')",
        "percentile_approx(CASE WHEN predictedRul IS NOT NULL THEN unix_millis(kafkaTimestamp) END,"
            + " array(0.5, 0.05, 0.0))")
        .head();
    List<Long> q = r.isNullAt(12) ? null : r.getList(12);
    return new Counts(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5),
        r.getLong(6), r.getLong(7), r.getLong(8), r.getLong(9), r.getLong(10), r.getLong(11), q == null ? null : q.get(0),
        q == null ? null : q.get(1), q == null ? null : q.get(2));
  }

  /** bronze.telemetry_raw: every record as received. */
  public void bronze(Dataset<Row> out, long batchId) {
    append(Tables.BRONZE_TELEMETRY, conform(landed(out), Tables.BRONZE_TELEMETRY, this::sourceColumn), batchId);
  }

  /** The quarantine: rejected, conflicting and late records (call when the counts have any). */
  public void quarantine(Dataset<Row> out, long batchId) {
    Dataset<Row> q = landed(out).where(col("status").isin("REJECT", "CONFLICT").or(col("lateReason").isNotNull()));
    append(Tables.QUARANTINE, conform(q, Tables.QUARANTINE, name -> switch (name) {
      case "reason_code" -> when(col("lateReason").isNotNull(), lit(RejectReason.LATE_EVENT.name()))
          .otherwise(col("reasonCode"));
      case "reason" -> when(col("lateReason").isNotNull(), col("lateReason")).otherwise(col("reason"));
      default -> sourceColumn(name);
    }), batchId);
  }

  /**
   * silver.telemetry: the new records, appended; merged insert-only when some could not be
   * checked against the state (call when the counts have new records).
   */
  public void silver(Dataset<Row> out, Counts n, long batchId) {
    Dataset<Row> silver = conform(landed(out).where(col("status").equalTo("INSERT")), Tables.silverSchema(profile),
        this::silverColumn);
    if (n.unchecked() == 0) {
      append(Tables.SILVER_TELEMETRY, silver, batchId);
    } else {
      // The literal dataset lets Delta prune silver's partitions; an insert-only merge is safe to
      // run again when ingest-files or ingest-stream appended to the partition meanwhile.
      DeltaRetry.commit("merge into silver.telemetry", () -> warehouse.delta(Tables.SILVER_TELEMETRY).as("t")
          .merge(silver.as("s"), "t.dataset = '" + dataset + "' AND t.dataset = s.dataset"
              + " AND t.asset_id = s.asset_id AND t.cycle <=> s.cycle"
              + " AND (s.cycle IS NOT NULL OR t.event_time <=> s.event_time)")
          // the rows carry this profile's readings; another profile's columns stay null
          .whenNotMatched().insertExpr(Merges.insertOwnColumns(silver))
          .execute());
    }
  }

  private static Dataset<Row> landed(Dataset<Row> out) {
    return out.where(col("kind").equalTo(StreamOutput.LANDED));
  }

  /** gold.predictions of the folded cycles, naming the models that made them. */
  public void predictions(Dataset<Row> out, TreeModels models, long batchId) {
    Dataset<Row> scored = out.where(col("predictedRul").isNotNull());
    append(Tables.GOLD_PREDICTIONS, conform(scored, Tables.GOLD_PREDICTIONS, name -> switch (name) {
      case "rul_model_name" -> lit(models.rulName());
      case "rul_model_version" -> lit(models.rulVersion());
      case "failure_model_name" -> lit(models.failureName());
      case "failure_model_version" -> lit(models.failureVersion());
      case "feature_set_version" -> lit(models.featureSetVersion());
      case "scored_by" -> lit("stream");
      case "scored_at" -> batchTime;
      default -> col(camel(name));
    }), batchId);
  }

  /** gold.alerts of the cycles that raised one. */
  public void alerts(Dataset<Row> out, TreeModels models, long batchId) {
    Dataset<Row> raised = out.where(col("alertId").isNotNull());
    append(Tables.GOLD_ALERTS, conform(raised, Tables.GOLD_ALERTS, name -> switch (name) {
      case "rul_model_version" -> lit(models.rulVersion());
      case "failure_model_version" -> lit(models.failureVersion());
      case "status" -> lit("open");
      case "raised_at", "updated_at" -> batchTime;
      case "note", "published_at" -> lit(null);
      default -> col(camel(name));
    }), batchId);
  }

  /**
   * gold.work_orders: one per HIGH or CRITICAL alert the batch raised (call when the counts have
   * any), due by the cycle the RUL interval's lower bound reaches, and by the date that cycle comes
   * at the asset's observed time per cycle, which the state keeps ({@link AssetClock}): nothing is
   * read from a table, so the step costs the same in the first week and the tenth.
   */
  public void workOrders(Dataset<Row> out, long batchId) {
    Dataset<Row> orders = out.where(col("alertId").isNotNull()
        .and(col("riskLevel").isin(WORK_ORDER_LEVELS.toArray())));
    Column lower = greatest(lit(0.0), coalesce(col("rulLower"), col("predictedRul")));
    // a time fleet's RUL is in hours and its cycle a tick: the bound in ticks
    Column dueCycle = col("cycle").plus(floor(profile.clock() == DatasetProfile.Clock.TIME
        ? lower.multiply(3_600_000d / profile.intervalMillis()) : lower)).cast("int");
    Column at = coalesce(col("eventTime"), col("kafkaTimestamp"), batchTime);
    orders = orders.withColumn("dueCycle", dueCycle);
    append(Tables.GOLD_WORK_ORDERS, conform(orders, Tables.GOLD_WORK_ORDERS, name -> switch (name) {
      case "work_order_id" -> concat(lit("wo-"), col("alertId"));
      case "priority" -> when(col("riskLevel").equalTo("CRITICAL"), lit("P1")).otherwise(lit("P2"));
      case "due_cycle" -> col("dueCycle");
      case "cycle_seconds" -> col("cycleSeconds");
      case "due_date" -> timestamp_micros(unix_micros(at).plus(
          col("dueCycle").minus(col("cycle")).multiply(col("cycleSeconds")).multiply(1e6).cast("long")));
      case "recommended_action" -> col("recommendation");
      case "status" -> lit("open");
      case "created_at", "updated_at" -> batchTime;
      case "scheduled_for", "scheduled_by", "scheduled_at", "completed_by", "completed_at", "cancelled_by",
          "cancelled_at", "note" -> lit(null);
      default -> col(camel(name));
    }), batchId);
  }

  /**
   * ops.asset_refolds: the silver history of the assets that came back after their state expired,
   * folded by {@code processor} (call when the counts have refolds).
   */
  public void refolds(Dataset<Row> out, AssetProcessor processor, long batchId) {
    append(Tables.OPS_ASSET_REFOLDS, AssetRefolds.fold(warehouse, profile, dataset, out, processor, batchId, batchTime),
        batchId);
  }

  /** ops.asset_risk rows of the assets the state emitted, for {@link AssetRiskRefresh} to merge. */
  public Dataset<Row> assetRisk(Dataset<Row> out) {
    return conform(out.where(col("kind").equalTo(StreamOutput.ASSET)), Tables.OPS_ASSET_RISK,
        name -> name.equals("updated_at") ? batchTime : col(camel(name)));
  }

  private Column sourceColumn(String name) {
    return switch (name) {
      case "source_type" -> lit("kafka");
      case "source" -> col("topic");
      case "source_line", "split" -> lit(null);
      // bronze keeps the job's dataset, as ingest-stream does; quarantine the record's
      case "dataset" -> lit(dataset);
      case "ingested_at" -> batchTime;
      case "ingest_date" -> to_date(batchTime);
      default -> col(camel(name));
    };
  }

  /**
   * A processor output row's source as silver names it, {@code kafka:<topic>/<partition>/<offset>}
   * ({@link AssetProcessor#source} on the state's side): a refold tells the records of the batch
   * that asked by it.
   */
  static Column kafkaSource() {
    return concat(lit("kafka:"), col("topic"), lit("/"), col("kafkaPartition").cast("string"), lit("/"),
        col("kafkaOffset").cast("string"));
  }

  private Column silverColumn(String name) {
    List<DatasetProfile.Column> readings = profile.readings();
    for (int i = 0; i < readings.size(); i++) {
      if (readings.get(i).name().equals(name)) {
        return nanvl(col("readings").getItem(i), lit(null).cast("double"));
      }
    }
    return switch (name) {
      case "split" -> lit(null);
      case "source" -> kafkaSource();
      case "ingested_at" -> batchTime;
      default -> col(camel(name));
    };
  }

  private void append(TableDef table, Dataset<Row> rows, long batchId) {
    IdempotentAppend.append(rows, warehouse.path(table), appId, batchId, replayPossible);
  }

  private static Dataset<Row> conform(Dataset<Row> rows, TableDef table, Function<String, Column> column) {
    return conform(rows, table.schema(), column);
  }

  private static Dataset<Row> conform(Dataset<Row> rows, org.apache.spark.sql.types.StructType schema,
      Function<String, Column> column) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : schema.fields()) {
      cols.add(column.apply(f.name()).cast(f.dataType()).as(f.name()));
    }
    return rows.select(cols.toArray(Column[]::new));
  }

  /** The output bean's name of a table column: asset_id is assetId. */
  static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }

}
