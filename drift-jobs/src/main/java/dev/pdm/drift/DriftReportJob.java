package dev.pdm.drift;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sqrt;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.feedback.AssetEvents;
import dev.pdm.features.feedback.FailureLabels;
import dev.pdm.features.FeatureSets;
import dev.pdm.ingest.LandedAssets;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.Histograms;
import dev.pdm.mlflow.ModelArtifacts;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.ReferenceProfile;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import dev.pdm.scoring.ModelFeatures;
import dev.pdm.scoring.ScoreBatchJob;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.kohsuke.args4j.Option;

/**
 * Compares a window of {@code gold.features} with the reference profile of a registered RUL model
 * (by default the one {@code champion}): per feature PSI and Kolmogorov-Smirnov, prediction drift
 * (PSI of predicted RUL), performance drift where RUL has become known, and a decision
 * {@code retrain: true|false} with its reasons (thresholds pdm.drift.*). See {@link Drift} for how
 * like is compared with like.
 *
 * <p>The window is seen as the model sees it: rows made by another feature set (another dataset's,
 * or a newer version of the model's own) are recomputed from {@code silver.telemetry} with the
 * model's feature set, and predicted with the model itself.
 *
 * <p>Writes one row per feature, one for predicted RUL and a summary row to {@code ops.drift_reports};
 * with {@code --out} the JSON that orchestration reads (top-level {@code retrain}, {@code reasons},
 * {@code features}); with {@code --html} a self-contained page with the histograms and a PSI chart.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.drift.DriftReportJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm [--model pdm-FD001-rul@champion] [--where "dataset = 'FD001'"] \
 *   [--last-cycles 30] [--assets-from s3a://bucket/incoming/2026-11-23] [--out s3a://bucket/reports/drift.json] [--html s3a://bucket/reports/drift.html]
 * </pre>
 */
public final class DriftReportJob {

  /** Validated options: {@code model} is {@code name}, {@code name@alias} or {@code name/version}, or null. */
  public record Options(PdmConfig config, String model, String where, Integer lastCycles, String assetsFrom,
      String out, String html) {
    public Options {
      if (model != null && !model.matches("[^@/\\s]+([@/][^@/\\s]+)?")) {
        throw PdmErrors.badValue("--model", model, "a registered model as <name>@<alias> or <name>/<version>,"
            + " e.g. pdm-FD001-rul@champion");
      }
      if (where != null && where.isBlank()) {
        where = null;
      }
      if (lastCycles != null && lastCycles < 1) {
        throw PdmErrors.badValue("--last-cycles", lastCycles.toString(), "a number of cycles >= 1");
      }
    }
  }

  /** What a report found. */
  public record Result(DriftReport report, long driftReportsVersion) implements JobResult {
    @Override
    public String summary() {
      DriftReport r = report;
      StringBuilder s = new StringBuilder("drift-report " + r.reportId() + ": " + r.modelName() + " v"
          + r.modelVersion() + ", window " + r.selection() + ", " + r.currentRows() + " rows vs " + r.referenceRows()
          + " reference rows\n  retrain: " + r.decision().retrain());
      r.decision().reasons().forEach(x -> s.append("\n  - ").append(x));
      s.append(String.format("%n  %-28s %8s %8s %10s  %s", "column", "PSI", "KS", "KS p", "status"));
      List<Drift.Comparison> top = new ArrayList<>();
      top.add(r.prediction());
      top.addAll(r.byPsi().subList(0, Math.min(10, r.features().size())));
      for (Drift.Comparison c : top) {
        s.append(String.format("%n  %-28s %8.3f %8.3f %10.2e  %s", c.name(), c.psi(), c.ks(), c.ksPValue(),
            c.status().name().toLowerCase()));
      }
      if (r.features().size() > 10) {
        s.append("\n  (").append(r.features().size() - 10).append(" more features in ops.drift_reports)");
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--model", metaVar = "NAME@ALIAS", usage = "registered RUL model to compare against, as"
        + " <name>@<alias> or <name>/<version> (default: the only <prefix>-<dataset>-rul with a champion)")
    String model;

    @Option(name = "--where", metaVar = "PREDICATE", usage = "SQL predicate on gold.features selecting the window"
        + " (default: every row of the model's dataset)")
    String where;

    @Option(name = "--last-cycles", metaVar = "N", usage = "only each selected asset's latest N cycles")
    Integer lastCycles;

    @Option(name = "--assets-from", metaVar = "PATH", usage = "only assets landed from this file or directory"
        + " (silver.telemetry.source), e.g. the day's delivery")
    String assetsFrom;

    @Option(name = "--out", metaVar = "JSON", usage = "write the report as JSON here (any Hadoop path)")
    String out;

    @Option(name = "--html", metaVar = "FILE", usage = "write the self-contained HTML report here")
    String html;
  }

  private DriftReportJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("drift-report", args, new Cli(),
        (cli, config) -> new Options(config, cli.model, cli.where, cli.lastCycles, cli.assetsFrom, cli.out,
            cli.html),
        DriftReportJob::run);
  }

