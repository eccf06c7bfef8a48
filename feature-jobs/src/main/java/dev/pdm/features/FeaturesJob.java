package dev.pdm.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import io.delta.tables.DeltaTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code silver.telemetry} to {@code gold.features}: window features and labels of one dataset,
 * one row per (asset_id, cycle), through a feature-set version stored in {@code gold.feature_sets}.
 *
 * <p>The first run (and {@code --full}) fits the feature set on the dataset's train split
 * (regimes, dropped sensors, normalisation statistics) and computes every row. Later runs are
 * incremental: only assets with cycles not yet in gold are folded again, and of those only the
 * rows that change are written (new cycles; every row of a run-to-failure asset, whose labels move
 * with its last cycle). A run with nothing new commits nothing.
 *
 * <p>Each asset is folded in cycle order by one task (hash-partitioned by asset, sorted within the
 * partition), so the cost is O(rows) and nothing but a handful of per-regime statistics reaches the
 * driver.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.features.FeaturesJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm --dataset FD001 [--full]
 * </pre>
 */
public final class FeaturesJob {

  private static final Logger LOG = LoggerFactory.getLogger(FeaturesJob.class);

  /** About 0.5 to 1 GB of Parquet with the default feature set: large files, bounded. */
  private static final long MAX_RECORDS_PER_FILE = 500_000;

  /** Validated options. */
  public record Options(PdmConfig config, String dataset, boolean full) {
    public Options {
      Names.requireDataset(dataset);
    }
  }

  /** What a run did. */
  public record Result(String dataset, int featureSetVersion, boolean newFeatureSet, String mode,
      long assetsRecomputed, long rowsWritten, long rowsWithoutCycle, long goldVersion) implements JobResult {
    @Override
    public String summary() {
      return "features: dataset " + dataset + ", feature set v" + featureSetVersion
          + (newFeatureSet ? " (new)" : "") + ", " + mode + ", "
          + (assetsRecomputed < 0 ? "all" : Long.toString(assetsRecomputed)) + " assets recomputed, "
          + rowsWritten + " rows written" + (rowsWithoutCycle > 0 ? ", " + rowsWithoutCycle
          + " silver rows without a cycle skipped" : "") + "; gold.features version " + goldVersion;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--dataset", required = true, metaVar = "ID", usage = "dataset (fleet) id, e.g. FD001")
    String dataset;

    @Option(name = "--full", usage = "refit the feature set on the train split and recompute every row")
    boolean full;
  }

  private FeaturesJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("features", args, new Cli(), (cli, config) -> new Options(config, cli.dataset, cli.full),
        FeaturesJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    String d = o.dataset();
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-features",
        "features --dataset " + d + (o.full() ? " --full" : ""));
    DatasetProfile profile = DatasetProfile.forDataset(o.config(), d);
    FeatureConfig cfg = FeatureConfig.from(o.config(), profile);
    // One silver snapshot for the fit and every row, whatever lands meanwhile.
    long silverVersion = warehouse.version(Tables.SILVER_TELEMETRY);
    Dataset<Row> silver = warehouse
        .read(Tables.SILVER_TELEMETRY, silverVersion, "pdm ingest-files --dataset " + d + " ...")
        .where(col("dataset").equalTo(d));
    Dataset<Row> series = silver.where(col("cycle").isNotNull());

    FeatureSets sets = new FeatureSets(spark, warehouse);
    Optional<FeatureSet> latest = sets.latest(d);
    FeatureSet set;
    if (o.full() || latest.isEmpty()) {
      set = sets.store(FeatureSetFitter.fit(series.where(col("split").equalTo("train")), d, profile, cfg,
          silverVersion));
    } else {
      set = latest.get();
      List<String> changed = cfg.differences(set.config());
      if (!changed.isEmpty()) {
        throw PdmErrors.config("extend feature set " + d + " v" + set.version(),
            "the feature settings changed: " + String.join("; ", changed),
            "run pdm features --dataset " + d + " --full to fit a new feature-set version");
      }
    }
    boolean newSet = latest.map(l -> l.version() != set.version()).orElse(true);
    warehouse.ensure(Tables.GOLD_FEATURES, Tables.featuresSchema(set.featureNames()));
    String goldPath = warehouse.path(Tables.GOLD_FEATURES);
    Dataset<Row> gold = warehouse.read(Tables.GOLD_FEATURES, "pdm features").where(col("dataset").equalTo(d));
    long computedAt = System.currentTimeMillis();
    long withoutCycle = silver.where(col("cycle").isNull()).count();
    if (withoutCycle > 0) {
      LOG.warn("{} silver rows of {} have no cycle and get no features (features follow an asset's cycles)",
          withoutCycle, d);
    }

    boolean rewrite = o.full() || gold.where(col("feature_set_version").notEqual(set.version())).limit(1).count() > 0
        || gold.limit(1).count() == 0;
    if (rewrite) {
      LOG.info("Computing every row of {} with feature set v{} ({} features)", d, set.version(),
          set.featureNames().size());
      compute(series, set, computedAt).write().format("delta").mode("overwrite")
          .option("replaceWhere", "dataset = '" + d + "'")
          .option("maxRecordsPerFile", MAX_RECORDS_PER_FILE)
          .save(goldPath);
      return result(spark, warehouse, set, newSet, "full", -1, withoutCycle);
    }
    Dataset<Row> changed = series.select("asset_id", "cycle")
        .join(gold.select("asset_id", "cycle"), new String[] {"asset_id", "cycle"}, "left_anti")
        .groupBy("asset_id").agg(min("cycle").as("_first_new"))
        .cache();
    try {
      long assets = changed.count();
      if (assets == 0) {
        return new Result(d, set.version(), newSet, "incremental", 0, 0, withoutCycle,
            warehouse.version(Tables.GOLD_FEATURES));
      }
      Dataset<Row> rows = compute(series.join(changed.select("asset_id"), "asset_id"), set, computedAt)
          .join(changed, "asset_id")
          .where(col("rul").isNotNull().or(col("cycle").geq(col("_first_new"))))
          .drop("_first_new");
      merge(spark, goldPath, rows, d);
      return result(spark, warehouse, set, newSet, "incremental", assets, withoutCycle);
    } finally {
      changed.unpersist();
    }
  }

