package dev.pdm.mlflow;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pdm.common.PdmErrors;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A calibrated interval around each predicted RUL (90% by default): split conformal prediction
 * on the chosen RUL model's unit-grouped out-of-fold residuals, Mondrian by predicted-RUL band.
 * The out-of-fold predictions are cut into bands at their quantiles, and each band keeps the
 * {@code (1 - level) / 2} and {@code (1 + level) / 2} quantiles of {@code truth - prediction} over
 * its rows. A prediction's interval is its band's, shifted by the prediction and floored at 0:
 * narrow near failure, where the models have dense data and small errors, wide far from it.
 *
 * <p>Out-of-fold: every residual comes from a model that never saw that row's engine, so the
 * quantiles measure the error on unseen engines. Each band holds thousands of rows (C-MAPSS: 20k
 * to 61k training rows over 5 bands), where conformal prediction's finite-sample correction
 * ({@code (n + 1) / n}) is below 0.1% and is left out. The truth is the training label, capped as
 * it is ({@code pdm.label.rul-cap}).
 *
 * <p>Stored as {@link #FILE} in the RUL model's directory, so it travels with the model's
 * artifacts to MLflow and to every scorer that loads the model.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * RulIntervals i = RulIntervals.fit(oof, "label", "oof", 0.9, 5);
 * ModelArtifacts.write(spark, modelDir + "/" + RulIntervals.FILE, i.toJson().getBytes(UTF_8));
 * double[] lowerUpper = i.around(42.0);
 * rows.withColumn("rul_lower", i.lower(col("predicted_rul"))).withColumn("rul_upper", i.upper(col("predicted_rul")));
 * </pre>
 */
public record RulIntervals(double level, List<Band> bands) implements java.io.Serializable {

  /** The file name in a RUL model directory. */
  public static final String FILE = "rul_intervals.json";

  /** Predictions below {@code below} (null: the last band, no bound) and their residual quantiles. */
  public record Band(Double below, double lower, double upper, long rows) implements java.io.Serializable {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MIN_ROWS_PER_BAND = 200;

  public RulIntervals {
    if (!(level > 0 && level < 1)) {
      throw PdmErrors.badValue("RUL interval level", Double.toString(level), "a coverage between 0 and 1, such as 0.9");
    }
    if (bands == null || bands.isEmpty() || bands.get(bands.size() - 1).below() != null) {
      throw PdmErrors.badValue("RUL interval bands", String.valueOf(bands), "bands whose last one has no bound");
    }
    bands = List.copyOf(bands);
  }

  /**
   * Intervals of {@code level} coverage from out-of-fold rows ({@code label}: the truth,
   * {@code prediction}: the out-of-fold prediction) in up to {@code bandCount} bands, fewer when
   * the rows are too few for that many bands of at least 200 rows.
   */
  public static RulIntervals fit(Dataset<Row> oof, String label, String prediction, double level, int bandCount) {
    if (bandCount < 1) {
      throw PdmErrors.badConfigValue("pdm.training.rul-interval.bands", Integer.toString(bandCount), "1 or more");
    }
    Dataset<Row> rows = oof.select(col(label).cast("double").as("t"), col(prediction).cast("double").as("p"))
        .where(col("t").isNotNull().and(col("p").isNotNull()));
    long n = rows.count();
    if (n == 0) {
      throw PdmErrors.failure("calibrate RUL intervals", "there are no out-of-fold predictions",
          "train on labelled rows");
    }
    int k = (int) Math.max(1, Math.min(bandCount, n / MIN_ROWS_PER_BAND));
    double[] probs = new double[k - 1];
    for (int i = 1; i < k; i++) {
      probs[i - 1] = (double) i / k;
    }
    List<Double> edges = new ArrayList<>();
    for (double e : k > 1 ? rows.stat().approxQuantile("p", probs, 1e-4) : new double[0]) {
      if (edges.isEmpty() || e > edges.get(edges.size() - 1)) {
        edges.add(e);
      }
    }
    Column band = lit(edges.size());
    for (int i = edges.size() - 1; i >= 0; i--) {
      band = when(col("p").lt(edges.get(i)), lit(i)).otherwise(band);
    }
    double lo = (1 - level) / 2;
    double hi = (1 + level) / 2;
    // one row per band reaches the driver
    List<Row> q = rows.withColumn("band", band)
        .groupBy("band")
        .agg(org.apache.spark.sql.functions.expr("percentile_approx(t - p, array(" + lo + ", " + hi + "), 10000)")
            .as("q"), org.apache.spark.sql.functions.count(lit(1)).as("n"))
        .orderBy("band")
        .collectAsList();
    List<Band> out = new ArrayList<>();
    for (Row r : q) {
      int b = r.getInt(0);
      List<Double> qs = r.getList(1);
      out.add(new Band(b < edges.size() ? edges.get(b) : null, qs.get(0), qs.get(1), r.getLong(2)));
    }
    return new RulIntervals(level, out);
  }

  private Band bandOf(double predicted) {
    for (Band b : bands) {
      if (b.below() == null || predicted < b.below()) {
        return b;
      }
    }
    throw new IllegalStateException("the last band has no bound");
  }

  /** {@code [lower, upper]} around a predicted RUL. */
  public double[] around(double predicted) {
    Band b = bandOf(predicted);
    return new double[] {Math.max(0, predicted + b.lower()), Math.max(0, predicted + b.upper())};
  }

  /** The lower bound of a column of predicted RUL. */
  public Column lower(Column predicted) {
    return greatest(lit(0.0), predicted.plus(offset(predicted, true)));
  }

  /** The upper bound of a column of predicted RUL. */
  public Column upper(Column predicted) {
    return greatest(lit(0.0), predicted.plus(offset(predicted, false)));
  }

  private Column offset(Column predicted, boolean lower) {
    Band last = bands.get(bands.size() - 1);
    Column c = lit(lower ? last.lower() : last.upper());
    for (int i = bands.size() - 2; i >= 0; i--) {
      Band b = bands.get(i);
      c = when(predicted.lt(b.below()), lit(lower ? b.lower() : b.upper())).otherwise(c);
    }
    return c;
  }

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@link #toJson}'s text; {@code source} names where it came from in an error. */
  public static RulIntervals fromJson(String json, String source) {
    try {
      return JSON.readValue(json, RulIntervals.class);
    } catch (JsonProcessingException | RuntimeException e) {
      throw PdmErrors.failure("read the RUL intervals of " + source, e.getMessage(),
          "train the model again to write " + FILE);
    }
  }
}
