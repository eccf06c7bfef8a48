package dev.pdm.features.feedback;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Labels from reported failures: a row of gold.features whose RUL was unknown (a streamed asset)
 * gets the RUL that became known when its asset failed, capped as the features job caps labels
 * ({@code rul = min(failed_at_cycle - cycle, rulCap)}, and fails_within_horizon when
 * {@code failed_at_cycle - cycle <= horizon}); rows after the failure cycle are dropped,
 * and rows with a label keep it. On a time fleet cycles are ticks, and the RUL is in whole hours,
 * as {@link dev.pdm.features.FeatureRows} labels run-to-failure history. A pure transform: the failures come from
 * {@link AssetEvents#failures}.
 *
 * <p>Usage:
 * <pre>{@code
 * Dataset<Row> labelled = FailureLabels.apply(features, AssetEvents.failures(warehouse, "FD001"), set);
 * }</pre>
 */
public final class FailureLabels {

  private FailureLabels() {}

  /**
   * {@code rows} (with dataset, asset_id, cycle, rul and fails_within_horizon) with them filled from {@code failures}
   * (dataset, asset_id, failed_at_cycle) where it was null.
   */
  public static Dataset<Row> apply(Dataset<Row> rows, Dataset<Row> failures, dev.pdm.features.FeatureSet set) {
    return apply(rows, failures, set.rulCap(), set.horizon(), set.spec().tickMillis());
  }

  /** @param tickMillis a time fleet's tick (labels in hours), 0 for a cycle fleet (labels in cycles) */
  public static Dataset<Row> apply(Dataset<Row> rows, Dataset<Row> failures, int rulCap, int horizon,
      long tickMillis) {
    Dataset<Row> f = failures.select(col("dataset").as("_f_dataset"), col("asset_id").as("_f_asset"),
        col("failed_at_cycle").as("_f_cycle"));
    Column ticks = col("_f_cycle").minus(col("cycle"));
    Column known = tickMillis > 0 ? ticks.multiply(tickMillis / 3_600_000d) : ticks;
    return rows.join(f, rows.col("dataset").equalTo(f.col("_f_dataset"))
            .and(rows.col("asset_id").equalTo(f.col("_f_asset"))), "left")
        .where(col("rul").isNotNull().or(col("_f_cycle").isNull()).or(known.geq(0)))
        .withColumn("rul", coalesce(col("rul"), when(col("_f_cycle").isNotNull(),
            floor(least(known, lit(rulCap))).cast("int"))))
        .withColumn("fails_within_horizon", coalesce(col("fails_within_horizon"), when(col("_f_cycle").isNotNull(),
            known.leq(horizon))))
        .drop("_f_dataset", "_f_asset", "_f_cycle");
  }
}
