package dev.pdm.common.table;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

import dev.pdm.common.profile.DatasetProfile;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/** Every table of the warehouse, declared once. */
public final class Tables {

  /**
   * Properties of the tables a stream appends to every micro-batch. Delta writes a checkpoint of
   * the log every {@code delta.checkpointInterval} commits inside the commit that reaches it; with
   * the default of 10, one of the stream scorer's tables did so in about every other 1-second batch
   * and that batch took 2-4 s instead of 1. Readers replay at most 99 small JSON commits instead.
   */
  static final java.util.Map<String, String> STREAMED = java.util.Map.of("delta.checkpointInterval", "100");

  private Tables() {}

  /** Where a record came from; shared by bronze and quarantine. */
  private static StructType sourceColumns() {
    return new StructType()
        .add("source_type", StringType, false, "file or kafka")
        .add("source", StringType, false, "file path, or Kafka topic")
        .add("source_line", LongType, true, "1-based line of the file (files)")
        .add("kafka_partition", IntegerType, true, "Kafka partition (stream)")
        .add("kafka_offset", LongType, true, "Kafka offset (stream)")
        .add("kafka_timestamp", TimestampType, true, "Kafka record timestamp (stream)")
        .add("dataset", StringType, true, "the job's --dataset, if any")
        .add("split", StringType, true, "train or test (files)")
        .add("payload", StringType, true, "the record exactly as received (UTF-8)");
  }

  public static final TableDef BRONZE_TELEMETRY =
      new TableDef(
          "bronze.telemetry_raw",
          sourceColumns()
              .add("ingested_at", TimestampType, false, "when pdm landed the record")
              .add("ingest_date", DateType, false, "partition: date of ingested_at (UTC)"),
          List.of("ingest_date"),
          "Every record received, as received, with its source. Append-only.")
          // The payload is unique per record: a Parquet dictionary and Delta's statistics of it only
          // cost the stream scorer's appends time; nothing filters on it.
          .withProperties(java.util.Map.of(
              "parquet.enable.dictionary", "false",
              "delta.dataSkippingStatsColumns", "source,kafka_partition,kafka_offset,kafka_timestamp,dataset,"
                  + "ingested_at"))
          .withProperties(STREAMED);

  public static final TableDef QUARANTINE =
      new TableDef(
          "bronze.telemetry_quarantine",
          sourceColumns()
              .add("asset_id", StringType, true, "asset id, when it could be read")
              .add("reason_code", StringType, false, "machine-readable reason (RejectReason)")
              .add("reason", StringType, false, "what is wrong, for a person")
              .add("ingested_at", TimestampType, false, "when pdm landed the record")
              .add("ingest_date", DateType, false, "partition: date of ingested_at (UTC)"),
          List.of("ingest_date"),
          "Every rejected record with the reason. Append-only.")
          .withProperties(STREAMED);

  /** Silver's fixed columns; the profile's settings and sensors follow {@code event_time}. */
  public static final TableDef SILVER_TELEMETRY =
      new TableDef(
          "silver.telemetry",
          new StructType()
              .add("dataset", StringType, false, "fleet, e.g. FD001; partition")
              .add("split", StringType, true, "train or test for files; null for streams")
              .add("asset_id", StringType, false, "asset id, e.g. FD001-train-17")
              .add("cycle", IntegerType, true,
                  "operating cycle, from 1; a time fleet's tick (event_time in intervals since 2000-01-01)")
              .add("event_time", TimestampType, true, "event time (UTC)")
              .add("source", StringType, false, "where the record was landed from")
              .add("ingested_at", TimestampType, false, "when pdm landed the record")
              .add("kafka_timestamp", TimestampType, true, "Kafka record timestamp (streams; null for files)"),
          List.of("dataset"),
          "Typed, validated telemetry: one row per (asset_id, cycle), or (asset_id, event_time)"
              + " when there is no cycle.")
          // Min/max statistics serve reads by key and time, not by a reading's value; on every
          // reading they were a tenth of the stream scorer's write time (JFR, a 600,000-event drain).
          .withProperties(java.util.Map.of("delta.dataSkippingStatsColumns",
              "split,asset_id,cycle,event_time,source,ingested_at,kafka_timestamp"))
          .withProperties(STREAMED);

  /** Silver's schema for a profile: fixed columns with the readings inserted after event_time. */
  public static StructType silverSchema(DatasetProfile profile) {
    StructType fixed = SILVER_TELEMETRY.schema();
    StructType out = new StructType();
    for (var field : fixed.fields()) {
      out = out.add(field);
      if (field.name().equals("event_time")) {
        for (DatasetProfile.Column c : profile.readings()) {
          out = out.add(c.name(), DoubleType, true, c.doc());
        }
      }
    }
    return out;
  }

