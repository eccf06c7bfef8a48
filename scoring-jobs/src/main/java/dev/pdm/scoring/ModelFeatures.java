package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeaturesJob;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Selected rows of {@code gold.features} as a model sees them: rows its feature set made are kept
 * as they are; the others (another dataset's, or a newer feature-set version of the same dataset,
 * say after {@code pdm features --full} and before the challenger is promoted) are recomputed from
 * {@code silver.telemetry} through the model's feature set. Columns are gold.features' for that set.
 */
public final class ModelFeatures {

  private static final Logger LOG = LoggerFactory.getLogger(ModelFeatures.class);

  private ModelFeatures() {}

  public static Dataset<Row> of(Warehouse warehouse, Dataset<Row> selected, FeatureSet set) {
    List<Column> columns = new ArrayList<>();
    for (String name : Tables.featuresSchema(set.featureNames()).fieldNames()) {
      columns.add(col("`" + name + "`"));
    }
    Column own = col("dataset").equalTo(set.dataset()).and(col("feature_set_version").equalTo(set.version()));
    Dataset<Row> direct = selected.where(own).select(columns.toArray(Column[]::new));
    Dataset<Row> other = selected.where(not(own)).select("dataset", "asset_id", "cycle");
    if (other.limit(1).count() == 0) {
      return direct;
    }
    LOG.info("Recomputing selected rows of other feature sets with {} v{}", set.dataset(), set.version());
    Dataset<Row> series = warehouse.read(Tables.SILVER_TELEMETRY, "pdm ingest-files")
        .where(col("cycle").isNotNull())
        .join(other.select("dataset", "asset_id").distinct(), new String[] {"dataset", "asset_id"});
    Dataset<Row> recomputed = FeaturesJob.compute(series, set, System.currentTimeMillis())
        .join(other, new String[] {"dataset", "asset_id", "cycle"})
        .select(columns.toArray(Column[]::new));
    return direct.unionByName(recomputed);
  }
}
