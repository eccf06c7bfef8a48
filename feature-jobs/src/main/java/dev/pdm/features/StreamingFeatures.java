package dev.pdm.features;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.OutputMode;

/**
 * Features of a stream of silver-shaped rows: each asset's {@link FeatureCalculator.State} lives in
 * Spark's state store (checkpointed with the query), and every micro-batch folds the asset's new
 * cycles onto it through {@link FeatureRows#foldGroup}, the same per-row code as the batch job.
 * Rows carry no labels (a live asset has not failed yet).
 */
public final class StreamingFeatures {

  private StreamingFeatures() {}

  /**
   * @param silver a streaming Dataset with silver.telemetry's columns
   * @return a streaming Dataset with gold.features' columns (append mode)
   */
  public static Dataset<Row> apply(Dataset<Row> silver, FeatureSet set) {
    return withLate(silver, set, 0).where(col(LATE_REASON).isNull()).drop(LATE_REASON, FeatureRows.KAFKA_TIMESTAMP);
  }

  /** The late-reason column of {@link #withLate}. */
  public static final String LATE_REASON = "late_reason";

  /** An asset's state between micro-batches: its feature state and the cycles waiting for a missing one. */
  public static final class AssetState implements Serializable {
    private final FeatureCalculator.State features;
    private final TreeMap<Integer, Row> held = new TreeMap<>();

    AssetState(FeatureCalculator.State features) {
      this.features = features;
    }
  }

  /**
   * The same, with the cycles that came too late to be folded in order: they have no features and
   * {@link #LATE_REASON} says why (null on every other row); each row also keeps its event's
   * {@code kafka_timestamp}.
   *
   * @param allowedCycles how many later cycles of an asset may wait for a missing one before it is
   *     given up (see {@link FeatureRows#foldGroup(FeatureCalculator.State, TreeMap, int, java.util.Iterator)})
   */
  public static Dataset<Row> withLate(Dataset<Row> silver, FeatureSet set, int allowedCycles) {
    FeatureRows rows = new FeatureRows(set, -1);
    Dataset<Row> input = FeatureRows.input(silver.where(col("cycle").isNotNull()), set);
    FlatMapGroupsWithStateFunction<String, Row, AssetState, FeatureRows.Out> fold = (asset, group, state) -> {
      AssetState current = state.exists() ? state.get() : new AssetState(rows.newState());
      List<FeatureRows.Out> out = rows.foldGroup(current.features, current.held, allowedCycles, group);
      state.update(current);
      return out.iterator();
    };
    Dataset<FeatureRows.Out> out = input
        .groupByKey((MapFunction<Row, String>) r -> r.getString(1), Encoders.STRING())
        .flatMapGroupsWithState(fold, OutputMode.Append(), Encoders.javaSerialization(AssetState.class),
            FeatureRows.encoder(), GroupStateTimeout.NoTimeout());
    return rows.toColumns(out, out.col("lateReason").as(LATE_REASON),
        out.col("kafkaTimestamp").as(FeatureRows.KAFKA_TIMESTAMP));
  }
}
