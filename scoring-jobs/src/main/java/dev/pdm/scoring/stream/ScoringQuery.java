package dev.pdm.scoring.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.stream.Checkpoints;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.ingest.TelemetryParser;
import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.scoring.AlertLifecycle;
import dev.pdm.scoring.RiskLevels.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.KeyValueGroupedDataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.TimeMode;
import org.apache.spark.sql.types.StructType;

/**
 * The scoring query's plan, source to processor output: Kafka events parsed into typed
 * {@link StreamInput}s (rejects kept), unioned with the dataset's alert resolves (a Delta stream
 * of ops.alert_resolutions) and, on a checkpoint with a state TTL, with the assets' states folded
 * again (a Delta stream of ops.asset_refolds, {@link AssetRefolds}), keyed by asset and run through
 * {@link AssetProcessor}. A new checkpoint's first batch starts each asset from what the warehouse
 * holds ({@link #initialState}).
 *
 * <p>A checkpoint's plan is fixed when it begins ({@link #STATE_LAYOUT}): Spark keeps a
 * checkpoint's number of sources and its state's time mode, so checkpoints begun before the state
 * TTL keep two sources and no TTL, and those begun since have three and a TTL.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * ScoringQuery.Plan plan = ScoringQuery.build(spark, warehouse, config, "telemetry", "FD001", set, scorer, 0,
 *     checkpoint, initialStateDir);
 * plan.out().writeStream().foreachBatch(...).start();   // the batch writer folds with plan.processor()
 * </pre>
 */
public final class ScoringQuery {

  /** The state store that keeps transformWithState's typed state. */
  public static final String ROCKSDB = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider";

  private static final Encoder<StreamInput> INPUT = Encoders.bean(StreamInput.class);
  private static final Encoder<AssetState> STATE = Encoders.bean(AssetState.class);

  /** pdm's file in a scoring checkpoint naming its plan: {@code 1} no state TTL, {@code 2} a TTL and refolds. */
  public static final String STATE_LAYOUT = "_pdm_state_layout";

  /**
   * pdm's file in a scoring checkpoint naming the feature-set version its assets' states were
   * folded under, unless an asset's own mark says otherwise (see {@link AssetProcessor}).
   */
  public static final String STATE_FEATURE_SET = "_pdm_state_feature_set";

  /** pdm's file in a scoring checkpoint naming the ops.asset_refolds version its refolds source starts at. */
  public static final String REFOLDS_FROM = "_pdm_refolds_from";

  /** The value of pdm.scoring.state.ttl that begins a checkpoint without a TTL. */
  public static final String NO_TTL = "none";

  /** The query's output and the processor that makes it (whose {@link AssetProcessor#refold} the writer uses). */
  public record Plan(Dataset<Row> out, AssetProcessor processor) {}

  private ScoringQuery() {}

  /**
   * @param assetRiskMillis how often an asset's ops.asset_risk row is emitted (0: whenever it changed)
   * @param checkpoint the query's checkpoint location
   * @param initialStateDir where a new checkpoint's initial state is written once ({@link #initialState})
   */
  public static Plan build(SparkSession spark, Warehouse warehouse, PdmConfig config, String topic,
      String dataset, FeatureSet set, Broadcast<CycleScorer> scorer, long assetRiskMillis, String checkpoint,
      String initialStateDir) {
    configure(spark);
    DatasetProfile profile = DatasetProfile.forDataset(config, dataset);
    Dataset<StreamInput> inputs = events(spark, config, topic, dataset, profile)
        .union(resolves(spark, warehouse, dataset));
    AssetProcessor processor = processor(config, dataset, profile, set, scorer, assetRiskMillis);
    long[] ttl = stateTtl(spark, config, checkpoint, dataset);
    int base = stateFeatureSet(spark, checkpoint, dataset, set.version(), ttl != null);
    if (ttl != null) {
      processor = processor.withStateTtl(ttl[0], ttl[1], base);
      String now = String.valueOf(warehouse.version(Tables.OPS_ASSET_REFOLDS));
      inputs = inputs.union(AssetRefolds.source(spark, warehouse, dataset,
          Long.parseLong(Checkpoints.stamp(spark, checkpoint, REFOLDS_FROM, now, now)), set.version()));
    }
    return new Plan(process(inputs, processor,
        Checkpoints.isNew(spark, checkpoint) ? initialState(warehouse, dataset, initialStateDir) : null), processor);
  }

