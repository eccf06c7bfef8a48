package dev.pdm.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.table.Tables;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Silver rows in, {@code gold.features} rows out, through one {@link FeatureSet}: regime, per-regime
 * normalisation, {@link FeatureCalculator}, labels. The batch job ({@link #foldSorted}) and the
 * stream ({@link #foldGroup}) both call {@link #next}, so an asset's features at cycle c do not
 * depend on which path computed them.
 */
public final class FeatureRows implements Serializable {

  /** Input column with the failure cycle of a run-to-failure asset, null otherwise. */
  public static final String FAILURE_CYCLE = "_failure_cycle";

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
  public static Dataset<Row> input(Dataset<Row> silver, FeatureSet set, Column failureCycle) {
    List<Column> cols = new ArrayList<>(List.of(col("dataset"), col("asset_id"), col("split"), col("cycle"),
        col("event_time")));
    for (String s : set.settings()) {
      cols.add(col(s).cast("double"));
    }
    for (String s : set.spec().sensors()) {
      cols.add(col(s).cast("double"));
    }
    cols.add(failureCycle.cast("int").as(FAILURE_CYCLE));
    return silver.select(cols.toArray(Column[]::new));
  }

  /** For rows whose series does not end in failure (streams, test splits). */
  public static Column noFailure() {
    return lit(null).cast("int");
  }

  /** gold.features' schema for this feature set. */
  public StructType outputSchema() {
    return Tables.featuresSchema(set.featureNames());
  }

  /** Folds one cycle of an asset into {@code state} and returns its gold.features row. */
  public Row next(FeatureCalculator.State state, Row in) {
    Double[] settingValues = new Double[settings];
    for (int i = 0; i < settings; i++) {
      settingValues[i] = in.isNullAt(READINGS + i) ? null : in.getDouble(READINGS + i);
    }
    int regime = set.regimeOf(settingValues);
    Double[] readings = new Double[sensors];
    for (int s = 0; s < sensors; s++) {
      int at = READINGS + settings + s;
      readings[s] = in.isNullAt(at) ? null : set.normalise(regime, s, in.getDouble(at));
    }
    int cycle = in.getInt(CYCLE);
    double[] features = calculator.next(state, cycle, readings, regime);
    Object[] out = new Object[6 + features.length + 4];
    out[0] = in.get(DATASET);
    out[1] = in.get(ASSET);
    out[2] = in.get(SPLIT);
    out[3] = cycle;
    out[4] = in.get(EVENT_TIME);
    out[5] = regime;
    int k = 6;
    for (double f : features) {
      out[k++] = Double.isNaN(f) ? null : f;
    }
    int failureAt = READINGS + settings + sensors;
    if (!in.isNullAt(failureAt)) {
      int remaining = in.getInt(failureAt) - cycle;
      out[k] = Math.min(remaining, set.rulCap());
      out[k + 1] = remaining <= set.horizon();
    }
    out[k + 2] = set.version();
    out[k + 3] = new Timestamp(computedAtMillis < 0 ? System.currentTimeMillis() : computedAtMillis);
    return RowFactory.create(out);
  }

  /** Batch: rows sorted by asset, then cycle; a new asset starts from a fresh state. */
  public Iterator<Row> foldSorted(Iterator<Row> rows) {
    return new Iterator<>() {
      private FeatureCalculator.State state;
      private Object asset;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        Row in = rows.next();
        if (state == null || !in.get(ASSET).equals(asset)) {
          state = calculator.newState();
          asset = in.get(ASSET);
        }
        return FeatureRows.this.next(state, in);
      }
    };
  }

  /**
   * Stream: one micro-batch's rows of one asset, in any order, folded in cycle order onto the
   * asset's state from earlier batches. A cycle at or before the state's last one is a late
   * duplicate of history and is skipped (the scorer's lateness policy quarantines such events
   * before they get here).
   */
  public List<Row> foldGroup(FeatureCalculator.State state, Iterator<Row> rows) {
    List<Row> batch = new ArrayList<>();
    rows.forEachRemaining(batch::add);
    batch.sort(Comparator.comparingInt(r -> r.getInt(CYCLE)));
    List<Row> out = new ArrayList<>(batch.size());
    for (Row in : batch) {
      if (in.getInt(CYCLE) > state.lastCycle()) {
        out.add(next(state, in));
      }
    }
    return out;
  }
}
