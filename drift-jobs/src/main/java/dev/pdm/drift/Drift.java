package dev.pdm.drift;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.mlflow.ReferenceProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The statistics of a drift report, on binned counts only (nothing here touches rows).
 *
 * <p>Like with like: the reference's rows per bin are kept per life-stage band, and before any
 * comparison the reference is reweighted to the current window's mix of bands. A fleet whose series
 * stop early in life (a test fleet) is then compared with training rows of the same life stages,
 * not with the late, degraded cycles it has not reached. PSI uses the reference's deciles (10 bins,
 * plus one for missing values); the Kolmogorov-Smirnov statistic is read at the reference's
 * percentiles (so it is exact to one percentile), with the asymptotic p-value.
 */
public final class Drift {

  /** Floor of a bin's share in PSI, so an empty bin does not make it infinite. */
  static final double PSI_FLOOR = 1e-4;

  private Drift() {}

  public enum Status { OK, WARN, DRIFT }

  /** Thresholds of pdm.drift.*. */
  public record Thresholds(double psiWarn, double psiDrift, double driftedShare, double predictionPsi,
      double rmseIncrease, long minRows, long minLabelledAssets) {
    public static Thresholds from(PdmConfig c) {
      return new Thresholds(c.getDouble(PdmConfigKeys.DRIFT_PSI_WARN), c.getDouble(PdmConfigKeys.DRIFT_PSI_DRIFT),
          c.getDouble(PdmConfigKeys.DRIFT_RETRAIN_SHARE), c.getDouble(PdmConfigKeys.DRIFT_RETRAIN_PREDICTION_PSI),
          c.getDouble(PdmConfigKeys.DRIFT_RETRAIN_RMSE_INCREASE), c.getLong(PdmConfigKeys.DRIFT_MIN_ROWS),
          c.getLong(PdmConfigKeys.DRIFT_MIN_LABELLED_ASSETS));
    }

    Status status(double psi) {
      return psi >= psiDrift ? Status.DRIFT : psi >= psiWarn ? Status.WARN : Status.OK;
    }
  }

  /**
   * One column compared: decile shares of the (reweighted) reference and of the window, the last
   * entry being missing values, with the decile edges for the charts.
   */
  public record Comparison(String name, double psi, double ks, double ksPValue, Status status, double[] reference,
      double[] current, double[] decileEdges, long referenceRows, long currentRows) {}

  /** Compares a window's counts {@code [band][bin]} (bins as in the reference) with a reference column. */
  public static Comparison compare(ReferenceProfile.Entry ref, long[][] current, Thresholds t) {
    int bins = ref.edges().length + 2;
    double[] expected = reweighted(ref.counts(), bandWeights(current));
    double[] observed = new double[bins];
    long currentRows = 0;
    for (long[] band : current) {
      for (int i = 0; i < bins; i++) {
        observed[i] += band[i];
        currentRows += band[i];
      }
    }
    for (int i = 0; i < bins; i++) {
      observed[i] = currentRows == 0 ? 0 : observed[i] / currentRows;
    }
    double[] refDeciles = deciles(expected);
    double[] curDeciles = deciles(observed);
    double psi = psi(refDeciles, curDeciles);
    long refRows = ref.rows();
    double ks = ks(expected, observed);
    double p = ksPValue(ks, refRows - missing(ref), currentRows - Arrays.stream(current).mapToLong(b -> b[bins - 1])
        .sum());
    return new Comparison(ref.name(), psi, ks, p, t.status(psi), refDeciles, curDeciles, decileEdges(ref.edges()),
        refRows, currentRows);
  }

  private static long missing(ReferenceProfile.Entry ref) {
    return Arrays.stream(ref.counts()).mapToLong(b -> b[b.length - 1]).sum();
  }

  /** Share of the window's rows in each band. */
  static double[] bandWeights(long[][] current) {
    double[] w = new double[current.length];
    double total = 0;
    for (int b = 0; b < current.length; b++) {
      w[b] = Arrays.stream(current[b]).sum();
      total += w[b];
    }
    for (int b = 0; b < w.length; b++) {
      w[b] = total == 0 ? 0 : w[b] / total;
    }
    return w;
  }

  /**
   * The reference's share per bin when its bands are weighted like the window's. A band without
   * reference rows borrows the nearest band that has some (the lower one first): a window that
   * lives longer than any training series is compared with the oldest training cycles.
   */
  static double[] reweighted(long[][] refCounts, double[] weights) {
    int bins = refCounts[0].length;
    double[] out = new double[bins];
    for (int b = 0; b < weights.length; b++) {
      if (weights[b] == 0) {
        continue;
      }
      long[] counts = refCounts[nearestWithRows(refCounts, b)];
      double rows = Arrays.stream(counts).sum();
      for (int i = 0; i < bins; i++) {
        out[i] += weights[b] * counts[i] / rows;
      }
    }
    return out;
  }

  private static int nearestWithRows(long[][] counts, int band) {
    for (int d = 0; d < counts.length; d++) {
      for (int b : new int[] {band - d, band + d}) {
        if (b >= 0 && b < counts.length && Arrays.stream(counts[b]).sum() > 0) {
          return b;
        }
      }
    }
    throw new IllegalStateException("the reference has no rows");
  }