  /** The registered RUL model a report compares against. */
  record Model(ChampionModels.ModelRef ref, String dataset, double validationRmse) {}

  public static Result run(SparkSession spark, Options o) {
    PdmConfig config = o.config();
    Drift.Thresholds thresholds = Drift.Thresholds.from(config);
    try (Tracking tracking = Tracking.connect(config)) {
      Model model = resolve(tracking, config, o.model());
      String d = model.dataset();
      String selection = (o.where() == null ? "dataset = '" + d + "'" : o.where())
          + (o.assetsFrom() == null ? "" : ", assets landed from " + o.assetsFrom())
          + (o.lastCycles() == null ? "" : ", last " + o.lastCycles() + " cycles per asset");
      Warehouse warehouse = Sessions.prepare(spark, config, "pdm-drift-report", "drift-report " + model.ref()
          + " where " + selection);
      ReferenceProfile profile = ReferenceProfile.load(warehouse, model.ref().runId(), model.ref().toString());
      FeatureSet set = new FeatureSets(spark, warehouse).load(d, model.ref().featureSetVersion());
      List<String> names = new ArrayList<>(profile.features().keySet());
      PipelineModel rul = ModelArtifacts.load(spark, tracking, config, d, model.ref().name(), model.ref().version(),
          model.ref().runId(), Task.RUL);
      Dataset<Row> scored = rul.transform(window(warehouse, o, set, d))
          .withColumn(ReferenceProfile.PREDICTED_RUL, col(ModelOutputs.PREDICTION))
          .select(columns(names, set.spec().timed())).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        long rows = scored.count();
        if (rows < thresholds.minRows()) {
          throw PdmErrors.usage("report drift of " + model.ref() + " over " + selection, "the window has " + rows
              + " rows of gold.features, fewer than pdm.drift.min-rows (" + thresholds.minRows() + ")",
              "widen --where or --last-cycles, or run pdm features first");
        }
        Histograms.Bands bands = profile.bands();
        // One pass over the window for every feature and the prediction.
        List<String> counted = new ArrayList<>(names);
        counted.add(ReferenceProfile.PREDICTED_RUL);
        double[][] edges = counted.stream().map(n -> entry(profile, n).edges()).toArray(double[][]::new);
        long[][][] counts = Histograms.count(scored, counted, edges, bands);
        List<Drift.Comparison> features = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
          features.add(Drift.compare(entry(profile, names.get(i)), counts[i], thresholds));
        }
        Drift.Comparison prediction = Drift.compare(profile.prediction(), counts[names.size()], thresholds);
        Drift.Performance perf = performance(scored, model.validationRmse());
        Drift.Decision decision = Drift.decide(features, prediction, perf, thresholds);
        Timestamp now = new Timestamp(System.currentTimeMillis());
        String id = "drift-" + d + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .format(now.toInstant().atOffset(ZoneOffset.UTC));
        DriftReport report = new DriftReport(id, now, model.ref().name(), model.ref().version(), model.ref().runId(),
            d, set.version(), selection, bands, features, prediction, perf, decision, thresholds,
            set.spec().timed() ? "hours of age" : "cycles");
        long version = write(warehouse, report, o);
        return new Result(report, version);
      } finally {
        scored.unpersist();
      }
    }
  }

  private static ReferenceProfile.Entry entry(ReferenceProfile profile, String name) {
    return name.equals(ReferenceProfile.PREDICTED_RUL) ? profile.prediction() : profile.features().get(name);
  }

  /** The model named by --model, or the only pdm RUL model with a champion. */
  static Model resolve(Tracking tracking, PdmConfig config, String spec) {
    String name;
    Tracking.ModelVersion version;
    if (spec == null) {
      String pattern = config.require(PdmConfigKeys.MODEL_NAME_PREFIX) + "-%-" + Task.RUL.id();
      List<String> withChampion = new ArrayList<>();
      for (Tracking.RegisteredModel m : tracking.searchRegisteredModels(pattern)) {
        if (m.aliases().containsKey(Registry.CHAMPION)) {
          withChampion.add(m.name());
        }
      }
      if (withChampion.size() != 1) {
        throw PdmErrors.usage("choose the model to report drift of", withChampion.isEmpty()
                ? "no registered model named " + pattern + " at " + tracking.uri() + " has a champion"
                : "several have a champion: " + String.join(", ", withChampion),
            withChampion.isEmpty() ? "train one first (pdm train --dataset <ID>)"
                : "pass --model <name>@champion, e.g. --model " + withChampion.get(0) + "@champion");
      }
      name = withChampion.get(0);
      spec = name + "@" + Registry.CHAMPION;
    }
    int at = spec.indexOf('@');
    int slash = spec.indexOf('/');
    name = at > 0 ? spec.substring(0, at) : slash > 0 ? spec.substring(0, slash) : spec;
    String what = spec.contains("@") || spec.contains("/") ? spec : spec + "@" + Registry.CHAMPION;
    version = (slash > 0 ? tracking.modelVersion(name, spec.substring(slash + 1))
        : tracking.versionByAlias(name, at > 0 ? spec.substring(at + 1) : Registry.CHAMPION))
        .orElseThrow(() -> PdmErrors.usage("report drift of " + what, "the registry at " + tracking.uri()
            + " has no such model version", "check the name and alias or version (pdm train registers them)"));
    Map<String, String> tags = version.tags();
    if (!Task.RUL.id().equals(tags.get(Registry.TAG_TASK)) || tags.get(Registry.TAG_FEATURE_SET) == null) {
      throw PdmErrors.usage("report drift of " + what, "it is not a pdm RUL model (tag " + Registry.TAG_TASK
          + " is " + tags.get(Registry.TAG_TASK) + ")", "pass a pdm RUL model, e.g. --model "
          + config.require(PdmConfigKeys.MODEL_NAME_PREFIX) + "-FD001-rul@champion");
    }
    String rmse = tags.get(Registry.TAG_CV_PREFIX + "rmse_all_rows");
    return new Model(new ChampionModels.ModelRef(name, version.version(), version.runId(), Integer.parseInt(tags.get(Registry.TAG_FEATURE_SET))),
        tags.get(Registry.TAG_DATASET), rmse == null ? Double.NaN : Double.parseDouble(rmse));
  }

  /** The selected rows (each asset's latest N cycles with --last-cycles), as the model sees them. */
  static Dataset<Row> window(Warehouse warehouse, Options o, FeatureSet set, String d) {
    Dataset<Row> gold = warehouse.read(Tables.GOLD_FEATURES, "pdm features");
    Dataset<Row> selected = ScoreBatchJob.select(gold, o.where() == null ? "dataset = '" + d + "'" : o.where(), d);
    if (o.assetsFrom() != null) {
      selected = selected.join(LandedAssets.fromFiles(warehouse, o.assetsFrom()), new String[] {"dataset", "asset_id"});
    }
    // assets reported failed since (pdm feedback) have a realised RUL: performance drift judges it
    selected = FailureLabels.apply(selected, AssetEvents.failures(warehouse, d), set);
    if (o.lastCycles() != null) {
      selected = selected.withColumn("_pdm_n", row_number().over(Window.partitionBy("dataset", "asset_id")
          .orderBy(desc("cycle")))).where(col("_pdm_n").leq(o.lastCycles())).drop("_pdm_n");
    }
    return ModelFeatures.of(warehouse, selected, set);
  }

  private static Column[] quoted(List<String> names) {
    return names.stream().map(n -> col("`" + n + "`")).toArray(Column[]::new);
  }

  private static Column[] columns(List<String> names, boolean byHours) {
    List<String> all = new ArrayList<>(List.of("dataset", "asset_id", "rul", ReferenceProfile.PREDICTED_RUL));
    all.addAll(names);
    List<Column> out = new ArrayList<>(List.of(quoted(all)));
    out.add(Histograms.bandAt(byHours).as(Histograms.BAND_AT));
    return out.toArray(Column[]::new);
  }

  /**
   * RMSE of the model on rows whose RUL is known (assets that ran to failure, or were reported failed
   * in gold.asset_events), or null if none.
   */
  private static Drift.Performance performance(Dataset<Row> scored, double validationRmse) {
    Row r = scored.where(col("rul").isNotNull())
        .agg(countDistinct("dataset", "asset_id"), count(lit(1)),
            sqrt(avg(pow(col(ReferenceProfile.PREDICTED_RUL).minus(col("rul")), 2))))
        .head();
    return r.getLong(0) == 0 ? null : new Drift.Performance(r.getLong(0), r.getLong(1), r.getDouble(2),
        validationRmse);
  }

  private static long write(Warehouse warehouse, DriftReport report, Options o) {
    SparkSession spark = warehouse.spark();
    // the files first: the summary row names the page (the dashboard links it), so it exists once the row does
    if (o.out() != null) {
      ModelArtifacts.write(spark, o.out(), report.toJson(false).getBytes(StandardCharsets.UTF_8));
    }
    String html = null;
    if (o.html() != null) {
      ModelArtifacts.write(spark, o.html(), DriftHtml.render(report).getBytes(StandardCharsets.UTF_8));
      html = qualified(spark, o.html());
    }
    warehouse.ensure(Tables.OPS_DRIFT_REPORTS, Tables.OPS_DRIFT_REPORTS.schema());
    spark.createDataFrame(report.rows(html), Tables.OPS_DRIFT_REPORTS.schema()).coalesce(1)
        .write().format("delta").mode("append").save(warehouse.path(Tables.OPS_DRIFT_REPORTS));
    return warehouse.version(Tables.OPS_DRIFT_REPORTS);
  }

  /** The path as its file system names it (scheme and, for a local one, absolute): what a reader elsewhere opens. */
  private static String qualified(SparkSession spark, String path) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (java.io.IOException e) {
      throw PdmErrors.failure("record where the HTML report is", e.getMessage(), "check --html " + path, e);
    }
  }
}