  /**
   * Features and labels, one row per (dataset, asset_id, cycle). The feature columns (doubles, named
   * by the feature set) follow {@code regime}; the labels and provenance follow them.
   */
  public static final TableDef GOLD_FEATURES =
      new TableDef(
          "gold.features",
          new StructType()
              .add("dataset", StringType, false, "fleet, e.g. FD001; partition")
              .add("asset_id", StringType, false, "asset id")
              .add("split", StringType, true, "train or test for files; null for streams")
              .add("cycle", IntegerType, false,
                  "operating cycle, a cycle fleet's feature too; a time fleet's tick (see silver.telemetry)")
              .add("event_time", TimestampType, true, "event time of the cycle, if known")
              .add("regime", IntegerType, false, "operating regime of the cycle, 0-based")
              .add("rul", IntegerType, true, "remaining useful life, capped; null unless the asset ran to failure")
              .add("fails_within_horizon", BooleanType, true, "fails within the horizon; null like rul")
              .add("feature_set_version", IntegerType, false, "gold.feature_sets version that made the row")
              .add("computed_at", TimestampType, false, "when the row was computed"),
          List.of("dataset"),
          "Window features and labels, one row per (dataset, asset_id, cycle).")
          // Hundreds of high-cardinality double columns: Parquet dictionaries only cost time, and
          // Delta's min/max statistics are useful on the keys and labels, not on every feature.
          .withProperties(java.util.Map.of(
              "parquet.enable.dictionary", "false",
              "parquet.page.write-checksum.enabled", "false",
              "parquet.size.statistics.enabled", "false",
              "delta.dataSkippingStatsColumns", "asset_id,split,cycle,event_time,regime,rul,"
                  + "feature_set_version"));

  /** Where feature columns go in {@link #GOLD_FEATURES}: after this column. */
  public static final String FEATURES_AFTER = "regime";

  public static final TableDef GOLD_FEATURE_SETS =
      new TableDef(
          "gold.feature_sets",
          new StructType()
              .add("dataset", StringType, false, "fleet the set was fitted on")
              .add("version", IntegerType, false, "1, 2, ... per dataset")
              .add("fingerprint", StringType, false, "SHA-256 of the definition and fitted statistics")
              .add("created_at", TimestampType, false, "when it was fitted")
              .add("feature_names", createArrayType(StringType), false, "model inputs, in order")
              .add("sensors", createArrayType(StringType), false, "sensors that have features")
              .add("dropped_sensors", createArrayType(StringType), false, "near-constant sensors left out")
              .add("regimes", IntegerType, false, "operating regimes detected")
              .add("normalised", BooleanType, false, "sensors normalised per regime")
              .add("fitted_on_rows", LongType, false, "training rows the statistics come from")
              .add("silver_version", LongType, false, "silver.telemetry Delta version fitted on")
              .add("definition", StringType, false, "the whole feature set as JSON"),
          List.of(),
          "Feature-set versions: definitions with their fitted statistics; models and scorers name one.");

  /** gold.features' schema for a feature set's feature names. */
  public static StructType featuresSchema(List<String> featureNames) {
    StructType out = new StructType();
    for (var field : GOLD_FEATURES.schema().fields()) {
      out = out.add(field);
      if (field.name().equals(FEATURES_AFTER)) {
        for (String name : featureNames) {
          if (!name.equals("cycle")) {
            out = out.add(name, DoubleType, true, "feature");
          }
        }
      }
    }
    return out;
  }