  /** Percentile bins (and the missing bin) folded into ten decile bins and the missing bin. */
  static double[] deciles(double[] shares) {
    int fine = shares.length - 1;
    double[] out = new double[11];
    for (int i = 0; i < fine; i++) {
      out[Math.min(9, i * 10 / fine)] += shares[i];
    }
    out[10] = shares[fine];
    return out;
  }

  private static double[] decileEdges(double[] edges) {
    double[] out = new double[9];
    for (int k = 1; k <= 9; k++) {
      out[k - 1] = edges[Math.min(edges.length - 1, Math.max(0, k * (edges.length + 1) / 10 - 1))];
    }
    return out;
  }

  /** Population stability index of two share vectors over the same bins. */
  public static double psi(double[] reference, double[] current) {
    double psi = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] == 0 && current[i] == 0) {
        continue;
      }
      double r = Math.max(reference[i], PSI_FLOOR);
      double c = Math.max(current[i], PSI_FLOOR);
      psi += (c - r) * Math.log(c / r);
    }
    return psi;
  }

  /** Largest distance between the two cumulative distributions at the bin edges, missing values left out. */
  static double ks(double[] reference, double[] current) {
    int n = reference.length - 1;
    double rTotal = 0;
    double cTotal = 0;
    for (int i = 0; i < n; i++) {
      rTotal += reference[i];
      cTotal += current[i];
    }
    if (rTotal == 0 || cTotal == 0) {
      return Double.NaN;
    }
    double r = 0;
    double c = 0;
    double d = 0;
    for (int i = 0; i < n; i++) {
      r += reference[i] / rTotal;
      c += current[i] / cTotal;
      d = Math.max(d, Math.abs(r - c));
    }
    return d;
  }

  /** Asymptotic two-sample Kolmogorov-Smirnov p-value (Kolmogorov's distribution, Stephens' correction). */
  public static double ksPValue(double d, long n1, long n2) {
    if (Double.isNaN(d) || n1 <= 0 || n2 <= 0) {
      return Double.NaN;
    }
    double ne = (double) n1 * n2 / (n1 + n2);
    double lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
    if (lambda < 1e-3) {
      return 1.0;
    }
    double sum = 0;
    for (int j = 1; j <= 100; j++) {
      double term = 2 * Math.pow(-1, j - 1) * Math.exp(-2.0 * j * j * lambda * lambda);
      sum += term;
      if (Math.abs(term) < 1e-12) {
        break;
      }
    }
    return Math.max(0, Math.min(1, sum));
  }

  /** Performance on rows whose RUL became known. */
  public record Performance(long labelledAssets, long labelledRows, double rmse, double validationRmse) {
    double increase() {
      return rmse / validationRmse - 1;
    }
  }

  /** The decision and its reasons: every criterion says what it found. */
  public record Decision(boolean retrain, double driftedShare, long drifted, long features, List<String> reasons) {}

  public static Decision decide(List<Comparison> features, Comparison prediction, Performance perf, Thresholds t) {
    long drifted = features.stream().filter(c -> c.status() == Status.DRIFT).count();
    double share = features.isEmpty() ? 0 : (double) drifted / features.size();
    List<String> reasons = new ArrayList<>();
    boolean retrain = false;
    boolean byShare = share >= t.driftedShare();
    retrain |= byShare;
    reasons.add(String.format("%d of %d features drifted (%s; retrain at %s or more)", drifted, features.size(),
        pct(share), pct(t.driftedShare())));
    boolean byPrediction = prediction.psi() >= t.predictionPsi();
    retrain |= byPrediction;
    reasons.add(String.format("prediction PSI %.3f (%s %.2f)", prediction.psi(), byPrediction ? ">=" : "<",
        t.predictionPsi()));
    if (perf == null || perf.labelledAssets() == 0) {
      reasons.add("performance: no asset in the window has a known RUL yet");
    } else if (perf.labelledAssets() < t.minLabelledAssets() || Double.isNaN(perf.validationRmse())) {
      reasons.add(String.format("performance: RMSE %.2f on %d assets with known RUL, not judged (%s)", perf.rmse(),
          perf.labelledAssets(), Double.isNaN(perf.validationRmse()) ? "the model has no validation RMSE"
              : "fewer than " + t.minLabelledAssets() + " assets, pdm.drift.min-labelled-assets"));
    } else {
      boolean worse = perf.increase() >= t.rmseIncrease();
      retrain |= worse;
      reasons.add(String.format("performance: RMSE %.2f on %d assets with known RUL vs validation RMSE %.2f (%s%s;"
              + " retrain at +%s)", perf.rmse(), perf.labelledAssets(), perf.validationRmse(),
          perf.increase() >= 0 ? "+" : "", pct(perf.increase()), pct(t.rmseIncrease())));
    }
    return new Decision(retrain, share, drifted, features.size(), reasons);
  }

  private static String pct(double share) {
    return Math.round(share * 100) + "%";
  }
}
