package dev.pdm.scoring;

import static org.apache.spark.sql.functions.col;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.Tracking;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.kohsuke.args4j.Option;

/**
 * Scores gold.features with the dataset's registered champions into gold.predictions: the latest
 * cycle of every selected asset, or every selected row with {@code --all-rows}. Merged on
 * (dataset, asset_id, cycle), so running it again changes nothing unless the champion moved.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.scoring.ScoreBatchJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm --dataset FD001 --where "asset_id LIKE 'FD001-test-%'"
 * </pre>
 */
public final class ScoreBatchJob {

  /** Validated options; {@code where} is a SQL predicate on gold.features, or null. */
  public record Options(PdmConfig config, String dataset, String where, boolean allRows) {
    public Options {
      Names.requireDataset(dataset);
      if (where != null && where.isBlank()) {
        where = null;
      }
    }
  }

  /** What a run did. */
  public record Result(String dataset, long assets, long rows, String rulModel, String failureModel,
      int featureSetVersion, long predictionsVersion) implements JobResult {
    @Override
    public String summary() {
      return "score-batch: " + rows + " predictions of " + assets + " assets of " + dataset + " with " + rulModel
          + " and " + failureModel + " (feature set v" + featureSetVersion + "); gold.predictions version "
          + predictionsVersion;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--dataset", required = true, metaVar = "ID", usage = "dataset (fleet) id, e.g. FD001")
    String dataset;

    @Option(name = "--where", metaVar = "PREDICATE", usage = "SQL predicate on gold.features selecting the rows")
    String where;

    @Option(name = "--all-rows", usage = "score every selected row, not only each asset's latest cycle")
    boolean allRows;
  }

  private ScoreBatchJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("score-batch", args, new Cli(),
        (cli, config) -> new Options(config, cli.dataset, cli.where, cli.allRows), ScoreBatchJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    String d = o.dataset();
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-score-batch", "score-batch --dataset " + d
        + (o.where() == null ? "" : " --where " + o.where()) + (o.allRows() ? " --all-rows" : ""));
    ChampionModels.Champions champions;
    try (Tracking tracking = Tracking.connect(o.config())) {
      champions = ChampionModels.load(spark, tracking, o.config(), d);
    }
    Dataset<Row> features = warehouse.read(Tables.GOLD_FEATURES, "pdm features --dataset " + d)
        .where(col("dataset").equalTo(d));
    features = select(features, o.where(), d);
    FeatureSet set = new FeatureSets(spark, warehouse).load(d, champions.featureSetVersion());
    features = ModelFeatures.of(warehouse, features, set);
    Anomalies.Baseline baseline = Anomalies.fit(warehouse, set);
    Anomalies.Rules rules = Anomalies.Rules.from(o.config());
    // The persistence rule counts runs over each asset's selected history, so flag before picking the latest.
    LatestCycles.Flagged latest = o.allRows() ? null : LatestCycles.flag(features, baseline, rules);
    Dataset<Row> flagged = o.allRows() ? Anomalies.flag(features, baseline, rules, null) : latest.rows();
    Dataset<Row> scored = Scorer.score(flagged, champions, RiskLevels.from(o.config()), Scorer.ScoredBy.BATCH,
        new Timestamp(System.currentTimeMillis())).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long rows = scored.count();
      long assets = o.allRows() ? scored.select("asset_id").distinct().count() : rows;
      warehouse.ensure(Tables.GOLD_PREDICTIONS, Tables.GOLD_PREDICTIONS.schema());
      if (rows > 0) {
        PredictionsWriter.upsert(warehouse, scored, List.of(d));
      }
      return new Result(d, assets, rows, champions.rul().toString(), champions.failure().toString(),
          champions.featureSetVersion(), warehouse.version(Tables.GOLD_PREDICTIONS));
    } finally {
      scored.unpersist();
      if (latest != null) {
        latest.release();
      }
    }
  }

  /** Rows of {@code features} matching a user's SQL predicate (null: all), or a usage error naming it. */
  public static Dataset<Row> select(Dataset<Row> features, String where, String dataset) {
    if (where == null) {
      return features;
    }
    try {
      Dataset<Row> selected = features.where(where);
      selected.schema();
      return selected;
    } catch (Exception e) {
      if (!(e instanceof AnalysisException)) {
        throw e;
      }
      throw PdmErrors.usage("select rows with --where " + where, e.getMessage(),
          "give a SQL predicate on gold.features columns, e.g. \"asset_id LIKE '" + dataset + "-test-%'\"");
    }
  }
}