  public static final TableDef GOLD_PREDICTIONS =
      new TableDef(
          "gold.predictions",
          new StructType()
              .add("dataset", StringType, false, "fleet, e.g. FD001; partition")
              .add("asset_id", StringType, false, "asset id")
              .add("cycle", IntegerType, false, "operating cycle scored")
              .add("event_time", TimestampType, true, "event time of the cycle, if known")
              .add("predicted_rul", DoubleType, false, "predicted remaining useful life, in cycles")
              .add("failure_probability", DoubleType, false, "probability of failure within the horizon")
              .add("risk_level", StringType, false, "LOW, MEDIUM, HIGH or CRITICAL (pdm.scoring.risk.*)")
              .add("anomaly_severity", StringType, false, "NONE, WARNING or CRITICAL (pdm.scoring.anomaly.*)")
              .add("anomaly_reasons", createArrayType(StringType), false,
                  "rules that fired, e.g. REGIME_Z s11 z=4.7 or ASSET_DRIFT s4 z=5.2; empty when NONE")
              .add("rul_model_name", StringType, false, "registered RUL model")
              .add("rul_model_version", StringType, false, "its version that made the prediction")
              .add("failure_model_name", StringType, false, "registered failure model")
              .add("failure_model_version", StringType, false, "its version that made the prediction")
              .add("feature_set_version", IntegerType, false, "gold.feature_sets version of the features")
              .add("scored_by", StringType, false, "stream or batch")
              .add("scored_at", TimestampType, false, "when the micro-batch (stream) or job (batch) that scored it began")
              .add("kafka_timestamp", TimestampType, true, "Kafka record timestamp of the scored event (stream)")
              // added after the others: an existing table gains them at its end (Warehouse.ensure)
              .add("rul_lower", DoubleType, true,
                  "lower bound of the RUL model's interval (pdm.training.rul-interval.level); null for a model"
                      + " trained without intervals")
              .add("rul_upper", DoubleType, true, "upper bound of that interval"),
          List.of("dataset"),
          "Model predictions, one row per (dataset, asset_id, cycle), naming the model versions that made them.")
          // statistics on what a reader selects by, not on model names, reasons or interval bounds
          .withProperties(java.util.Map.of("delta.dataSkippingStatsColumns",
              "asset_id,cycle,event_time,predicted_rul,failure_probability,risk_level,scored_by,scored_at,"
                  + "kafka_timestamp"))
          .withProperties(STREAMED);

  public static final TableDef GOLD_ALERTS =
      new TableDef(
          "gold.alerts",
          new StructType()
              .add("alert_id", StringType, false, "stable id: dataset, asset, cycle and level hashed")
              .add("dataset", StringType, false, "fleet; partition")
              .add("asset_id", StringType, false, "asset id")
              .add("cycle", IntegerType, false, "cycle whose prediction raised the alert")
              .add("event_time", TimestampType, true, "event time of that cycle, if known")
              .add("risk_level", StringType, false, "the level reached: MEDIUM, HIGH or CRITICAL")
              .add("previous_level", StringType, false, "the highest level alerted before (LOW if none)")
              .add("predicted_rul", DoubleType, false, "predicted RUL at that cycle")
              .add("failure_probability", DoubleType, false, "failure probability at that cycle")
              .add("recommendation", StringType, false, "what to do, e.g. inspect within 25 cycles")
              .add("top_features", createArrayType(StringType), false,
                  "the failure model's most important features with their values at that cycle")
              .add("rul_model_version", StringType, false, "RUL model version that scored the cycle")
              .add("failure_model_version", StringType, false, "failure model version that scored the cycle")
              .add("status", StringType, false, "open, acknowledged or resolved")
              .add("raised_at", TimestampType, false, "when the alert was committed")
              .add("updated_at", TimestampType, false, "last status change")
              .add("note", StringType, true, "operator's note of the last status change")
              .add("published_at", TimestampType, true, "when it was sent to the alerts topic; null until then"),
          List.of("dataset"),
          "Risk escalations, one row per (asset, cycle, level) raised, with their lifecycle.")
          .withProperties(STREAMED);

  public static final TableDef GOLD_WORK_ORDERS =
      new TableDef(
          "gold.work_orders",
          new StructType()
              .add("work_order_id", StringType, false, "stable id: wo- and the alert's id")
              .add("dataset", StringType, false, "fleet; partition")
              .add("asset_id", StringType, false, "asset to service")
              .add("alert_id", StringType, false, "the HIGH or CRITICAL alert that opened it")
              .add("risk_level", StringType, false, "that alert's level")
              .add("priority", StringType, false, "P1 (CRITICAL) or P2 (HIGH)")
              .add("cycle", IntegerType, false, "cycle whose prediction raised the alert")
              .add("due_cycle", IntegerType, false,
                  "service by this cycle: the cycle plus the RUL interval's lower bound (the point estimate"
                      + " when the model has no interval), rounded down, never below the cycle")
              .add("cycle_seconds", DoubleType, true,
                  "the asset's observed time per cycle (event times, else Kafka timestamps, of its scored"
                      + " cycles); null when fewer than two cycles had a time")
              .add("due_date", TimestampType, true, "when due_cycle comes at that rate; null when the rate is unknown")
              .add("recommended_action", StringType, false, "what to do, from the alert")
              .add("status", StringType, false, "open, scheduled, done or cancelled")
              .add("scheduled_for", TimestampType, true, "when the work is planned (schedule)")
              .add("created_at", TimestampType, false, "when the scorer opened it")
              .add("scheduled_by", StringType, true, "who scheduled it")
              .add("scheduled_at", TimestampType, true, "when it was scheduled")
              .add("completed_by", StringType, true, "who completed it")
              .add("completed_at", TimestampType, true, "when it was completed")
              .add("cancelled_by", StringType, true, "who cancelled it")
              .add("cancelled_at", TimestampType, true, "when it was cancelled")
              .add("updated_at", TimestampType, false, "last change")
              .add("note", StringType, true, "note of the last change"),
          List.of("dataset"),
          "Maintenance work orders, one per HIGH or CRITICAL alert, with who changed them and when.")
          .withProperties(STREAMED);

