package dev.pdm.scoring;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.when;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.features.FeatureSet;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anomaly rules beside the models, for readings no model has seen: pure transforms over
 * gold.features rows.
 *
 * <ul>
 *   <li>{@code REGIME_Z}: a sensor's value is at least {@code pdm.scoring.anomaly.z} standard
 *       deviations from the training mean of its operating regime (the baseline of
 *       {@link #fit}).</li>
 *   <li>{@code ASSET_DRIFT}: the sensor's smoothed value ({@code <s>_baseline_dist}, the EWM less the
 *       asset's own first cycles) is as many standard deviations away.</li>
 *   <li>Persistence: a cycle is reported only when it ends a run of at least
 *       {@code pdm.scoring.anomaly.persistence} consecutive anomalous cycles of its asset, so one
 *       noisy reading raises nothing; the stream carries the run across micro-batches in
 *       ops.asset_risk.anomaly_streak.</li>
 * </ul>
 *
 * The profile's hard limits are the first rule: a reading outside them never reaches silver (it
 * is quarantined as OUT_OF_RANGE at landing).
 */
public final class Anomalies {

  /** Severity of a reported anomaly. */
  public enum Severity { NONE, WARNING, CRITICAL }

  /** The rules' settings. */
  public record Rules(double z, double criticalZ, int persistence) implements Serializable {
    public Rules {
      if (!(z > 0) || !(criticalZ >= z) || persistence < 1) {
        throw PdmErrors.config("use the anomaly rules", "z " + z + ", critical-z " + criticalZ + ", persistence "
                + persistence + " are not valid",
            "set pdm.scoring.anomaly.z > 0, pdm.scoring.anomaly.critical-z >= it, pdm.scoring.anomaly.persistence >= 1");
      }
    }

    public static Rules from(PdmConfig config) {
      return new Rules(config.getDouble(PdmConfigKeys.ANOMALY_Z), config.getDouble(PdmConfigKeys.ANOMALY_CRITICAL_Z),
          config.getInt(PdmConfigKeys.ANOMALY_PERSISTENCE));
    }
  }

  /**
   * Training statistics of each sensor's value feature per regime; NaN where a regime had no
   * training rows, or a sensor no spread in it (no z-score there).
   */
  public record Baseline(List<String> sensors, double[][] mean, double[][] std) implements Serializable {
    @Override
    public String toString() {
      return "Baseline" + sensors + " over " + mean.length + " regimes, means " + Arrays.deepToString(mean);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Anomalies.class);

  private Anomalies() {}

  /**
   * The baseline of a feature set from its training rows in gold.features; with none (the
   * features were never computed for the train split) the z-score rules are off, with a warning.
   */
  public static Baseline fit(Warehouse warehouse, FeatureSet set) {
    Dataset<Row> train = warehouse.read(Tables.GOLD_FEATURES, "pdm features --dataset " + set.dataset())
        .where(col("dataset").equalTo(set.dataset()).and(col("split").equalTo("train"))
            .and(col("feature_set_version").equalTo(set.version())));
    Baseline b = fit(train, set.spec().sensors(), set.regimes());
    if (Arrays.stream(b.std()).flatMapToDouble(Arrays::stream).allMatch(Double::isNaN)) {
      LOG.warn("gold.features holds no training rows of {} feature set v{}: the z-score anomaly rules are off"
          + " (run pdm features --dataset {})", set.dataset(), set.version(), set.dataset());
    }
    return b;
  }

  /**
   * The baseline of a feature set from its training rows: one aggregation, {@code regimes} rows.
   *
   * @param train gold.features rows with split train of the feature set version the models read
   */
  public static Baseline fit(Dataset<Row> train, List<String> sensors, int regimes) {
    List<Column> aggs = new ArrayList<>();
    for (String s : sensors) {
      aggs.add(avg(col(s)).as("m_" + s));
      aggs.add(stddev_pop(col(s)).as("s_" + s));
    }
    double[][] mean = new double[regimes][sensors.size()];
    double[][] std = new double[regimes][sensors.size()];
    for (double[] r : mean) {
      Arrays.fill(r, Double.NaN);
    }
    for (double[] r : std) {
      Arrays.fill(r, Double.NaN);
    }
    List<Row> rows = train.groupBy("regime").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new))
        .collectAsList();
    for (Row row : rows) {
      int r = row.getInt(0);
      if (r < 0 || r >= regimes) {
        continue;
      }
      for (int i = 0; i < sensors.size(); i++) {
        Object m = row.get(1 + 2 * i);
        Object sd = row.get(2 + 2 * i);
        if (m != null && sd != null && (Double) sd > 1e-12) {
          mean[r][i] = (Double) m;
          std[r][i] = (Double) sd;
        }
      }
    }
    return new Baseline(List.copyOf(sensors), mean, std);
  }

  /** The columns {@link #flag} reads: the row key, the regime and each sensor's value and baseline distance. */
  public static List<String> inputs(Baseline b) {
    List<String> out = new ArrayList<>(List.of("dataset", "asset_id", "cycle", "regime"));
    for (String s : b.sensors()) {
      out.add(s);
      out.add(s + "_baseline_dist");
    }
    return out;
  }

  /**
   * Adds {@code anomaly_severity}, {@code anomaly_reasons} and {@code anomaly_streak} (consecutive
   * anomalous cycles up to the row) to feature rows.
   *
   * @param prior per asset of a stream: {@code asset_id}, {@code cycle} and {@code anomaly_streak}
   *     of the last cycle scored before (ops.asset_risk); null when the rows hold whole histories
   */
  public static Dataset<Row> flag(Dataset<Row> features, Baseline b, Rules rules, Dataset<Row> prior) {
    List<Column> reasons = new ArrayList<>();
    List<Column> scores = new ArrayList<>();
    for (int i = 0; i < b.sensors().size(); i++) {
      String s = b.sensors().get(i);
      Column mean = perRegime(b.mean(), i);
      Column std = perRegime(b.std(), i);
      Column z = col("`" + s + "`").minus(mean).divide(std);
      Column drift = col("`" + s + "_baseline_dist`").divide(std);
      reasons.add(reason("REGIME_Z " + s, z, rules.z()));
      reasons.add(reason("ASSET_DRIFT " + s, drift, rules.z()));
      scores.add(abs(z));
      scores.add(abs(drift));
    }
    Column raw = reasons.isEmpty() ? array().cast("array<string>") : array_compact(array(reasons.toArray(Column[]::new)));
    // two scores per sensor, so greatest has the two arguments it needs
    Column maxZ = scores.isEmpty() ? lit(0.0) : coalesce(greatest(scores.toArray(Column[]::new)), lit(0.0));
    // One window spec, so the rows are shuffled and sorted once: a cycle's run of anomalous cycles is
    // its position less that of the last normal cycle up to it (null: none yet in these rows).
    WindowSpec upToCycle = Window.partitionBy("dataset", "asset_id").orderBy("cycle")
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Column anomalous = size(col("_pdm_raw")).gt(0);
    Dataset<Row> out = features
        .withColumn("_pdm_raw", raw)
        .withColumn("_pdm_maxz", maxZ)
        .withColumn("_pdm_pos", row_number().over(Window.partitionBy("dataset", "asset_id").orderBy("cycle")))
        .withColumn("_pdm_normal", max(when(not(anomalous), col("_pdm_pos"))).over(upToCycle))
        .withColumn("_pdm_run", col("_pdm_pos").minus(coalesce(col("_pdm_normal"), lit(0))));
    Column carried = lit(0);
    if (prior != null) {
      out = out.withColumn("_pdm_first", min("cycle").over(Window.partitionBy("dataset", "asset_id")))
          .join(prior.select(col("asset_id"), col("cycle").as("_pdm_prior_cycle"),
              col("anomaly_streak").as("_pdm_prior")), new String[] {"asset_id"}, "left");
      // A replayed batch (the state is already past it) was written the first time: carry nothing.
      carried = when(col("_pdm_prior_cycle").lt(col("_pdm_first")), coalesce(col("_pdm_prior"), lit(0)))
          .otherwise(lit(0));
    }
    Column streak = when(col("_pdm_normal").isNull(), col("_pdm_run").plus(carried)).otherwise(col("_pdm_run"));
    Column reported = col("anomaly_streak").geq(rules.persistence());
    out = out.withColumn("anomaly_streak", streak.cast("int"))
        .withColumn("anomaly_severity", when(reported.and(col("_pdm_maxz").geq(rules.criticalZ())),
                lit(Severity.CRITICAL.name()))
            .when(reported, lit(Severity.WARNING.name()))
            .otherwise(lit(Severity.NONE.name())))
        .withColumn("anomaly_reasons", when(reported, col("_pdm_raw")).otherwise(array().cast("array<string>")));
    List<String> temp = new ArrayList<>(List.of("_pdm_raw", "_pdm_maxz", "_pdm_pos", "_pdm_normal", "_pdm_run"));
    if (prior != null) {
      temp.addAll(List.of("_pdm_first", "_pdm_prior_cycle", "_pdm_prior"));
    }
    return out.drop(temp.toArray(String[]::new));
  }

  private static Column reason(String label, Column z, double threshold) {
    return when(abs(z).geq(threshold), concat(lit(label + " z="), format_number(z, 1)));
  }

  /** A per-regime constant as a column over {@code regime}; null where the value is NaN. */
  private static Column perRegime(double[][] values, int sensor) {
    Column out = lit(null).cast("double");
    for (int r = 0; r < values.length; r++) {
      if (!Double.isNaN(values[r][sensor])) {
        out = when(col("regime").equalTo(r), lit(values[r][sensor])).otherwise(out);
      }
    }
    return out;
  }
}
