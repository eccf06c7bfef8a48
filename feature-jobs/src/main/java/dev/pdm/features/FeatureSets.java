package dev.pdm.features;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.table.DeltaRetry;
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
        .select("definition", "fingerprint")
        .collectAsList();
    if (rows.isEmpty()) {
      throw PdmErrors.failure("load feature set " + dataset + " v" + version, "gold.feature_sets has no such version",
          "run pdm features --dataset " + dataset + ", or name an existing version");
    }
    if (rows.stream().map(r -> r.getString(1)).distinct().count() > 1) {
      // two first fits that raced before versions were claimed by MERGE: which one features were
      // computed with cannot be told, so neither is guessed
      throw PdmErrors.failure("load feature set " + dataset + " v" + version, "gold.feature_sets holds "
          + rows.size() + " different definitions of that version (two feature fits ran at once)",
          "delete the version's rows (DELETE FROM gold.feature_sets WHERE dataset = '" + dataset + "' AND version = "
              + version + ") and run pdm features --dataset " + dataset + " --full");
    }
    return FeatureSet.fromJson(rows.get(0).getString(0));
  }

  /**
   * The stored version of {@code fitted}: the latest one when its fingerprint is the same (a refit
   * of unchanged data changes nothing), else the next version. A version is claimed by a MERGE on
   * (dataset, version) that inserts only when no row has it, so two fits running at once store two
   * versions, never two definitions of one: the one that finds its version taken (or whose commit
   * Delta refuses) reads the latest again and takes the next.
   */
  public FeatureSet store(FeatureSet fitted) {
    return store(fitted, latest(fitted.dataset()));
  }

  /** {@link #store(FeatureSet)} from a view of the latest version that may be stale already. */
  FeatureSet store(FeatureSet fitted, Optional<FeatureSet> seen) {
    warehouse.ensure(Tables.GOLD_FEATURE_SETS, Tables.GOLD_FEATURE_SETS.schema());
    Optional<FeatureSet> latest = seen;
    for (int attempt = 1; ; attempt++) {
      if (latest.isPresent() && latest.get().fingerprint().equals(fitted.fingerprint())) {
        return latest.get();
      }
      FeatureSet next = fitted.withVersion(latest.map(FeatureSet::version).orElse(0) + 1);
      if (claim(next)) {
        return next;
      }
      if (attempt >= DeltaRetry.ATTEMPTS) {
        throw PdmErrors.failure("store feature set of " + fitted.dataset(), "other fits took version "
            + next.version() + " and the ones before it " + attempt + " times in a row",
            "run pdm features once at a time per dataset");
      }
      latest = latest(fitted.dataset());
    }
  }

  /** Inserts {@code set} as its version unless a row of that (dataset, version) exists; true when inserted. */
  private boolean claim(FeatureSet set) {
    Row row = RowFactory.create(set.dataset(), set.version(), set.fingerprint(),
        new Timestamp(System.currentTimeMillis()), seq(set.featureNames()), seq(set.spec().sensors()),
        seq(set.dropped()), set.regimes(), set.normalised(), set.fittedOnRows(), set.silverVersion(),
        set.toJson());
    Row metrics = DeltaRetry.commit("store feature set " + set.dataset() + " v" + set.version(),
        () -> warehouse.delta(Tables.GOLD_FEATURE_SETS).as("t")
            .merge(spark.createDataFrame(List.of(row), Tables.GOLD_FEATURE_SETS.schema()).as("s"),
                "t.dataset = s.dataset AND t.version = s.version")
            .whenNotMatched().insertAll()
            .execute().head());
    return metrics.<Long>getAs("num_inserted_rows") > 0;
  }

  private static Object seq(List<String> values) {
    return CollectionConverters.asScala(values).toSeq();
  }
}