  /**
   * The processor of a dataset's records under {@code set}, as the query runs it (before its state
   * TTL). A time fleet's allowance is its duration in ticks, and it has no cycle-gap limit: a pump
   * switched off for a day sends its next reading thousands of ticks on.
   */
  public static AssetProcessor processor(PdmConfig config, String dataset, DatasetProfile profile,
      FeatureSet set, Broadcast<CycleScorer> scorer, long assetRiskMillis) {
    List<String> readings = profile.readings().stream().map(DatasetProfile.Column::name).toList();
    boolean timed = set.spec().timed();
    long tick = set.spec().tickMillis();
    int allowed = timed
        ? (int) Math.min(Integer.MAX_VALUE, (config.getDurationMsOrZero(PdmConfigKeys.LATENESS_ALLOWED) + tick - 1) / tick)
        : config.getInt(PdmConfigKeys.LATENESS_ALLOWED_CYCLES);
    return AssetProcessor.create(dataset, set, readings, scorer, allowed,
        timed ? 0 : config.getInt(PdmConfigKeys.SCORING_MAX_CYCLE_GAP), config.getInt(PdmConfigKeys.SCORING_RECENT_CYCLES),
        assetRiskMillis);
  }

  /**
   * The checkpoint's state TTL and refold time in milliseconds, or null when its plan has no TTL
   * ({@link #STATE_LAYOUT}): a checkpoint begun before pdm had the TTL, or begun with
   * pdm.scoring.state.ttl=none. A checkpoint begun with a TTL refuses {@code none}.
   */
  public static long[] stateTtl(SparkSession spark, PdmConfig config, String checkpoint, String dataset) {
    boolean wanted = !NO_TTL.equalsIgnoreCase(config.require(PdmConfigKeys.SCORING_STATE_TTL).trim());
    boolean has = "2".equals(Checkpoints.stamp(spark, checkpoint, STATE_LAYOUT, wanted ? "2" : "1", "1"));
    if (!has) {
      return null;
    }
    if (!wanted) {
      throw PdmErrors.config("score " + dataset, "the checkpoint " + checkpoint + " was begun with a state TTL, and "
          + PdmConfigKeys.SCORING_STATE_TTL.name() + "=" + NO_TTL + " applies to new checkpoints only",
          "set " + PdmConfigKeys.SCORING_STATE_TTL.name() + " to a duration such as 30d, or start a new --checkpoint");
    }
    return new long[] {config.getDurationMs(PdmConfigKeys.SCORING_STATE_TTL),
        config.getDurationMs(PdmConfigKeys.SCORING_STATE_REFOLD_WITHIN)};
  }

  /**
   * The feature-set version the checkpoint's per-asset states were folded under, unless an asset's
   * mark says otherwise: {@code version} for a checkpoint begun now, and for one begun before pdm
   * recorded it (its scorer could run one version only); written once, never changed. A checkpoint
   * whose plan cannot fold its assets again ({@code refolds} false: no state TTL) refuses another
   * version than its own.
   */
  public static int stateFeatureSet(SparkSession spark, String checkpoint, String dataset, int version,
      boolean refolds) {
    int base = Integer.parseInt(Checkpoints.stamp(spark, checkpoint, STATE_FEATURE_SET, String.valueOf(version),
        String.valueOf(version)).trim());
    if (!refolds && base != version) {
      throw PdmErrors.failure("score " + dataset + " with feature set v" + version, "the checkpoint " + checkpoint
              + " holds per-asset state folded under feature set v" + base + " and was begun without a state TTL,"
              + " so its assets cannot be folded again",
          "start the scorer with a new --checkpoint (its assets start from what the warehouse holds), or promote"
              + " champions on feature set v" + base + " again");
    }
    return base;
  }

  /** The processor over the inputs grouped by asset, from {@code initial} (null: a checkpoint's state). */
  public static Dataset<Row> process(Dataset<StreamInput> inputs, AssetProcessor processor,
      KeyValueGroupedDataset<String, AssetState> initial) {
    KeyValueGroupedDataset<String, StreamInput> byAsset = inputs.groupByKey(
        (MapFunction<StreamInput, String>) r -> AssetProcessor.key(r.getDataset(), r.getAssetId()), Encoders.STRING());
    TimeMode mode = processor.timeMode();
    return (initial != null
        ? byAsset.transformWithState(processor, mode, OutputMode.Append(), initial,
            Encoders.bean(StreamOutput.class), STATE)
        : byAsset.transformWithState(processor, mode, OutputMode.Append(), Encoders.bean(StreamOutput.class)))
        .toDF();
  }