  public static final TableDef GOLD_ASSET_EVENTS =
      new TableDef(
          "gold.asset_events",
          new StructType()
              .add("event_id", StringType, false, "unique id of the record")
              .add("dataset", StringType, false, "fleet; partition")
              .add("asset_id", StringType, false, "asset")
              .add("kind", StringType, false, "failure (the asset failed at cycle) or maintenance (work was done)")
              .add("cycle", IntegerType, true, "the asset's cycle when it happened, if known")
              .add("event_time", TimestampType, true, "when it happened, if known")
              .add("part", StringType, true, "maintenance: the part serviced or replaced")
              .add("work_order_id", StringType, true, "maintenance: the work order completed, if any")
              .add("note", StringType, true, "free text")
              .add("recorded_by", StringType, false, "who reported it")
              .add("recorded_at", TimestampType, false, "when it was recorded"),
          List.of("dataset"),
          "Ground truth about assets, append-only: failures and maintenance done, from feedback and work orders.");

  public static final TableDef OPS_ASSET_RISK =
      new TableDef(
          "ops.asset_risk",
          new StructType()
              .add("dataset", StringType, false, "fleet; partition")
              .add("asset_id", StringType, false, "asset id")
              .add("cycle", IntegerType, false, "latest cycle scored by the stream")
              .add("risk_level", StringType, false, "its risk level")
              .add("alerted_level", StringType, false, "highest level alerted since the last resolve (LOW if none)")
              .add("anomaly_streak", IntegerType, true, "consecutive anomalous cycles up to cycle (persistence rule)")
              .add("updated_at", TimestampType, false, "when the row changed"),
          List.of("dataset"),
          "The stream scorer's per-asset alert state: one row per asset.")
          .withProperties(STREAMED);

  /**
   * Per-asset state the stream scorer folded again from silver, append-only. Its {@code state} and
   * {@code clock} columns are the scorer's typed state (structs of dev.pdm.scoring.stream.AssetState
   * and AssetClock), added by the scoring module that owns them.
   */
  public static final TableDef OPS_ASSET_REFOLDS =
      new TableDef(
          "ops.asset_refolds",
          new StructType()
              .add("dataset", StringType, false, "fleet; partition")
              .add("asset_id", StringType, false, "asset whose state was folded again")
              .add("batch_id", LongType, false, "the scorer's micro-batch that asked for it")
              .add("history_cycles", IntegerType, false, "silver cycles folded")
              .add("refolded_at", TimestampType, false, "when")
              .add("feature_set_version", IntegerType, true, "the feature set the state was folded under"),
          List.of("dataset"),
          "State of assets folded again by a stream scorer from their silver history: assets back after"
              + " pdm.scoring.state.ttl, and every asset once champions on another feature-set version are"
              + " swapped in. The scorer reads it as a third source and takes it before scoring the asset's"
              + " new cycles.");

  public static final TableDef OPS_ALERT_RESOLUTIONS =
      new TableDef(
          "ops.alert_resolutions",
          new StructType()
              .add("dataset", StringType, false, "fleet")
              .add("asset_id", StringType, false, "asset whose alerts were resolved")
              .add("alert_id", StringType, false, "the asset's latest alert resolved")
              .add("resolved_at", TimestampType, false, "when"),
          List.of(),
          "Resolves the stream scorer has taken, append-only: it notes each asset's resolves from gold.alerts"
              + " here and reads them as a second source, so an asset whose alerts were resolved alerts again on"
              + " its next rise.");

