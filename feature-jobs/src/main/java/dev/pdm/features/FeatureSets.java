package dev.pdm.features;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/** Feature-set versions in {@code gold.feature_sets}: store, look up the latest, load one. */
public final class FeatureSets {

  private final SparkSession spark;
  private final Warehouse warehouse;

  public FeatureSets(SparkSession spark, Warehouse warehouse) {
    this.spark = spark;
    this.warehouse = warehouse;
  }

  public Optional<FeatureSet> latest(String dataset) {
    if (!warehouse.exists(Tables.GOLD_FEATURE_SETS)) {
      return Optional.empty();
    }
    List<Row> rows = warehouse.read(Tables.GOLD_FEATURE_SETS, "pdm features")
        .where(col("dataset").equalTo(dataset))
        .orderBy(col("version").desc())
        .select("definition")
        .limit(1)
        .collectAsList();
    return rows.stream().findFirst().map(r -> FeatureSet.fromJson(r.getString(0)));
  }

  public FeatureSet load(String dataset, int version) {
    List<Row> rows = warehouse.read(Tables.GOLD_FEATURE_SETS, "pdm features --dataset " + dataset)
        .where(col("dataset").equalTo(dataset).and(col("version").equalTo(version)))
        .select("definition")
        .collectAsList();
    if (rows.isEmpty()) {
      throw PdmErrors.failure("load feature set " + dataset + " v" + version, "gold.feature_sets has no such version",
          "run pdm features --dataset " + dataset + ", or name an existing version");
    }
    return FeatureSet.fromJson(rows.get(0).getString(0));
  }

  /**
   * The stored version of {@code fitted}: the latest one when its fingerprint is the same (a refit
   * of unchanged data changes nothing), else a new version appended.
   */
  public FeatureSet store(FeatureSet fitted) {
    Optional<FeatureSet> latest = latest(fitted.dataset());
    if (latest.isPresent() && latest.get().fingerprint().equals(fitted.fingerprint())) {
      return latest.get();
    }
    FeatureSet stored = fitted.withVersion(latest.map(FeatureSet::version).orElse(0) + 1);
    warehouse.ensure(Tables.GOLD_FEATURE_SETS, Tables.GOLD_FEATURE_SETS.schema());
    Row row = RowFactory.create(stored.dataset(), stored.version(), stored.fingerprint(),
        new Timestamp(System.currentTimeMillis()), seq(stored.featureNames()), seq(stored.spec().sensors()),
        seq(stored.dropped()), stored.regimes(), stored.normalised(), stored.fittedOnRows(), stored.silverVersion(),
        stored.toJson());
    spark.createDataFrame(List.of(row), Tables.GOLD_FEATURE_SETS.schema())
        .write().format("delta").mode("append").save(warehouse.path(Tables.GOLD_FEATURE_SETS));
    return stored;
  }

  private static Object seq(List<String> values) {
    return CollectionConverters.asScala(values).toSeq();
  }
}