  /**
   * Features and labels of whole asset series: silver rows (with a cycle) to gold.features rows.
   * An asset whose split is {@code train} ran to failure at its last cycle and gets labels.
   */
  public static Dataset<Row> compute(Dataset<Row> series, FeatureSet set, long computedAtMillis) {
    FeatureRows rows = new FeatureRows(set, computedAtMillis);
    // One shuffle: by asset into spark.sql.shuffle.partitions partitions (an explicit count, so
    // adaptive execution does not merge them into fewer, uneven tasks), sorted by cycle within.
    int partitions = series.sparkSession().sessionState().conf().numShufflePartitions();
    Dataset<Row> input = FeatureRows.input(series, set)
        .repartition(partitions, col("asset_id"))
        .sortWithinPartitions("asset_id", "cycle");
    return rows.toColumns(input.mapPartitions((MapPartitionsFunction<Row, FeatureRows.Out>) rows::foldSorted,
        FeatureRows.encoder()));
  }

  private static void merge(SparkSession spark, String goldPath, Dataset<Row> rows, String dataset) {
    Map<String, String> assign = new LinkedHashMap<>();
    for (String c : rows.columns()) {
      assign.put("`" + c + "`", "s.`" + c + "`");
    }
    DeltaTable.forPath(spark, goldPath).as("t")
        .merge(rows.as("s"), col("t.dataset").equalTo(lit(dataset))
            .and(col("t.asset_id").equalTo(col("s.asset_id")))
            .and(col("t.cycle").equalTo(col("s.cycle"))))
        .whenMatched().updateExpr(assign)
        .whenNotMatched().insertExpr(assign)
        .execute();
  }

  private static Result result(SparkSession spark, Warehouse warehouse, FeatureSet set, boolean newSet, String mode,
      long assets, long withoutCycle) {
    Row last = DeltaTable.forPath(spark, warehouse.path(Tables.GOLD_FEATURES)).history(1)
        .select("version", "operationMetrics").head();
    scala.collection.Map<String, String> metrics = last.getMap(1);
    long written = mode.equals("full")
        ? Long.parseLong(metrics.getOrElse("numOutputRows", () -> "0"))
        : Long.parseLong(metrics.getOrElse("numTargetRowsInserted", () -> "0"))
            + Long.parseLong(metrics.getOrElse("numTargetRowsUpdated", () -> "0"));
    return new Result(set.dataset(), set.version(), newSet, mode, assets, written, withoutCycle, last.getLong(0));
  }
}
