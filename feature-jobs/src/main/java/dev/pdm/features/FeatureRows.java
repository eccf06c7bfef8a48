package dev.pdm.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nanvl;

import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;

/**
 * Silver rows in, {@code gold.features} rows out, through one {@link FeatureSet}: regime, per-regime
 * normalisation, {@link FeatureCalculator}, labels. The batch job ({@link #foldSorted}, through
 * {@link #next}) and the stream scorer ({@link #fold}) share the regime, normalisation and
 * calculator, so an asset's features at cycle c do not depend on which path computed them.
 */
public final class FeatureRows implements Serializable {

  private static final int DATASET = 0;
  private static final int ASSET = 1;
  private static final int SPLIT = 2;
  private static final int CYCLE = 3;
  private static final int EVENT_TIME = 4;
  private static final int READINGS = 5;

  private final FeatureSet set;
  private final FeatureCalculator calculator;
  private final long computedAtMillis;
  private final int settings;
  private final int sensors;

  /** @param computedAtMillis the rows' computed_at; negative: the wall clock when each row is made */
  public FeatureRows(FeatureSet set, long computedAtMillis) {
    this.set = set;
    this.calculator = new FeatureCalculator(set.spec());
    this.computedAtMillis = computedAtMillis;
    this.settings = set.settings().size();
    this.sensors = set.spec().sensors().size();
  }

  public FeatureSet featureSet() {
    return set;
  }

  public FeatureCalculator.State newState() {
    return calculator.newState();
  }

  /**
   * The input columns {@link #next} expects, in order, from silver-shaped rows (rows without a
   * cycle cannot be placed in an asset's series and must be filtered out before).
   */
  public static Dataset<Row> input(Dataset<Row> silver, FeatureSet set) {
    List<Column> cols = new ArrayList<>(List.of(col("dataset"), col("asset_id"), col("split"), col("cycle"),
        col("event_time")));
    for (String s : set.settings()) {
      cols.add(col(s).cast("double"));
    }
    for (String s : set.spec().sensors()) {
      cols.add(col(s).cast("double"));
    }
    return silver.select(cols.toArray(Column[]::new));
  }

  /**
   * One gold.features row as the fold makes it: the features stay a primitive array (Spark copies
   * it whole, where a Row would box every value) until {@link #toColumns} spreads it out.
   */
  public static final class Out implements Serializable {
    private String dataset;
    private String assetId;
    private String split;
    private int cycle;
    private Timestamp eventTime;
    private int regime;
    private double[] features;
    private Integer rul;
    private Boolean failsWithinHorizon;
    private int featureSetVersion;
    private Timestamp computedAt;

    public String getDataset() {
      return dataset;
    }

    public void setDataset(String v) {
      dataset = v;
    }

    public String getAssetId() {
      return assetId;
    }

    public void setAssetId(String v) {
      assetId = v;
    }

    public String getSplit() {
      return split;
    }

    public void setSplit(String v) {
      split = v;
    }

    public int getCycle() {
      return cycle;
    }

    public void setCycle(int v) {
      cycle = v;
    }

    public Timestamp getEventTime() {
      return eventTime;
    }

    public void setEventTime(Timestamp v) {
      eventTime = v;
    }

    public int getRegime() {
      return regime;
    }

    public void setRegime(int v) {
      regime = v;
    }

    public double[] getFeatures() {
      return features;
    }

    public void setFeatures(double[] v) {
      features = v;
    }

    public Integer getRul() {
      return rul;
    }

    public void setRul(Integer v) {
      rul = v;
    }

    public Boolean getFailsWithinHorizon() {
      return failsWithinHorizon;
    }

    public void setFailsWithinHorizon(Boolean v) {
      failsWithinHorizon = v;
    }

    public int getFeatureSetVersion() {
      return featureSetVersion;
    }

    public void setFeatureSetVersion(int v) {
      featureSetVersion = v;
    }

    public Timestamp getComputedAt() {
      return computedAt;
    }

    public void setComputedAt(Timestamp v) {
      computedAt = v;
    }
  }

  public static Encoder<Out> encoder() {
    return Encoders.bean(Out.class);
  }

  /** Fold output in gold.features' columns and order; an undefined (NaN) feature becomes null. */
  public Dataset<Row> toColumns(Dataset<Out> out) {
    List<Column> cols = new ArrayList<>(List.of(col("dataset"), col("assetId").as("asset_id"), col("split"),
        col("cycle"), col("eventTime").as("event_time"), col("regime")));
    List<String> names = set.spec().featureNames();
    Column missing = lit(null).cast("double");
    for (int i = 0; i < names.size(); i++) {
      cols.add(nanvl(col("features").getItem(i), missing).as(names.get(i)));
    }
    cols.addAll(List.of(col("rul"), col("failsWithinHorizon").as("fails_within_horizon"),
        col("featureSetVersion").as("feature_set_version"), col("computedAt").as("computed_at")));
    return out.select(cols.toArray(Column[]::new));
  }

