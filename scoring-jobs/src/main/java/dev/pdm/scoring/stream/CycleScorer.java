package dev.pdm.scoring.stream;

import dev.pdm.scoring.Anomalies;
import dev.pdm.scoring.RiskLevels;
import dev.pdm.scoring.RiskLevels.Level;
import java.io.Serializable;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Scores one folded cycle of an asset: the two models, the risk level, the anomaly rules with the
 * asset's run of anomalous cycles, and the alert its level raises. The row-at-a-time twin of
 * {@link Anomalies#flag} and {@link dev.pdm.scoring.Scorer}, which score-batch uses: same rules,
 * same texts, so a cycle's prediction does not depend on the path.
 *
 * <p>Alerts: an asset raises an alert when its risk level rises above the highest level it has
 * alerted since its last resolve (kept in its state), so a run-up to failure raises at most one
 * alert per level (MEDIUM, HIGH, CRITICAL), and a level that flickers between two values raises
 * nothing more. {@code pdm alerts resolve} resets the asset's alerted level.
 */
public final class CycleScorer implements Serializable {

  /** Features named in an alert: the failure model's most important inputs. */
  public static final int TOP_FEATURES = 3;

  private final TreeModels models;
  private final RiskLevels risk;
  private final Anomalies.Baseline baseline;
  private final Anomalies.Rules rules;
  private final int[] valueAt;
  private final int[] driftAt;
  private final int[] topAt;
  private final List<String> inputNames;
  private final String rulUnit;

  /** @param rulUnit what the RUL counts, as alerts say it: cycles, or a time fleet's hours */
  public CycleScorer(TreeModels models, List<String> inputNames, RiskLevels risk, Anomalies.Baseline baseline,
      Anomalies.Rules rules, String rulUnit) {
    this.models = models;
    this.rulUnit = rulUnit;
    this.risk = risk;
    this.baseline = baseline;
    this.rules = rules;
    this.inputNames = List.copyOf(inputNames);
    List<String> sensors = baseline.sensors();
    valueAt = new int[sensors.size()];
    driftAt = new int[sensors.size()];
    for (int i = 0; i < sensors.size(); i++) {
      valueAt[i] = inputNames.indexOf(sensors.get(i));
      driftAt[i] = inputNames.indexOf(sensors.get(i) + "_baseline_dist");
    }
    topAt = models.topInputs(TOP_FEATURES);
  }

  public TreeModels models() {
    return models;
  }

  /**
   * The scored row of a cycle; updates the asset's anomaly run, risk and alerted level in {@code state}.
   */
  public StreamOutput score(AssetState state, String dataset, String asset, int cycle, Timestamp eventTime,
      Timestamp kafkaTimestamp, int regime, double[] inputs) {
    StreamOutput out = new StreamOutput();
    out.setKind(StreamOutput.SCORED);
    out.setDataset(dataset);
    out.setAssetId(asset);
    out.setCycle(cycle);
    out.setEventTime(eventTime);
    out.setKafkaTimestamp(kafkaTimestamp);
    return score(state, out, regime, inputs);
  }

  /**
   * Scores into {@code out}, a row that already names the cycle: the LANDED row of the record
   * when the cycle is folded in the micro-batch it came in (one output row per event, not two).
   */
  public StreamOutput score(AssetState state, StreamOutput out, int regime, double[] inputs) {
    String dataset = out.getDataset();
    String asset = out.getAssetId();
    int cycle = out.getCycle();
    double rul = models.rul(inputs);
    double[] interval = models.rulInterval(rul);
    double probability = models.failureProbability(inputs);
    Level level = risk.level(probability, rul);
    out.setPredictedRul(rul);
    if (interval != null) {
      out.setRulLower(interval[0]);
      out.setRulUpper(interval[1]);
    }
    out.setFailureProbability(probability);
    out.setRiskLevel(level.name());
    flagAnomalies(state, out, regime, inputs);
    Level alerted = Level.valueOf(state.getAlertedLevel());
    if (level.ordinal() > alerted.ordinal()) {
      out.setAlertId(alertId(dataset, asset, cycle, level));
      out.setPreviousLevel(alerted.name());
      out.setRecommendation(level == Level.CRITICAL
          ? "inspect now: predicted RUL " + format(rul, 0) + " " + rulUnit
          // the interval's lower bound: the planner's safe side of the prediction
          : "inspect within " + (long) Math.max(0, Math.floor((interval == null ? rul : interval[0])
              - risk.critical().rul())) + " " + rulUnit);
      List<String> top = new ArrayList<>();
      for (int at : topAt) {
        top.add(inputNames.get(at) + "=" + (Double.isNaN(inputs[at]) ? "null" : format(inputs[at], 4)));
      }
      out.setTopFeatures(top);
      state.setAlertedLevel(level.name());
    }
    state.setScoredCycle(cycle);
    state.setRiskLevel(level.name());
    return out;
  }

  /**
   * Passes a cycle whose scores nobody reads (predict answers an asset's last cycle): only the
   * anomaly run moves, as {@link #score} would move it; the trees and risk are left out.
   */
  public void pass(AssetState state, int regime, double[] inputs) {
    boolean anomalous = false;
    for (int i = 0; i < valueAt.length && !anomalous; i++) {
      anomalous = Math.abs(z(i, regime, inputs)) >= rules.z() || Math.abs(drift(i, regime, inputs)) >= rules.z();
    }
    state.setAnomalyStreak(anomalous ? state.getAnomalyStreak() + 1 : 0);
  }

  /** Sensor {@code i}'s reading as a z-score in its regime's baseline; NaN when the inputs lack it. */
  private double z(int i, int regime, double[] inputs) {
    return valueAt[i] < 0 ? Double.NaN
        : (inputs[valueAt[i]] - baseline.mean()[regime][i]) / baseline.std()[regime][i];
  }

  /** Sensor {@code i}'s drift from the asset's own baseline, in regime standard deviations; NaN when not computed. */
  private double drift(int i, int regime, double[] inputs) {
    return driftAt[i] < 0 ? Double.NaN : inputs[driftAt[i]] / baseline.std()[regime][i];
  }

  private void flagAnomalies(AssetState state, StreamOutput out, int regime, double[] inputs) {
    List<String> reasons = new ArrayList<>();
    double maxZ = 0;
    List<String> sensors = baseline.sensors();
    for (int i = 0; i < sensors.size(); i++) {
      double z = z(i, regime, inputs);
      double drift = drift(i, regime, inputs);
      if (!Double.isNaN(z)) {
        maxZ = Math.max(maxZ, Math.abs(z));
        if (Math.abs(z) >= rules.z()) {
          reasons.add("REGIME_Z " + sensors.get(i) + " z=" + format(z, 1));
        }
      }
      if (!Double.isNaN(drift)) {
        maxZ = Math.max(maxZ, Math.abs(drift));
        if (Math.abs(drift) >= rules.z()) {
          reasons.add("ASSET_DRIFT " + sensors.get(i) + " z=" + format(drift, 1));
        }
      }
    }
    int streak = reasons.isEmpty() ? 0 : state.getAnomalyStreak() + 1;
    state.setAnomalyStreak(streak);
    boolean reported = streak >= rules.persistence();
    out.setAnomalyStreak(streak);
    out.setAnomalySeverity(!reported ? Anomalies.Severity.NONE.name()
        : maxZ >= rules.criticalZ() ? Anomalies.Severity.CRITICAL.name() : Anomalies.Severity.WARNING.name());
    out.setAnomalyReasons(reported ? reasons : List.of());
  }

  /** Spark's {@code format_number}: grouped thousands, half-even rounding. */
  static String format(double x, int decimals) {
    DecimalFormat f = new DecimalFormat(decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals),
        DecimalFormatSymbols.getInstance(Locale.US));
    f.setRoundingMode(RoundingMode.HALF_EVEN);
    return f.format(x);
  }

  /** {@code sha2(concat_ws('|', dataset, asset_id, cycle, risk_level), 256)}, first 24 hex digits: stable per escalation. */
  static String alertId(String dataset, String asset, int cycle, Level level) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest((dataset + "|" + asset + "|" + cycle + "|" + level.name()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
