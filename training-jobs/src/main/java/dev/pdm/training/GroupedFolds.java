package dev.pdm.training;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import dev.pdm.common.PdmErrors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Unit-grouped folds: every row of an asset lands in the same fold, so no asset is ever in both a
 * model's training rows and its validation rows (rows of one engine are strongly correlated; a
 * row-level split would leak its future into its past).
 */
public final class GroupedFolds {

  /** The fold column, 0 to k - 1. */
  public static final String FOLD = "fold";

  private GroupedFolds() {}

  /**
   * Adds {@link #FOLD}: assets are ordered by a seeded hash of their id and dealt round-robin, so
   * fold sizes differ by at most one asset and the same assets with the same seed always give the
   * same folds. Only the distinct asset ids pass through one task.
   */
  public static Dataset<Row> assign(Dataset<Row> rows, int k, long seed) {
    if (k < 2) {
      throw PdmErrors.usage("cross-validate with " + k + " folds", "at least 2 folds are needed",
          "pass --cv-folds 2 or more");
    }
    Dataset<Row> assets = rows.select("asset_id").distinct()
        .withColumn("_h", xxhash64(col("asset_id"), lit(seed)))
        .withColumn(FOLD, pmod(row_number().over(Window.orderBy("_h", "asset_id")).minus(1), lit(k)).cast("int"))
        .drop("_h");
    return rows.join(broadcast(assets), "asset_id");
  }
}