  /**
   * Folds one cycle of an asset into {@code state} and returns its gold.features row.
   *
   * @param failureCycle the asset's failure cycle when its series ran to failure, else null
   */
  public Out next(FeatureCalculator.State state, Row in, Integer failureCycle) {
    // null (missing) becomes NaN, as the stream's readings carry it
    double[] settingValues = new double[settings];
    for (int i = 0; i < settings; i++) {
      settingValues[i] = in.isNullAt(READINGS + i) ? Double.NaN : in.getDouble(READINGS + i);
    }
    double[] readings = new double[sensors];
    for (int s = 0; s < sensors; s++) {
      int at = READINGS + settings + s;
      readings[s] = in.isNullAt(at) ? Double.NaN : in.getDouble(at);
    }
    int cycle = in.getInt(CYCLE);
    Step f = foldRaw(state, cycle, settingValues, readings, true);
    int regime = f.regime();
    double[] features = f.features();
    Out out = new Out();
    out.dataset = in.getString(DATASET);
    out.assetId = in.getString(ASSET);
    out.split = in.getString(SPLIT);
    out.cycle = cycle;
    out.eventTime = in.isNullAt(EVENT_TIME) ? null : (Timestamp) in.get(EVENT_TIME);
    out.regime = regime;
    out.features = features;
    if (failureCycle != null) {
      double remaining = set.spec().rulUnits(failureCycle - cycle);
      // whole units: a time fleet's label counts the hours left, rounded down
      out.rul = (int) Math.min(Math.floor(remaining), set.rulCap());
      out.failsWithinHorizon = remaining <= set.horizon();
    }
    out.featureSetVersion = set.version();
    out.computedAt = new Timestamp(computedAtMillis < 0 ? System.currentTimeMillis() : computedAtMillis);
    return out;
  }

  /** One folded cycle: its regime and its model inputs ({@link FeatureSet#featureNames()}: a cycle fleet's cycle, then the features). */
  public record Folded(int regime, double[] inputs) {}

  /**
   * Folds one cycle given as primitive readings (NaN where a reading is missing) into {@code state}:
   * the per-row path of the stream scorer, the same regime, normalisation and calculator as {@link #next}.
   *
   * @param settings the set's settings in {@link FeatureSet#settings()} order
   * @param sensors the spec's sensors in {@code spec().sensors()} order
   */
  public Folded fold(FeatureCalculator.State state, int cycle, double[] settings, double[] sensors) {
    return fold(state, cycle, settings, sensors, true);
  }

  /** The same, window statistics left NaN unless {@code withStatistics} (see {@link FeatureCalculator#next}). */
  public Folded fold(FeatureCalculator.State state, int cycle, double[] settings, double[] sensors,
      boolean withStatistics) {
    // normalised in place: the caller's array stays as given
    Step raw = foldRaw(state, cycle, settings, sensors.clone(), withStatistics);
    if (set.spec().timed()) {
      return new Folded(raw.regime(), raw.features()); // a time fleet's tick is no model input
    }
    double[] inputs = new double[raw.features().length + 1];
    inputs[0] = cycle;
    System.arraycopy(raw.features(), 0, inputs, 1, raw.features().length);
    return new Folded(raw.regime(), inputs);
  }

  /**
   * The one path from a cycle's raw readings to its features, for both {@link #next} and
   * {@link #fold}: the regime from the settings, the sensors normalised in it (in place; NaN
   * stays missing), then the calculator.
   */
  private Step foldRaw(FeatureCalculator.State state, int cycle, double[] settingValues, double[] readings,
      boolean withStatistics) {
    int regime = set.regimeOf(settingValues);
    for (int s = 0; s < readings.length; s++) {
      if (!Double.isNaN(readings[s])) {
        readings[s] = set.normalise(regime, s, readings[s]);
      }
    }
    return new Step(regime, calculator.next(state, cycle, readings, regime, withStatistics));
  }

  /** A cycle's regime and the calculator's features (without the cycle). */
  private record Step(int regime, double[] features) {}

  public FeatureCalculator calculator() {
    return calculator;
  }

  /**
   * Batch: rows sorted by asset, then cycle. Each asset's series is read whole (a few hundred to a
   * few thousand rows) so that a run-to-failure asset (split {@code train}) knows its failure
   * cycle, its last one; then it is folded from a fresh state.
   */
  public Iterator<Out> foldSorted(Iterator<Row> rows) {
    return new Iterator<>() {
      private final List<Row> series = new ArrayList<>();
      private Row pending;
      private FeatureCalculator.State state;
      private Integer failure;
      private int at;

      @Override
      public boolean hasNext() {
        return at < series.size() || pending != null || rows.hasNext();
      }

      @Override
      public Out next() {
        if (at == series.size()) {
          readSeries();
        }
        return FeatureRows.this.next(state, series.get(at++), failure);
      }

      private void readSeries() {
        series.clear();
        at = 0;
        Row first = pending != null ? pending : rows.next();
        pending = null;
        series.add(first);
        while (rows.hasNext()) {
          Row r = rows.next();
          if (!r.get(ASSET).equals(first.get(ASSET))) {
            pending = r;
            break;
          }
          series.add(r);
        }
        state = calculator.newState();
        failure = "train".equals(first.get(SPLIT)) ? series.get(series.size() - 1).getInt(CYCLE) : null;
      }
    };
  }
}
