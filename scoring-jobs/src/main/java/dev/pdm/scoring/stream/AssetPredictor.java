package dev.pdm.scoring.stream;

import dev.pdm.common.PdmErrors;
import dev.pdm.features.FeatureCalculator;
import dev.pdm.features.FeatureRows;
import dev.pdm.features.FeatureSet;
import dev.pdm.mlflow.ChampionModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One asset's readings scored in process, with no Spark job: the readings are folded in cycle
 * order into the feature set's window features ({@link FeatureRows}, as the stream folds them),
 * and the last cycle is scored by the champion trees ({@link CycleScorer}); the earlier cycles
 * only move the anomaly run ({@link CycleScorer#pass}), so that the last cycle's anomaly run and
 * risk level are those the stream and {@code score-batch} give. It answers an
 * HTTP {@code POST /predict} in microseconds per cycle, and is safe to share between threads
 * (all per-request state is local).
 *
 * <p>Usage:
 * <pre>{@code
 * AssetPredictor p = AssetPredictor.create("FD001", featureSet, profile.readingNames(), cycleScorer, pair);
 * AssetPredictor.Prediction last = p.predict("FD001-test-7", List.of(new Reading(1, values1), ...));
 * }</pre>
 */
public final class AssetPredictor {

  /** One cycle's readings, in the dataset profile's reading order; NaN where a reading is missing. */
  public record Reading(int cycle, double[] values) {}

  /** The scored last cycle of an asset, with the models that scored it. */
  public record Prediction(String dataset, String assetId, int cycle, int cycles, double predictedRul,
      Double rulLower, Double rulUpper, double failureProbability, String riskLevel, String anomalySeverity,
      List<String> anomalyReasons, String rulModelVersion, String failureModelVersion, int featureSetVersion) {}

  private final String dataset;
  private final FeatureRows rows;
  private final CycleScorer scorer;
  private final ChampionModels.Pair models;
  private final int readings;
  private final int[] settingAt;
  private final int[] sensorAt;

  private AssetPredictor(String dataset, FeatureRows rows, CycleScorer scorer, ChampionModels.Pair models,
      int readings, int[] settingAt, int[] sensorAt) {
    this.dataset = dataset;
    this.rows = rows;
    this.scorer = scorer;
    this.models = models;
    this.readings = readings;
    this.settingAt = settingAt;
    this.sensorAt = sensorAt;
  }

  /**
   * A predictor for a dataset's assets, whose readings come in {@code readingNames} order (the
   * dataset profile's settings and sensors); {@code models} names the versions {@code scorer} holds.
   */
  public static AssetPredictor create(String dataset, FeatureSet set, List<String> readingNames, CycleScorer scorer,
      ChampionModels.Pair models) {
    return new AssetPredictor(dataset, new FeatureRows(set, -1), scorer, models, readingNames.size(),
        AssetProcessor.positions(readingNames, set.settings(), dataset),
        AssetProcessor.positions(readingNames, set.spec().sensors(), dataset));
  }

  /** The dataset this predictor scores. */
  public String dataset() {
    return dataset;
  }

  /**
   * Scores an asset's readings, given in any order, and returns its last cycle. A cycle sent twice
   * with the same readings counts once; with different readings it is refused, as landing
   * quarantines it.
   */
  public Prediction predict(String assetId, List<Reading> history) {
    List<Reading> ordered = ordered(assetId, history);
    FeatureCalculator.State features = rows.newState();
    AssetState state = AssetStates.fresh(1);
    StreamOutput last = null;
    for (int i = 0; i < ordered.size(); i++) {
      Reading r = ordered.get(i);
      // the earlier cycles only build the windows and the anomaly run: no window statistics, no trees
      boolean isLast = i == ordered.size() - 1;
      FeatureRows.Folded f = rows.fold(features, r.cycle(), AssetProcessor.pick(r.values(), settingAt),
          AssetProcessor.pick(r.values(), sensorAt), isLast);
      if (isLast) {
        last = scorer.score(state, dataset, assetId, r.cycle(), null, null, f.regime(), f.inputs());
      } else {
        scorer.pass(state, f.regime(), f.inputs());
      }
    }
    return new Prediction(dataset, assetId, last.getCycle(), ordered.size(), last.getPredictedRul(),
        last.getRulLower(), last.getRulUpper(), last.getFailureProbability(), last.getRiskLevel(),
        last.getAnomalySeverity(), List.copyOf(last.getAnomalyReasons()), models.rul().version(),
        models.failure().version(), models.rul().featureSetVersion());
  }

  /** The readings by cycle, each cycle once; refuses what cannot be scored with the reason and the fix. */
  private List<Reading> ordered(String assetId, List<Reading> history) {
    String what = "predict asset " + assetId + " of " + dataset;
    if (history == null || history.isEmpty()) {
      throw PdmErrors.usage(what, "no readings were sent", "send the asset's readings, one event per cycle");
    }
    List<Reading> sorted = new ArrayList<>(history);
    sorted.sort(Comparator.comparingInt(Reading::cycle));
    List<Reading> out = new ArrayList<>(sorted.size());
    for (Reading r : sorted) {
      if (r.values() == null || r.values().length != readings) {
        throw PdmErrors.usage(what, "cycle " + r.cycle() + " has " + (r.values() == null ? 0 : r.values().length)
            + " readings, the dataset profile defines " + readings, "send the profile's settings and sensors");
      }
      if (r.cycle() < 1) {
        throw PdmErrors.usage(what, "cycle " + r.cycle() + " is not a cycle number", "number cycles from 1");
      }
      Reading before = out.isEmpty() ? null : out.get(out.size() - 1);
      if (before != null && before.cycle() == r.cycle()) {
        if (!Arrays.equals(before.values(), r.values())) {
          throw PdmErrors.usage(what, "cycle " + r.cycle() + " was sent twice with different readings",
              "send each cycle once");
        }
        continue;
      }
      out.add(r);
    }
    return out;
  }
}