  public static final TableDef OPS_STREAM_METRICS =
      new TableDef(
          "ops.stream_metrics",
          new StructType()
              .add("job", StringType, false, "ingest-stream (landing) or score-stream (scoring)")
              .add("query_name", StringType, false, "the streaming query's name")
              .add("batch_id", LongType, false, "micro-batch id")
              .add("dataset", StringType, true, "the job's --dataset")
              .add("topic", StringType, false, "Kafka topic")
              .add("input_rows", LongType, false, "records (landing) or feature rows (scoring) in the batch")
              .add("output_rows", LongType, false, "rows added to silver (landing) or gold.predictions (scoring)")
              .add("alerts", LongType, true, "alerts raised (scoring)")
              .add("duration_ms", LongType, false, "time to process and commit the batch")
              .add("rows_per_second", DoubleType, true, "input_rows / duration")
              .add("latency_p50_ms", LongType, true, "median time from Kafka record timestamp to commit of the batch")
              .add("latency_p95_ms", LongType, true, "95th percentile of the same")
              .add("latency_max_ms", LongType, true, "the oldest record's time to commit")
              .add("started_at", TimestampType, false, "when the batch started")
              .add("committed_at", TimestampType, false, "when its writes committed"),
          List.of(),
          "Progress of the streaming jobs, one row per micro-batch (exactly once per checkpoint).")
          .withProperties(STREAMED);

  public static final TableDef OPS_REFERENCE_PROFILES =
      new TableDef(
          "ops.reference_profiles",
          new StructType()
              .add("run_id", StringType, false, "training run (MLflow run id, or local-<time>) the profile belongs to")
              .add("dataset", StringType, false, "fleet the models were trained on")
              .add("feature_set_version", IntegerType, false, "feature set of the models")
              .add("kind", StringType, false, "feature or prediction (out-of-fold predicted RUL)")
              .add("name", StringType, false, "feature name, or predicted_rul")
              .add("band", IntegerType, false, "life-stage band, 0-based (pdm.drift.cycle-bands)")
              .add("band_first_cycle", IntegerType, false, "first cycle of the band")
              .add("band_last_cycle", IntegerType, true, "last cycle of the band; null for the open last band")
              .add("edges", createArrayType(DoubleType), false,
                  "bin edges: the 1st to 99th percentiles of the whole reference (bin i is (edges[i-1], edges[i]])")
              .add("counts", createArrayType(LongType), false,
                  "reference rows of the band per bin; the last entry counts missing values")
              .add("rows", LongType, false, "reference rows of the band")
              .add("created_at", TimestampType, false, "when training wrote it"),
          List.of(),
          "Reference profiles: quantile-binned training features and predictions per training run and life stage.");

  public static final TableDef OPS_DRIFT_REPORTS =
      new TableDef(
          "ops.drift_reports",
          new StructType()
              .add("report_id", StringType, false, "one id per drift report")
              .add("created_at", TimestampType, false, "when the report was made")
              .add("model_name", StringType, false, "registered RUL model compared against")
              .add("model_version", StringType, false, "its version (the champion at the time)")
              .add("dataset", StringType, false, "the model's dataset")
              .add("selection", StringType, false, "the current window: --where and --last-cycles")
              .add("kind", StringType, false, "feature, prediction, or summary (one summary row per report)")
              .add("name", StringType, true, "feature name or predicted_rul; null for the summary")
              .add("psi", DoubleType, true, "population stability index, reference reweighted to the window's life stages")
              .add("ks_statistic", DoubleType, true, "Kolmogorov-Smirnov statistic (at percentile resolution)")
              .add("ks_p_value", DoubleType, true, "its asymptotic p-value")
              .add("status", StringType, false, "ok, warn or drift; for the summary: retrain or ok")
              .add("current_rows", LongType, false, "rows in the current window")
              .add("reference_rows", LongType, false, "rows in the reference")
              .add("drifted_share", DoubleType, true, "summary: share of features that drifted")
              .add("rmse", DoubleType, true, "summary: RMSE on rows whose RUL is known, if any")
              .add("validation_rmse", DoubleType, true, "summary: the model's cross-validated RMSE")
              .add("labelled_assets", LongType, true, "summary: assets with known RUL in the window")
              .add("retrain", BooleanType, true, "summary: the decision")
              .add("reasons", createArrayType(StringType), true, "summary: why")
              .add("html_path", StringType, true, "summary: where --html wrote the report's page, if it did"),
          List.of(),
          "Drift reports: one row per feature per report, one for predicted RUL, and a summary row.");

  public static List<TableDef> all() {
    return List.of(BRONZE_TELEMETRY, QUARANTINE, SILVER_TELEMETRY, GOLD_FEATURES, GOLD_FEATURE_SETS,
        GOLD_PREDICTIONS, GOLD_ALERTS, GOLD_WORK_ORDERS, GOLD_ASSET_EVENTS, OPS_ASSET_RISK, OPS_ALERT_RESOLUTIONS, OPS_ASSET_REFOLDS,
        OPS_STREAM_METRICS, OPS_REFERENCE_PROFILES,
        OPS_DRIFT_REPORTS);
  }
}