  /** The state store settings a scoring checkpoint is made with (recorded in it at its first batch). */
  public static void configure(SparkSession spark) {
    spark.conf().set("spark.sql.streaming.stateStore.providerClass", ROCKSDB);
    // a batch commits a changelog of the keys it changed, not a snapshot of every asset's state
    spark.conf().set("spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled", "true");
    // each micro-batch's output is cached once and read a few times: compressing it costs more than it saves
    spark.conf().set("spark.sql.inMemoryColumnarStorage.compressed", "false");
    // with a state TTL (processing time) Spark would run a batch without data at every trigger, each
    // one a round of commits and a metrics row; expired state is dropped by the batches with data
    spark.conf().set("spark.sql.streaming.noDataMicroBatches.enabled", "false");
  }

  /** Kafka records of the topic, parsed as ingest-stream parses them. */
  static Dataset<StreamInput> events(SparkSession spark, PdmConfig config, String topic, String dataset,
      DatasetProfile profile) {
    TelemetryParser parser = new TelemetryParser(profile);
    Dataset<Row> raw = spark.readStream().format("kafka")
        .options(KafkaSettings.sparkSource(config))
        .option("subscribe", topic)
        .option("startingOffsets", config.require(PdmConfigKeys.STREAM_STARTING_OFFSETS))
        .option("failOnDataLoss", config.getBoolean(PdmConfigKeys.STREAM_FAIL_ON_DATA_LOSS))
        .option("maxOffsetsPerTrigger", config.getLong(PdmConfigKeys.STREAM_MAX_OFFSETS_PER_TRIGGER))
        .load()
        .select(col("topic"), col("partition"), col("offset"), col("timestamp"), col("value").cast("string"));
    MapPartitionsFunction<Row, StreamInput> parse = rows -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public StreamInput next() {
        Row r = rows.next();
        TelemetryParser.Parsed p = parser.parseJson(r.getString(4), dataset);
        StreamInput in = new StreamInput();
        in.setKind(StreamInput.EVENT);
        in.setTopic(r.getString(0));
        in.setKafkaPartition(r.getInt(1));
        in.setKafkaOffset(r.getLong(2));
        in.setKafkaTimestamp(r.getTimestamp(3));
        in.setPayload(r.getString(4));
        in.setAssetId(p.assetId);
        in.setDataset(p.dataset);
        in.setCycle(p.cycle);
        in.setEventTime(p.eventTime);
        double[] values = new double[p.readings.length];
        for (int i = 0; i < values.length; i++) {
          values[i] = p.reason != null || p.readings[i] == null ? Double.NaN : p.readings[i];
        }
        in.setReadings(values);
        if (p.reason != null) {
          in.setReasonCode(p.reason.name());
          in.setReason(p.message);
          // a rejected record joins no asset's state
          in.setDataset(null);
        }
        return in;
      }
    };
    return raw.mapPartitions(parse, INPUT);
  }

  /** The dataset's alert resolves, as inputs of kind RESOLVE. */
  static Dataset<StreamInput> resolves(SparkSession spark, Warehouse warehouse, String dataset) {
    return spark.readStream().format("delta").load(warehouse.path(Tables.OPS_ALERT_RESOLUTIONS))
        .where(col("dataset").equalTo(dataset))
        .map((MapFunction<Row, StreamInput>) r -> {
          StreamInput in = new StreamInput();
          in.setKind(StreamInput.RESOLVE);
          in.setDataset(r.getString(0));
          in.setAssetId(r.getString(1));
          in.setReadings(new double[0]);
          return in;
        }, INPUT);
  }

  /**
   * Where each asset stands in the warehouse when a checkpoint begins: the last cycle silver holds
   * (records up to it are merged, not appended), the last predicted (not predicted again) and the
   * level alerted since the last resolve (not alerted again: gold.alerts' open and acknowledged alerts). Empty on a new warehouse.
   *
   * <p>The state is read at a checkpoint's first batch only, but the query plans every batch with
   * it. Planned over silver and gold.predictions, each batch updated their Delta snapshots and
   * listed their files (most of a second per batch at 1,000 events/s, and growing with the tables),
   * so the positions are written once to {@code dir} (parquet, beside the checkpoint) and the
   * query reads that fixed copy.
   */
  static KeyValueGroupedDataset<String, AssetState> initialState(Warehouse warehouse, String dataset,
      String dir) {
    SparkSession spark = warehouse.spark();
    List<Dataset<Row>> parts = new ArrayList<>();
    if (warehouse.exists(Tables.SILVER_TELEMETRY)) {
      parts.add(maxCycle(warehouse.read(Tables.SILVER_TELEMETRY, "score-stream"), dataset, "landed"));
    }
    if (warehouse.exists(Tables.GOLD_PREDICTIONS)) {
      parts.add(maxCycle(warehouse.read(Tables.GOLD_PREDICTIONS, "score-stream"), dataset, "predicted"));
    }
    if (warehouse.exists(Tables.GOLD_ALERTS)) {
      parts.add(alertedLevels(warehouse.read(Tables.GOLD_ALERTS, "score-stream"), dataset));
    }
    if (parts.isEmpty()) {
      parts.add(spark.createDataFrame(List.of(), new StructType().add("asset_id", "string").add("landed", "int")
          .add("predicted", "int").add("alerted_level", "string")));
    }
    Dataset<Row> all = parts.get(0);
    for (Dataset<Row> p : parts.subList(1, parts.size())) {
      all = all.unionByName(p);
    }
    all.groupBy("asset_id").agg(
        org.apache.spark.sql.functions.max("landed").as("landed"),
        org.apache.spark.sql.functions.max("predicted").as("predicted"),
        org.apache.spark.sql.functions.max("alerted_level").as("alerted_level"))
        .write().mode("overwrite").parquet(dir);
    Dataset<Row> per = spark.read().parquet(dir);
    return per.groupByKey((MapFunction<Row, String>) r -> AssetProcessor.key(dataset, r.getString(0)),
        Encoders.STRING()).mapValues((MapFunction<Row, AssetState>) r -> {
      AssetState s = AssetStates.fresh(0);
      s.setLandedThrough(r.isNullAt(1) ? 0 : r.getInt(1));
      // what the warehouse held before is the asset's history: folded, not predicted again
      s.setPredictedThrough(Math.max(s.getLandedThrough(), r.isNullAt(2) ? 0 : r.getInt(2)));
      s.setAlertedLevel(r.isNullAt(3) ? Level.LOW.name() : r.getString(3));
      return s;
    }, STATE);
  }

  /**
   * Each asset's highest level among its alerts not resolved: the level alerted since its last
   * resolve. Read from gold.alerts, where a resolve is one commit, rather than from ops.asset_risk,
   * the scorer's view, which trails the resolve until the scorer's state has taken it.
   */
  static Dataset<Row> alertedLevels(Dataset<Row> alerts, String dataset) {
    Level[] levels = Level.values();
    Column ordinal = lit(0);
    for (int i = levels.length - 1; i > 0; i--) {
      ordinal = when(col("risk_level").equalTo(levels[i].name()), lit(i)).otherwise(ordinal);
    }
    Column names = org.apache.spark.sql.functions.array(Arrays.stream(levels).map(l -> lit(l.name()))
        .toArray(Column[]::new));
    return alerts.where(col("dataset").equalTo(dataset).and(col("status").notEqual(AlertLifecycle.Change.RESOLVE.status())))
        .groupBy("asset_id").agg(org.apache.spark.sql.functions.max(ordinal).as("o"))
        .select(col("asset_id"), lit(null).cast("int").as("landed"), lit(null).cast("int").as("predicted"),
            org.apache.spark.sql.functions.element_at(names, col("o").plus(1)).as("alerted_level"));
  }

  /** Each asset's highest cycle in {@code table} as {@code as} (landed or predicted), the other two columns null. */
  static Dataset<Row> maxCycle(Dataset<Row> table, String dataset, String as) {
    Dataset<Row> rows = table.where(col("dataset").equalTo(dataset).and(col("cycle").isNotNull()));
    Dataset<Row> m = rows.groupBy("asset_id").agg(org.apache.spark.sql.functions.max("cycle").as(as));
    return as.equals("landed")
        ? m.select(col("asset_id"), col("landed"), lit(null).cast("int").as("predicted"),
            lit(null).cast("string").as("alerted_level"))
        : m.select(col("asset_id"), lit(null).cast("int").as("landed"), col("predicted"),
            lit(null).cast("string").as("alerted_level"));
  }


}
