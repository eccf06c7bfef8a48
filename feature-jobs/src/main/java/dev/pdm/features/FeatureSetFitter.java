package dev.pdm.features;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.variance;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.profile.DatasetProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits a {@link FeatureSet} on a dataset's training rows: operating regimes (MLlib KMeans on the
 * settings, scaled by their ranges in the profile), sensors that carry no information (near-constant
 * within every regime), and per-regime mean and standard deviation of every kept sensor. Only small
 * aggregates (one row per regime) reach the driver.
 */
public final class FeatureSetFitter {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureSetFitter.class);

  /** Regimes and per-regime statistics are fitted on at most about this many training rows. */
  private static final long FIT_SAMPLE_ROWS = 1_000_000;

  /** KMeans sees at most about this many rows; regimes are a handful of tight clusters. */
  private static final long REGIME_SAMPLE_ROWS = 50_000;

  private static final long SEED = 20261122L;

  private FeatureSetFitter() {}

  /**
   * @param train silver rows of run-to-failure assets of {@code dataset}, with a cycle
   */
  public static FeatureSet fit(Dataset<Row> train, String dataset, DatasetProfile profile, FeatureConfig cfg,
      long silverVersion) {
    List<String> settings = profile.settings().stream().map(DatasetProfile.Column::name).toList();
    double[] scale = profile.settings().stream().mapToDouble(c -> c.max() - c.min()).toArray();
    // One pass: rows, and the spread and centre of the settings as if there were one regime.
    List<Column> aggs = new ArrayList<>();
    for (int i = 0; i < settings.size(); i++) {
      aggs.add(variance(col("_x" + i)));
      aggs.add(avg(col("_x" + i)));
    }
    Row summary = train.select(scaledSettings(settings, scale)).agg(count(lit(1)), aggs.toArray(Column[]::new)).head();
    long rows = summary.getLong(0);
    LOG.info("Fitting the feature set of {} on {} training rows", dataset, rows);
    if (rows == 0) {
      throw PdmErrors.failure("fit the feature set of " + dataset, "silver.telemetry has no train rows of " + dataset,
          "land a run-to-failure split first: pdm ingest-files --dataset " + dataset + " --split train --input ...");
    }
    double totalVariance = 0;
    double[] overall = new double[settings.size()];
    for (int i = 0; i < settings.size(); i++) {
      totalVariance += summary.isNullAt(1 + 2 * i) ? 0 : summary.getDouble(1 + 2 * i);
      overall[i] = summary.isNullAt(2 + 2 * i) ? 0 : round(summary.getDouble(2 + 2 * i) * scale[i]);
    }
    // Regimes and statistics come from at most FIT_SAMPLE_ROWS training rows (all of them for the
    // C-MAPSS sets), read once and kept.
    List<Column> needed = new ArrayList<>();
    settings.forEach(c -> needed.add(col(c)));
    cfg.sensors().forEach(c -> needed.add(col(c)));
    Dataset<Row> fitRows = (rows > FIT_SAMPLE_ROWS ? train.sample(false, (double) FIT_SAMPLE_ROWS / rows, SEED) : train)
        .select(needed.toArray(Column[]::new))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return fit(fitRows, rows, dataset, settings, scale, overall, totalVariance, cfg, silverVersion);
    } finally {
      fitRows.unpersist();
    }
  }

  private static FeatureSet fit(Dataset<Row> train, long rows, String dataset, List<String> settings, double[] scale,
      double[] overall, double totalVariance, FeatureConfig cfg, long silverVersion) {
    double[][] centres = cfg.regimes() == 1 || (cfg.regimes() == 0 && Math.sqrt(totalVariance) <= cfg.regimeTolerance())
        ? new double[][] {overall}
        : kmeans(train.select(scaledSettings(settings, scale)), rows, dataset, scale, cfg);
    int k = centres.length;
    boolean normalise = cfg.normalise() == FeatureConfig.Normalise.ALWAYS
        || (cfg.normalise() == FeatureConfig.Normalise.AUTO && k > 1);

    // Regimes are assigned by the feature set's own rule, the one the feature rows use.
    UserDefinedFunction regimeOf = udf((UDF1<Row, Integer>) r -> {
      double[] v = new double[r.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
      }
      return FeatureSet.nearestRegime(centres, scale, v);
    }, DataTypes.IntegerType);
    List<Column> sensorAggs = new ArrayList<>();
    for (String s : cfg.sensors()) {
      sensorAggs.add(avg(col(s)).as(s + "__mean"));
      sensorAggs.add(stddev_pop(col(s)).as(s + "__std"));
    }
    List<Row> stats = train
        .withColumn("_regime", regimeOf.apply(struct(settings.stream().map(c -> col(c).cast("double")).toArray(Column[]::new))))
        .groupBy("_regime")
        .agg(count(lit(1)).as("_rows"), sensorAggs.toArray(Column[]::new))
        .collectAsList();
    double[][] mean = new double[k][cfg.sensors().size()];
    double[][] std = new double[k][cfg.sensors().size()];
    boolean[] seen = new boolean[k];
    for (Row r : stats) {
      int regime = r.getInt(0);
      seen[regime] = true;
      for (int s = 0; s < cfg.sensors().size(); s++) {
        mean[regime][s] = r.isNullAt(2 + 2 * s) ? Double.NaN : r.getDouble(2 + 2 * s);
        std[regime][s] = r.isNullAt(3 + 2 * s) ? Double.NaN : r.getDouble(3 + 2 * s);
      }
    }
    List<String> kept = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (int s = 0; s < cfg.sensors().size(); s++) {
      boolean informative = false;
      for (int r = 0; r < k; r++) {
        if (seen[r] && std[r][s] > cfg.constantTolerance() * Math.max(1, Math.abs(mean[r][s]))) {
          informative = true;
        }
      }
      (informative ? kept : dropped).add(cfg.sensors().get(s));
    }
    if (kept.isEmpty()) {
      throw PdmErrors.failure("fit the feature set of " + dataset, "every sensor is near-constant on its training data",
          "check the data, or lower pdm.features.constant-tolerance");
    }
    double[][] keptMean = new double[k][kept.size()];
    double[][] keptStd = new double[k][kept.size()];
    for (int j = 0; j < kept.size(); j++) {
      int s = cfg.sensors().indexOf(kept.get(j));
      for (int r = 0; r < k; r++) {
        double sd = std[r][s];
        keptMean[r][j] = normalise ? round(mean[r][s]) : 0;
        // A regime without training rows, or a sensor constant in one regime: centre only.
        keptStd[r][j] = !normalise ? 1 : (seen[r] && sd > 0 ? round(sd) : 1);
      }
    }
    LOG.info("Feature set of {}: {} regimes, {} sensors kept, dropped {} (near-constant on the training rows)",
        dataset, k, kept.size(), dropped);
    return assemble(dataset, cfg, kept, dropped, settings, scale, centres, normalise, keptMean, keptStd, rows,
        silverVersion);
  }

  private static FeatureSet assemble(String dataset, FeatureConfig cfg, List<String> sensors, List<String> dropped,
      List<String> settings, double[] scale, double[][] centres, boolean normalise, double[][] mean,
      double[][] std, long rows, long silverVersion) {
    FeatureSpec spec = cfg.spec(sensors, centres.length);
    return new FeatureSet(dataset, 0, spec, dropped, settings, scale, centres, normalise, mean, std, cfg.rulCap(),
        cfg.horizon(), cfg.asMap(), rows, silverVersion);
  }

  /**
   * Regime centres in setting units, sorted so that regime ids are stable across fits: the fewest
   * KMeans clusters whose RMS distance (in units of the settings' ranges) is within tolerance, or
   * the configured number. KMeans sees a sample: regimes are a handful of tight clusters.
   */
  private static double[][] kmeans(Dataset<Row> scaled, long rows, String dataset, double[] scale,
      FeatureConfig cfg) {
    Dataset<Row> points = scaled.na().drop();
    long sampled = Math.min(rows, FIT_SAMPLE_ROWS);
    if (sampled > REGIME_SAMPLE_ROWS) {
      points = points.sample(false, (double) REGIME_SAMPLE_ROWS / sampled, SEED);
    }
    Dataset<Row> vectors = new VectorAssembler()
        .setInputCols(points.columns()).setOutputCol("features").transform(points).select("features").cache();
    try {
      long n = vectors.count();
      if (n == 0) {
        throw PdmErrors.failure("detect operating regimes of " + dataset, "no training row has all settings",
            "set pdm.features.regimes=1");
      }
      int from = cfg.regimes() == 0 ? 2 : cfg.regimes();
      int to = cfg.regimes() == 0 ? cfg.maxRegimes() : cfg.regimes();
      double rms = Double.NaN;
      for (int k = from; k <= to; k++) {
        KMeansModel model = new KMeans().setK(k).setSeed(SEED).setMaxIter(50).fit(vectors);
        rms = Math.sqrt(model.summary().trainingCost() / n);
        LOG.info("Regimes of {}: k={} gives RMS {} (tolerance {})", dataset, k, rms, cfg.regimeTolerance());
        if (cfg.regimes() != 0 || rms <= cfg.regimeTolerance()) {
          return centres(model, scale);
        }
      }
      throw PdmErrors.failure("detect operating regimes of " + dataset,
          "the settings do not form " + cfg.maxRegimes() + " or fewer tight clusters (RMS " + rms + " at k="
              + cfg.maxRegimes() + ")",
          "set pdm.features.regimes to a number, or raise pdm.features.regime-tolerance or pdm.features.max-regimes");
    } finally {
      vectors.unpersist();
    }
  }

  private static double[][] centres(KMeansModel model, double[] scale) {
    List<double[]> out = new ArrayList<>();
    for (Vector v : model.clusterCenters()) {
      double[] c = v.toArray();
      for (int i = 0; i < c.length; i++) {
        c[i] = round(c[i] * scale[i]);
      }
      out.add(c);
    }
    out.sort(Comparator.comparing((double[] c) -> c, Arrays::compare));
    return out.toArray(double[][]::new);
  }

  /** The settings divided by their ranges, as {@code _x0, _x1, ...}: the space regimes are found in. */
  private static Column[] scaledSettings(List<String> settings, double[] scale) {
    Column[] out = new Column[settings.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = col(settings.get(i)).cast("double").divide(scale[i]).as("_x" + i);
    }
    return out;
  }

  /** Ten significant digits: fits of the same data agree whatever the summation order. */
  static double round(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(10)).doubleValue();
  }
}
