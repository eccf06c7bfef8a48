package dev.pdm.training;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Model metrics, computed by Spark over prediction rows (nothing per row reaches the driver).
 *
 * <p>RUL: RMSE, MAE and the PHM08 score on the last cycle of each asset, RMSE over all rows, and
 * RMSE over the rows whose true RUL is below the largest one given (the cap of capped labels): the
 * degradation a truncated test series ends in, without the long capped early life.
 * The PHM08 score of one asset is e^(-d/13) - 1 when d &lt; 0 and e^(d/10) - 1 when d &ge; 0, with
 * d = predicted - true RUL (late predictions cost more than early ones); the score is their sum.
 */
public final class Metrics {

  private Metrics() {}

  /** PHM08 score of one prediction error d = predicted - true. */
  public static double phm08(double d) {
    return d < 0 ? Math.exp(-d / 13.0) - 1 : Math.exp(d / 10.0) - 1;
  }

  /** {@link #phm08(double)} as a column expression. */
  public static Column phm08(Column d) {
    return when(d.lt(0), exp(d.unary_$minus().divide(13.0)).minus(1)).otherwise(exp(d.divide(10.0)).minus(1));
  }

  /** RUL metrics. */
  public record Rul(long assets, double rmse, double mae, double phm08, long rows, double rmseAllRows,
      double rmseBelowCap) {
    public Map<String, Double> asMap() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("rmse", rmse);
      m.put("mae", mae);
      m.put("phm08", phm08);
      m.put("rmse_all_rows", rmseAllRows);
      m.put("rmse_below_cap", rmseBelowCap);
      return m;
    }
  }

  /**
   * RUL metrics of prediction rows with columns asset_id, cycle, {@code truth} and {@code predicted}.
   * "Last cycle" is the newest cycle of each asset among the rows given.
   */
  public static Rul rul(Dataset<Row> rows, String truth, String predicted) {
    Column err = col(predicted).minus(col(truth));
    Row all = rows.agg(count(lit(1)), sqrt(avg(pow(err, 2))), max(col(truth))).head();
    Row below = all.isNullAt(2) ? all
        : rows.where(col(truth).lt(((Number) all.get(2)).doubleValue())).agg(count(lit(1)), sqrt(avg(pow(err, 2)))).head();
    Dataset<Row> last = rows.groupBy("asset_id")
        .agg(max_by(struct(col(truth).as("t"), col(predicted).as("p")), col("cycle")).as("l"))
        .select(col("l.p").minus(col("l.t")).as("d"));
    Row l = last.agg(count(lit(1)), sqrt(avg(pow(col("d"), 2))), avg(abs(col("d"))), sum(phm08(col("d")))).head();
    return new Rul(l.getLong(0), nz(l, 1), nz(l, 2), nz(l, 3), all.getLong(0), nz(all, 1), nz(below, 1));
  }

  /** Classifier metrics at a decision threshold. */
  public record Classifier(double aucRoc, double aucPr, double threshold, double precision, double recall,
      double f1, double falseAlarmRate, long positives, long negatives) {
    public Map<String, Double> asMap() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("auc_roc", aucRoc);
      m.put("auc_pr", aucPr);
      m.put("threshold", threshold);
      m.put("precision", precision);
      m.put("recall", recall);
      m.put("f1", f1);
      m.put("false_alarm_rate", falseAlarmRate);
      return m;
    }
  }

  /**
   * Classifier metrics of rows with a 0/1 {@code label} and the positive-class probability {@code p1};
   * a row is flagged when p1 &gt; threshold (what Spark's thresholds (1 - t, t) predict).
   */
  public static Classifier classifier(Dataset<Row> rows, String label, String p1, double threshold) {
    Row c = rows.agg(
        count_if(col(label).equalTo(1).and(col(p1).gt(threshold))),
        count_if(col(label).equalTo(0).and(col(p1).gt(threshold))),
        count_if(col(label).equalTo(1)),
        count_if(col(label).equalTo(0))).head();
    long tp = c.getLong(0);
    long fp = c.getLong(1);
    long pos = c.getLong(2);
    long neg = c.getLong(3);
    double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    double recall = pos == 0 ? 0 : (double) tp / pos;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    BinaryClassificationEvaluator eval = new BinaryClassificationEvaluator()
        .setLabelCol(label).setRawPredictionCol(p1);
    double roc = pos == 0 || neg == 0 ? Double.NaN : eval.setMetricName("areaUnderROC").evaluate(rows);
    double pr = pos == 0 || neg == 0 ? Double.NaN : eval.setMetricName("areaUnderPR").evaluate(rows);
    return new Classifier(roc, pr, threshold, precision, recall, f1, neg == 0 ? 0 : (double) fp / neg, pos, neg);
  }

  /**
   * The decision threshold with the best F1 among those whose false-alarm rate is at most
   * {@code maxFalseAlarmRate}, searched on a grid of 1/1000 from per-bin counts (at most 1001 rows
   * reach the driver, whatever the data size). With no admissible threshold, the one with the lowest
   * false-alarm rate.
   */
  public static double chooseThreshold(Dataset<Row> rows, String label, String p1, double maxFalseAlarmRate) {
    List<Row> bins = rows
        .groupBy(least(floor(col(p1).multiply(1000)), lit(999)).cast("int").as("bin"))
        .agg(count_if(col(label).equalTo(1)).as("pos"), count_if(col(label).equalTo(0)).as("neg"))
        .collectAsList();
    long[] pos = new long[1000];
    long[] neg = new long[1000];
    long totalPos = 0;
    long totalNeg = 0;
    for (Row r : bins) {
      int b = Math.max(0, r.getInt(0));
      pos[b] += r.getLong(1);
      neg[b] += r.getLong(2);
      totalPos += r.getLong(1);
      totalNeg += r.getLong(2);
    }
    double best = 0.5;
    double bestF1 = -1;
    long tp = totalPos;
    long fp = totalNeg;
    // Threshold b/1000 flags the bins >= b; walk b upwards, removing bin b - 1 each step.
    for (int b = 1; b < 1000; b++) {
      tp -= pos[b - 1];
      fp -= neg[b - 1];
      double far = totalNeg == 0 ? 0 : (double) fp / totalNeg;
      if (far > maxFalseAlarmRate) {
        continue;
      }
      double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
      double recall = totalPos == 0 ? 0 : (double) tp / totalPos;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      if (f1 > bestF1) {
        bestF1 = f1;
        best = b / 1000.0;
      }
    }
    return bestF1 < 0 ? 0.999 : best;
  }

  private static double nz(Row r, int i) {
    return r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
  }
}
