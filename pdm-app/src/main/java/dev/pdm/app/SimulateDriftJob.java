package dev.pdm.app;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.trim;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.drift.DriftReport;
import dev.pdm.drift.DriftReportJob;
import dev.pdm.features.FeatureSet;
import dev.pdm.features.FeatureSets;
import dev.pdm.features.FeaturesJob;
import dev.pdm.ingest.IngestFilesJob;
import dev.pdm.ingest.LandedAssets;
import dev.pdm.ingest.Split;
import dev.pdm.ingest.TelemetryParser;
import dev.pdm.ingest.sim.SimulateJob;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.ModelArtifacts;
import dev.pdm.mlflow.ModelOutputs;
import dev.pdm.mlflow.Registry;
import dev.pdm.mlflow.Task;
import dev.pdm.mlflow.Tracking;
import dev.pdm.scoring.ScoreBatchJob;
import dev.pdm.training.Metrics;
import dev.pdm.training.TrainJob;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarter scenario: a fleet whose operation changes every quarter. T0 = FD001, T1 = FD002 (six
 * regimes), T2 = FD003 (a second fault mode), T3 = FD004 (both); without C-MAPSS the simulator's
 * regimes and fault modes stand in. A few engines of the next quarter arrive near the end of each
 * quarter. Every quarter's engines land in one dataset ({@code --dataset}, unit numbers offset by
 * 1000 per source so asset ids stay unique); one engine in five is held out in
 * {@code <dataset>_HOLDOUT} and never trained on.
 *
 * <p>T0 trains the first champion. Each quarter then: land the delivery, compute features, score
 * it with the champion (score-batch), report drift on the quarter's held-out engines (unseen data,
 * whose RUL is known: they ran to failure), and, when the report says retrain (and not
 * {@code --no-retrain}), refit the feature set and train; the promotion gate decides whether the
 * champion moves. RMSE before and after is the champion's on the quarter's held-out engines over
 * all their cycles (truth capped like the labels).
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.app.SimulateDriftJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm-scenario [--input s3a://bucket/cmapss] [--dataset QTR] [--no-retrain]
 * </pre>
 */
public final class SimulateDriftJob {

  private static final Logger LOG = LoggerFactory.getLogger(SimulateDriftJob.class);

  /** Engines of the next quarter mixed into each quarter. */
  static final int MIXED_UNITS = 5;

  /** One engine in this many is held out. */
  static final int HOLDOUT_EVERY = 5;

  /** Simulator stand-ins for FD001-FD004: regimes and fault modes. */
  private static final int[][] SIMULATED = {{1, 1}, {6, 1}, {1, 2}, {6, 2}};

  /** Validated options. */
  public record Options(PdmConfig config, String input, String dataset, boolean noRetrain, int simulatedUnits) {
    public Options {
      dev.pdm.common.Names.requireDataset(dataset);
      if (simulatedUnits < 2 * MIXED_UNITS) {
        throw PdmErrors.badValue("--simulated-units", Integer.toString(simulatedUnits),
            "at least " + 2 * MIXED_UNITS);
      }
    }
  }

  /** One quarter's row of the table. */
  public record Quarter(String name, String source, long rows, double driftedShare, double predictionPsi,
      boolean retrainAdvised, boolean retrained, String championBefore, String championAfter, double rmseBefore,
      double rmseAfter) {}

  /** The table. */
  public record Result(String dataset, List<Quarter> quarters) implements JobResult {
    @Override
    public String summary() {
      StringBuilder s = new StringBuilder("simulate-drift: dataset " + dataset
          + "; RMSE on each quarter's held-out engines (all cycles), before and after retraining\n");
      s.append(String.format("  %-7s %-14s %7s %8s %8s %-8s %-9s %11s %11s", "quarter", "source", "rows",
          "drifted", "pred PSI", "retrain", "champion", "RMSE before", "RMSE after"));
      for (Quarter q : quarters) {
        s.append(String.format("%n  %-7s %-14s %7d %7.0f%% %8.3f %-8s %-9s %11.2f %11.2f", q.name(), q.source(),
            q.rows(), q.driftedShare() * 100, q.predictionPsi(), q.retrainAdvised() ? "yes" : "no",
            "v" + q.championBefore() + (q.championAfter().equals(q.championBefore()) ? "" : "->v"
                + q.championAfter()), q.rmseBefore(), q.rmseAfter()));
      }
      return s.toString();
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--input", metaVar = "DIR", usage = "C-MAPSS directory (train_FD001.txt ... train_FD004.txt);"
        + " default: the simulator")
    String input;

    @Option(name = "--dataset", metaVar = "ID", usage = "dataset the quarters land in (default QTR)")
    String dataset = "QTR";

    @Option(name = "--no-retrain", usage = "report drift each quarter, but never retrain")
    boolean noRetrain;

    @Option(name = "--simulated-units", metaVar = "N", usage = "engines per quarter from the simulator (default 60)")
    int simulatedUnits = 60;
  }

  private SimulateDriftJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("simulate-drift", args, new Cli(),
        (cli, config) -> new Options(config, cli.input, cli.dataset, cli.noRetrain, cli.simulatedUnits),
        SimulateDriftJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    PdmConfig config = o.config();
    String d = o.dataset();
    String holdout = d + "_HOLDOUT";
    Warehouse warehouse = Sessions.prepare(spark, config, "pdm-simulate-drift", "simulate-drift --dataset " + d);
    String work = warehouse.root() + "/_scenario/" + d + "-" + System.currentTimeMillis();
    List<Dataset<Row>> sources = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int q = 0; q < 4; q++) {
      sources.add(source(spark, o, q, work));
      names.add(o.input() == null ? "sim " + SIMULATED[q][0] + "r/" + SIMULATED[q][1] + "f" : "FD00" + (q + 1));
    }
    List<Quarter> table = new ArrayList<>();
    try (Tracking tracking = Tracking.connect(config)) {
      for (int q = 0; q < 4; q++) {
        String dir = work + "/T" + q;
        long rows = deliver(quarterLines(sources, q), dir);
        land(spark, config, d, dir + "/train");
        land(spark, config, holdout, dir + "/holdout");
        FeaturesJob.run(spark, new FeaturesJob.Options(config, d, false));
        // The report selects its window from gold.features, and recomputes it through the champion's set.
        FeaturesJob.run(spark, new FeaturesJob.Options(config, holdout, false));
        if (q == 0) {
          TrainJob.run(spark, new TrainJob.Options(config, d, null, null, false));
        }
        ChampionModels.ModelRef before = champion(tracking, config, d);
        ScoreBatchJob.run(spark, new ScoreBatchJob.Options(config, d, null, false));
        DriftReport report = DriftReportJob.run(spark, new DriftReportJob.Options(config,
            Registry.registeredName(config, d, Task.RUL) + "@champion", "dataset = '" + holdout + "'", null, dir + "/holdout", dir + "/drift.json", dir + "/drift.html")).report();
        double rmseBefore = rmse(spark, warehouse, tracking, config, d, before, dir + "/holdout", holdout);
        boolean retrain = q > 0 && report.decision().retrain() && !o.noRetrain();
        ChampionModels.ModelRef after = before;
        double rmseAfter = rmseBefore;
        if (retrain) {
          FeaturesJob.run(spark, new FeaturesJob.Options(config, d, true));
          TrainJob.run(spark, new TrainJob.Options(config, d, null, null, false));
          after = champion(tracking, config, d);
          rmseAfter = after.equals(before) ? rmseBefore
              : rmse(spark, warehouse, tracking, config, d, after, dir + "/holdout", holdout);
        }
        Quarter row = new Quarter("T" + q, names.get(q), rows, report.decision().driftedShare(),
            report.prediction().psi(), report.decision().retrain(), retrain, before.version(), after.version(),
            rmseBefore, rmseAfter);
        LOG.info("Quarter {}: {}", q, row);
        table.add(row);
      }
    }
    return new Result(d, table);
  }

  /** Lines {@code unit cycle readings...} of a quarter's source (C-MAPSS train file, or simulated). */
  private static Dataset<Row> source(SparkSession spark, Options o, int q, String work) {
    String file;
    if (o.input() != null) {
      file = o.input() + "/train_FD00" + (q + 1) + ".txt";
      try {
        Path p = new Path(file);
        if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
          throw PdmErrors.usage("run the quarter scenario from " + o.input(), file + " does not exist",
              "pass the C-MAPSS directory (with train_FD001.txt to train_FD004.txt), or omit --input");
        }
      } catch (java.io.IOException e) {
        throw PdmErrors.failure("read " + file, e.getMessage(), "check --input", e);
      }
    } else {
      String out = work + "/source-" + q;
      SimulateJob.run(spark, new SimulateJob.Options(o.config(), o.simulatedUnits(), 1, 100 + q, "SRC", Split.TRAIN,
          SIMULATED[q][0], SIMULATED[q][1], null, out, 0, SimulateJob.DEFAULT_START));
      file = out + "/train_SRC.txt";
    }
    Dataset<Row> tokens = spark.read().text(file).where(trim(col("value")).notEqual(""))
        .select(split(trim(col("value")), "\\s+").as("t"));
    return tokens.select(element_at(col("t"), 1).cast("int").as("unit"),
        concat_ws(" ", slice(col("t"), 2, 1000)).as("rest"))
        .withColumn("source", lit(q));
  }

  /**
   * Quarter q: its source's engines but the first few (they arrived in the previous quarter), and
   * the first few of the next source. Units become {@code (source + 1) * 1000 + unit}.
   */
  private static Dataset<Row> quarterLines(List<Dataset<Row>> sources, int q) {
    Dataset<Row> own = sources.get(q);
    if (q > 0) {
      own = own.where(col("unit").gt(MIXED_UNITS));
    }
    if (q < sources.size() - 1) {
      own = own.unionByName(sources.get(q + 1).where(col("unit").leq(MIXED_UNITS)));
    }
    return own.withColumn("unit", col("source").plus(1).multiply(1000).plus(col("unit")));
  }

  /** Writes the training and held-out engines as C-MAPSS text; returns the quarter's rows. */
  private static long deliver(Dataset<Row> lines, String dir) {
    Dataset<Row> text = lines.select(col("unit"), concat_ws(" ", col("unit").cast("string"), col("rest")).as("value"))
        .cache();
    try {
      text.where(col("unit").mod(HOLDOUT_EVERY).notEqual(0)).select("value").coalesce(1)
          .write().text(dir + "/train/train_Q.txt");
      text.where(col("unit").mod(HOLDOUT_EVERY).equalTo(0)).select("value").coalesce(1)
          .write().text(dir + "/holdout/train_Q.txt");
      return text.count();
    } finally {
      text.unpersist();
    }
  }

  private static void land(SparkSession spark, PdmConfig config, String dataset, String dir) {
    IngestFilesJob.run(spark, new IngestFilesJob.Options(config, dataset, Split.TRAIN, dir + "/train_Q.txt",
        TelemetryParser.Format.CMAPSS));
  }

  private static ChampionModels.ModelRef champion(Tracking tracking, PdmConfig config, String d) {
    return ChampionModels.resolve(tracking, config, d).rul();
  }

  /** RMSE over all cycles of the held-out engines landed from {@code dir}, through the model's features. */
  private static double rmse(SparkSession spark, Warehouse warehouse, Tracking tracking, PdmConfig config, String d,
      ChampionModels.ModelRef ref, String dir, String holdout) {
    FeatureSet set = new FeatureSets(spark, warehouse).load(d, ref.featureSetVersion());
    Dataset<Row> series = warehouse.read(Tables.SILVER_TELEMETRY, "pdm ingest-files")
        .where(col("dataset").equalTo(holdout).and(col("cycle").isNotNull()))
        .join(LandedAssets.fromFiles(warehouse, dir), new String[] {"dataset", "asset_id"});
    PipelineModel model = ModelArtifacts.load(spark, tracking, config, d, ref.name(), ref.version(), ref.runId(),
        Task.RUL);
    Dataset<Row> scored = model.transform(FeaturesJob.compute(series, set, System.currentTimeMillis()))
        .where(col("rul").isNotNull());
    return Metrics.rul(scored.withColumn("_truth", col("rul").cast("double")), "_truth", ModelOutputs.PREDICTION)
        .rmseAllRows();
  }
}
