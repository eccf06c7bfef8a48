package dev.pdm.scoring.stream;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.size;

import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * ops.asset_refolds, both ends: the batch writer folds the silver history of the assets a
 * micro-batch asked for ({@link StreamOutput#REFOLD} rows: back after their state expired, or
 * folded under another feature set than the champions') and appends their state
 * ({@link #fold}); the scoring query reads the table back as a source of {@link StreamInput#REFOLD}
 * records ({@link #source}), so the state reaches the asset's processor as data, a micro-batch
 * later. The state is typed: struct columns of the {@link AssetState} and {@link AssetClock} beans.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * warehouse.ensure(Tables.OPS_ASSET_REFOLDS, AssetRefolds.schema());
 * Dataset&lt;StreamInput&gt; refolds = AssetRefolds.source(spark, warehouse, "FD001", fromVersion, 3);   // in the query
 * Dataset&lt;Row&gt; rows = AssetRefolds.fold(warehouse, profile, "FD001", batchOutput, processor, batchId);
 * </pre>
 */
public final class AssetRefolds {

  private static final Encoder<AssetRefold> REFOLD = Encoders.bean(AssetRefold.class);

  private AssetRefolds() {}

  /**
   * The table's schema: its declared columns, then the typed state and clock, every nested field
   * nullable (Delta keeps no NOT NULL inside arrays).
   */
  public static StructType schema() {
    StructType bean = REFOLD.schema();
    return Tables.OPS_ASSET_REFOLDS.schema()
        .add(new StructField("state", nullable(bean.apply("state").dataType()), true, Metadata.empty())
            .withComment("the asset's AssetState, folded"))
        .add(new StructField("clock", nullable(bean.apply("clock").dataType()), true, Metadata.empty())
            .withComment("the asset's AssetClock"));
  }

  private static DataType nullable(DataType t) {
    if (t instanceof StructType s) {
      StructType out = new StructType();
      for (StructField f : s.fields()) {
        out = out.add(f.name(), nullable(f.dataType()), true);
      }
      return out;
    }
    if (t instanceof ArrayType a) {
      return DataTypes.createArrayType(nullable(a.elementType()), true);
    }
    if (t instanceof MapType m) {
      return DataTypes.createMapType(nullable(m.keyType()), nullable(m.valueType()), true);
    }
    return t;
  }

  /**
   * The dataset's refolds as inputs of kind REFOLD (a Delta stream of the table), from table
   * version {@code startingVersion} on: a checkpoint's own, fixed when it began (the refolds other
   * checkpoints asked for before are not its own). Not "latest": until the source has read a row,
   * Spark records no offset for it, and every restart would resolve "latest" again, skipping the
   * refolds written just before it.
   */
  public static Dataset<StreamInput> source(SparkSession spark, Warehouse warehouse, String dataset,
      long startingVersion, int featureSetVersion) {
    return spark.readStream().format("delta").option("startingVersion", startingVersion)
        .load(warehouse.path(Tables.OPS_ASSET_REFOLDS))
        // a query takes refolds of its own feature set that a batch asked for, never a prefold's bases
        .where(col("dataset").equalTo(dataset).and(col("batch_id").geq(0))
            .and(col("feature_set_version").isNull().or(col("feature_set_version").equalTo(featureSetVersion))))
        .select(col("dataset"), col("asset_id").as("assetId"), col("batch_id").as("batchId"),
            col("history_cycles").as("historyCycles"), col("feature_set_version").as("featureSetVersion"),
            col("state"), col("clock"))
        .as(REFOLD)
        .map((MapFunction<AssetRefold, StreamInput>) r -> {
          StreamInput in = new StreamInput();
          in.setKind(StreamInput.REFOLD);
          in.setDataset(r.getDataset());
          in.setAssetId(r.getAssetId());
          in.setReadings(new double[0]);
          in.setRefoldState(r.getState());
          in.setRefoldClock(r.getClock());
          in.setRefoldFeatureSet(r.getFeatureSetVersion());
          return in;
        }, Encoders.bean(StreamInput.class));
  }

  /** The batch id of a prefold's rows: bases for later folds, never taken by a query as they are. */
  public static final long PREFOLD = -1L;

  /**
   * The rows of ops.asset_refolds for the assets that asked in {@code out} (a micro-batch's
   * processor output): each one's silver history, without the records this batch landed (told by
   * their source, so a replayed batch folds the same history), folded by {@code processor}; its
   * last predicted cycle and its open alerts' level come from gold.predictions and gold.alerts.
   * An asset with no history gets an empty state, and its held cycles are scored as a new asset's.
   * An earlier refold of the asset under the same feature set (a {@link #prefold} of the swap that
   * brought the set in, or a refold of an earlier return) is the base when there is one: only the
   * history after it is folded.
   */
  public static Dataset<Row> fold(Warehouse warehouse, DatasetProfile profile, String dataset, Dataset<Row> out,
      AssetProcessor processor, long batchId, Column refoldedAt) {
    Dataset<Row> refolds = out.where(col("kind").equalTo(StreamOutput.REFOLD));
    Dataset<Row> asked = refolds.select(col("assetId").as("asset_id")).distinct();
    // left out of the history: the records the asking batch landed, and the cycles an asset held
    // for a missing one when its state was given up (held still, they are folded and scored after it)
    Dataset<Row> excluded = out.where(col("kind").equalTo(StreamOutput.LANDED).and(col("status").equalTo("INSERT")))
        .select(col("assetId").as("asset_id"), ScoringBatchWriter.kafkaSource().as("source"))
        .union(refolds.select(col("assetId").as("asset_id"), explode(col("heldSources")).as("source")));
    // an asset holding cycles is folded from its whole history: a base may have folded them already
    Dataset<Row> holding = refolds.where(size(col("heldSources")).gt(0)).select(col("assetId").as("asset_id"));
    return fold(warehouse, profile, dataset, asked, excluded, holding, processor, batchId, refoldedAt, true);
  }

  /**
   * Every asset of the dataset in silver folded by {@code processor}, as bases for the folds of a
   * coming swap to its feature set (batch id {@link #PREFOLD}): run while the stream still scores
   * with the set before, so that the swap itself folds only what landed since. A base's positions
   * (last predicted cycle, alerted level) are not read: the swap's fold sets them from the tables
   * as they are then.
   */
  public static Dataset<Row> prefold(Warehouse warehouse, DatasetProfile profile, String dataset,
      AssetProcessor processor, Column refoldedAt) {
    Dataset<Row> assets = warehouse.read(Tables.SILVER_TELEMETRY, "score-stream")
        .where(col("dataset").equalTo(dataset).and(col("cycle").isNotNull())).select("asset_id").distinct();
    Dataset<Row> none = assets.select(col("asset_id"), lit(null).cast("string").as("source")).limit(0);
    return fold(warehouse, profile, dataset, assets, none, none.select("asset_id"), processor, PREFOLD, refoldedAt,
        false);
  }

  /** @param withPositions whether to read the assets' positions (else null: a prefold's bases) */
  private static Dataset<Row> fold(Warehouse warehouse, DatasetProfile profile, String dataset, Dataset<Row> asked,
      Dataset<Row> excluded, Dataset<Row> holding, AssetProcessor processor, long batchId, Column refoldedAt,
      boolean withPositions) {
    Dataset<AssetRefold> bases = warehouse.read(Tables.OPS_ASSET_REFOLDS, "score-stream")
        .where(col("dataset").equalTo(dataset).and(col("feature_set_version").equalTo(processor.featureSetVersion())))
        .join(asked, new String[] {"asset_id"}, "left_semi")
        .join(holding, new String[] {"asset_id"}, "left_anti")
        .select(col("dataset"), col("asset_id").as("assetId"), col("batch_id").as("batchId"),
            col("history_cycles").as("historyCycles"), col("feature_set_version").as("featureSetVersion"),
            col("state"), col("clock"))
        .as(REFOLD);
    Dataset<Row> folded = bases.select(col("assetId").as("asset_id"), col("state.features.lastCycle").as("last"))
        .groupBy("asset_id").agg(max("last").as("base_last"));
    List<Column> readings = new ArrayList<>();
    for (DatasetProfile.Column c : profile.readings()) {
      readings.add(coalesce(col(c.name()), lit(Double.NaN)));
    }
    Dataset<Row> history = warehouse.read(Tables.SILVER_TELEMETRY, "score-stream")
        .where(col("dataset").equalTo(dataset).and(col("cycle").isNotNull()))
        .join(asked, new String[] {"asset_id"}, "left_semi")
        .join(excluded, new String[] {"asset_id", "source"}, "left_anti")
        .join(folded, new String[] {"asset_id"}, "left")
        .where(col("base_last").isNull().or(col("cycle").gt(col("base_last"))))
        .select(col("asset_id"), col("cycle"), col("event_time"), col("kafka_timestamp"), col("source"),
            array(readings.toArray(Column[]::new)).as("readings"));
    Dataset<Row> positions = asked;
    if (withPositions && warehouse.exists(Tables.GOLD_PREDICTIONS)) {
      positions = positions.join(ScoringQuery.maxCycle(warehouse.read(Tables.GOLD_PREDICTIONS, "score-stream")
          .join(asked, new String[] {"asset_id"}, "left_semi"), dataset, "predicted").select("asset_id", "predicted"),
          new String[] {"asset_id"}, "left");
    } else {
      positions = positions.withColumn("predicted", lit(null).cast("int"));
    }
    if (withPositions && warehouse.exists(Tables.GOLD_ALERTS)) {
      positions = positions.join(ScoringQuery.alertedLevels(warehouse.read(Tables.GOLD_ALERTS, "score-stream")
              .join(asked, new String[] {"asset_id"}, "left_semi"), dataset).select("asset_id", "alerted_level"),
          new String[] {"asset_id"}, "left");
    } else {
      positions = positions.withColumn("alerted_level", lit(null).cast("string"));
    }
    Dataset<Row> rows = positions.join(history, new String[] {"asset_id"}, "left")
        .select("asset_id", "predicted", "alerted_level", "cycle", "event_time", "kafka_timestamp", "source",
            "readings");
    CoGroupFunction<String, Row, AssetRefold, AssetRefold> foldOne = (asset, group, base) -> List.of(
        refold(processor, asset, group, best(base), batchId)).iterator();
    Dataset<AssetRefold> refolded = rows.groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
        .cogroup(bases.groupByKey((MapFunction<AssetRefold, String>) AssetRefold::getAssetId, Encoders.STRING()),
            foldOne, REFOLD);
    return refolded.select(col("dataset"), col("assetId").as("asset_id"), col("batchId").as("batch_id"),
        col("historyCycles").as("history_cycles"), refoldedAt.as("refolded_at"),
        col("featureSetVersion").as("feature_set_version"), col("state"), col("clock"));
  }

  /** The base that folded the most cycles (the history was cut after its last), or null. */
  private static AssetRefold best(Iterator<AssetRefold> bases) {
    AssetRefold best = null;
    while (bases.hasNext()) {
      AssetRefold b = bases.next();
      if (best == null || b.getState().getFeatures().getLastCycle() > best.getState().getFeatures().getLastCycle()) {
        best = b;
      }
    }
    return best;
  }

  private static AssetRefold refold(AssetProcessor processor, String asset, Iterator<Row> group, AssetRefold base,
      long batchId) {
    List<HeldCycle> history = new ArrayList<>();
    int predicted = 0;
    String alerted = null;
    while (group.hasNext()) {
      Row r = group.next();
      predicted = r.isNullAt(1) ? 0 : r.getInt(1);
      alerted = r.isNullAt(2) ? null : r.getString(2);
      if (r.isNullAt(3)) {
        continue;
      }
      List<Double> values = r.getList(7);
      double[] readings = new double[values.size()];
      for (int i = 0; i < readings.length; i++) {
        readings[i] = values.get(i);
      }
      HeldCycle h = new HeldCycle();
      h.setCycle(r.getInt(3));
      h.setEventTime(r.getTimestamp(4));
      h.setKafkaTimestamp(r.getTimestamp(5));
      h.setSource(r.getString(6));
      h.setReadings(readings);
      h.setHash(AssetStates.hash(readings));
      history.add(h);
    }
    AssetRefold refold = processor.refold(asset, base, history, predicted, alerted);
    refold.setBatchId(batchId);
    return refold;
  }
}
