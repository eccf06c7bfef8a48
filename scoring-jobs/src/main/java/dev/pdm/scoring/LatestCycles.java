package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Each asset's latest cycle of gold.features rows, flagged by the anomaly rules over the asset's
 * whole selected history: what score-batch scores by default.
 *
 * <p>Why not flag the rows and then pick: the persistence rule needs every cycle of an asset in one
 * partition, and shuffling whole feature rows (~140 columns) of every cycle for it took about 20 GB
 * of local disk per 10M rows. Here only the columns the rules read are shuffled; the full rows of
 * the latest cycles are then picked out of the scan by a Bloom filter of their keys (about 1.2 bytes
 * per asset on the driver, whatever the history's length) before an exact join with the flags.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * LatestCycles.Flagged latest = LatestCycles.flag(features, baseline, rules);
 * try { Scorer.score(latest.rows(), ...) } finally { latest.release(); }
 * </pre>
 */
public final class LatestCycles {

  /** The Bloom filter's false-positive rate: that share of other cycles reaches the exact join. */
  static final double FALSE_POSITIVES = 0.01;

  private static final String[] KEY = {"dataset", "asset_id", "cycle"};

  /** Full rows of the latest cycles with the anomaly columns; {@link #release} when scored. */
  public record Flagged(Dataset<Row> rows, Dataset<Row> cached) {
    public void release() {
      cached.unpersist();
    }
  }

  private LatestCycles() {}

  /**
   * @param features gold.features rows of whole selected histories, with the columns of {@link Anomalies#inputs}
   */
  public static Flagged flag(Dataset<Row> features, Anomalies.Baseline baseline, Anomalies.Rules rules) {
    List<Column> inputs = new ArrayList<>();
    for (String c : Anomalies.inputs(baseline)) {
      inputs.add(col("`" + c + "`"));
    }
    Dataset<Row> flags = Anomalies.flag(features.select(inputs.toArray(Column[]::new)), baseline, rules, null)
        // same partitioning as the rules' window: no second shuffle
        .withColumn("_pdm_last", max("cycle").over(Window.partitionBy("dataset", "asset_id")))
        .where(col("cycle").equalTo(col("_pdm_last")))
        .select("dataset", "asset_id", "cycle", "anomaly_streak", "anomaly_severity", "anomaly_reasons")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long assets = flags.count();
    BloomFilter keys = flags.stat().bloomFilter(key(), Math.max(1, assets), FALSE_POSITIVES);
    Broadcast<BloomFilter> shared = JavaSparkContext.fromSparkContext(features.sparkSession().sparkContext())
        .broadcast(keys);
    UserDefinedFunction maybeLatest = udf((Long k) -> shared.value().mightContainLong(k), DataTypes.BooleanType);
    Dataset<Row> rows = features.where(maybeLatest.apply(key())).join(flags, KEY);
    return new Flagged(rows, flags);
  }

  private static Column key() {
    return xxhash64(col("dataset"), col("asset_id"), col("cycle"));
  }
}
