package dev.pdm.scoring.stream;

import dev.pdm.common.PdmErrors;
import dev.pdm.features.FeatureCalculator;
import dev.pdm.features.FeatureRows;
import dev.pdm.features.FeatureSet;
import dev.pdm.ingest.RejectReason;
import dev.pdm.scoring.RiskLevels.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StatefulProcessorWithInitialState;
import org.apache.spark.sql.streaming.TTLConfig;
import org.apache.spark.sql.streaming.TimeMode;
import org.apache.spark.sql.streaming.TimerValues;
import org.apache.spark.sql.streaming.ValueState;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The scoring query's per-asset step ({@code transformWithState}, keyed by {@link #key}): one
 * micro-batch's records of an asset are classified against the asset's state (new, duplicate,
 * conflicting, or too late to fold), its new cycles folded in order into window features, and
 * every folded cycle scored ({@link CycleScorer}). Everything an asset needs between batches is
 * in its {@link AssetState}; nothing is read from a table per batch.
 *
 * <p>Classification keeps the first record of a key, by Kafka timestamp, partition and offset.
 * A record's cycle is compared with the cycles held for a missing one and with the readings
 * hashes of the asset's last {@code recentCycles} cycles; a cycle older than that window cannot
 * be told from one silver holds, so it is landed {@code checked = false} and the writer merges it
 * into silver insert-only instead of appending it. So are cycles at or before what silver held
 * for the asset when the checkpoint began ({@code landedThrough}), and a cycle at or before
 * {@code predictedThrough} is folded but not predicted again.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * inputs.groupByKey(AssetProcessor::key, Encoders.STRING())
 *     .transformWithState(processor, TimeMode.None(), OutputMode.Append(), initialState,
 *         Encoders.bean(StreamOutput.class), Encoders.bean(AssetState.class));
 * </pre>
 */
public final class AssetProcessor
    extends StatefulProcessorWithInitialState<String, StreamInput, StreamOutput, AssetState> {

  /** Records without a dataset and asset (rejected ones) share this key. */
  public static final String NO_ASSET = "";

  private final String dataset;
  private final FeatureRows rows;
  private final Broadcast<CycleScorer> scorer;
  private final int allowedCycles;
  private final int maxCycleGap;
  private final int recentCycles;
  private final long assetRiskMillis;
  private final int[] settingAt;
  private final int[] sensorAt;
  private transient ValueState<AssetState> state;
  private transient ValueState<AssetClock> clock;

  /**
   * @param settingAt where each of the feature set's settings is in a record's readings
   * @param sensorAt where each of the spec's sensors is
   * @param assetRiskMillis how often an asset's ops.asset_risk row is emitted; 0: whenever it changed
   */
  AssetProcessor(String dataset, FeatureRows rows, Broadcast<CycleScorer> scorer, int allowedCycles,
      int maxCycleGap, int recentCycles, long assetRiskMillis, int[] settingAt, int[] sensorAt) {
    this.dataset = dataset;
    this.rows = rows;
    this.scorer = scorer;
    this.allowedCycles = allowedCycles;
    this.maxCycleGap = maxCycleGap;
    this.recentCycles = recentCycles;
    this.assetRiskMillis = assetRiskMillis;
    this.settingAt = settingAt;
    this.sensorAt = sensorAt;
  }

  /**
   * A processor for a dataset's records, whose readings come in {@code readings} order (the
   * dataset profile's settings and sensors).
   *
   * @param maxCycleGap the most a cycle may lie beyond its asset's last folded one (0: no limit)
   */
  public static AssetProcessor create(String dataset, FeatureSet set, List<String> readings,
      Broadcast<CycleScorer> scorer, int allowedCycles, int maxCycleGap, int recentCycles, long assetRiskMillis) {
    return new AssetProcessor(dataset, new FeatureRows(set, -1), scorer, allowedCycles, maxCycleGap, recentCycles,
        assetRiskMillis, positions(readings, set.settings(), dataset), positions(readings, set.spec().sensors(), dataset));
  }

  static int[] positions(List<String> readings, List<String> names, String dataset) {
    int[] at = new int[names.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = readings.indexOf(names.get(i));
      if (at[i] < 0) {
        throw PdmErrors.config("score " + dataset, "the feature set reads " + names.get(i)
            + ", which the dataset profile does not define", "fix pdm.profile." + dataset + " or run pdm features again");
      }
    }
    return at;
  }

  /** The grouping key of a record: its dataset and asset. */
  public static String key(String dataset, String asset) {
    return dataset == null || asset == null ? NO_ASSET : dataset + '\u0001' + asset;
  }

  @Override
  public void init(OutputMode outputMode, TimeMode timeMode) {
    state = getHandle().getValueState("asset", Encoders.bean(AssetState.class), TTLConfig.NONE());
    clock = getHandle().getValueState("clock", Encoders.bean(AssetClock.class), TTLConfig.NONE());
  }

  @Override
  public void handleInitialState(String key, AssetState initial, TimerValues timers) {
    state.update(initial);
  }

  @Override
  public scala.collection.Iterator<StreamOutput> handleInputRows(String key, scala.collection.Iterator<StreamInput> in,
      TimerValues timers) {
    List<StreamInput> records = new ArrayList<>();
    in.foreach(records::add);
    records.sort(ORDER);
    List<StreamOutput> out = new ArrayList<>(records.size() * 2);
    if (key.equals(NO_ASSET)) {
      for (StreamInput r : records) {
        out.add(landed(r, r.getReasonCode() == null ? "INSERT" : "REJECT", false));
      }
      return CollectionConverters.asScala(out.iterator());
    }
    AssetState s = state.exists() ? state.get() : AssetStates.fresh(recentCycles);
    AssetStates.ensureRecent(s, recentCycles);
    FeatureCalculator calculator = rows.calculator();
    FeatureCalculator.State features = s.getFeatures() == null ? calculator.newState()
        : calculator.fromBean(s.getFeatures());
    TreeMap<Integer, HeldCycle> held = new TreeMap<>();
    if (s.getHeld() != null) {
      s.getHeld().forEach(h -> held.put(h.getCycle(), h));
    }
    AssetClock times = clock.exists() ? clock.get() : new AssetClock();
    boolean changed = false;
    // this batch's new records by cycle: a cycle folded now is scored into its LANDED row
    Map<Integer, StreamOutput> landedNow = new HashMap<>();
    for (StreamInput r : records) {
      if (StreamInput.RESOLVE.equals(r.getKind())) {
        s.setAlertedLevel(Level.LOW.name());
        changed = true;
      } else if (r.getReasonCode() != null) {
        out.add(landed(r, "REJECT", false));
      } else if (r.getCycle() == null) {
        // keyed by event time: silver's merge decides whether it is new
        out.add(landed(r, "INSERT", false));
      } else {
        StreamOutput landed = classify(s, features, held, r);
        out.add(landed);
        if ("INSERT".equals(landed.getStatus()) && landed.getLateReason() == null) {
          landedNow.put(r.getCycle(), landed);
        }
      }
    }
    boolean own = dataset.equals(records.get(0).getDataset());
    CycleScorer cycles = scorer.value();
    while (own && !held.isEmpty()
        && (held.firstKey() == features.lastCycle() + 1 || held.size() > allowedCycles)) {
      HeldCycle h = held.pollFirstEntry().getValue();
      FeatureRows.Folded f = rows.fold(features, h.getCycle(), pick(h.getReadings(), settingAt),
          pick(h.getReadings(), sensorAt));
      AssetStates.remember(s, h.getCycle(), h.getHash(), h.getSource());
      times.observe(h.getCycle(), h.getEventTime(), h.getKafkaTimestamp());
      StreamOutput row = landedNow.get(h.getCycle());
      boolean predict = h.getCycle() > s.getPredictedThrough();
      if (row != null && predict) {
        cycles.score(s, row, f.regime(), f.inputs());
      } else {
        StreamOutput scored = cycles.score(s, dataset, records.get(0).getAssetId(), h.getCycle(), h.getEventTime(),
            h.getKafkaTimestamp(), f.regime(), f.inputs());
        if (predict) {
          out.add(scored);
        }
      }
      changed = true;
    }
    if (changed) {
      stampAlerts(out, times);
      clock.update(times);
    }
    s.setDirty(s.isDirty() || changed);
    long window = assetRiskMillis <= 0 ? Long.MIN_VALUE : now(timers) / assetRiskMillis;
    if (own && s.isDirty() && s.getScoredCycle() > 0 && (window == Long.MIN_VALUE || window != s.getFlushedWindow())) {
      out.add(AssetStates.assetRow(s, dataset, records.get(0).getAssetId()));
      s.setFlushedWindow(window);
      s.setDirty(false);
    }
    s.setFeatures(features.toBean());
    s.setHeld(new ArrayList<>(held.values()));
    state.update(s);
    return CollectionConverters.asScala(out.iterator());
  }

  /** Gives the batch's alert rows the asset's time per cycle, from which its work order's due date comes. */
  private static void stampAlerts(List<StreamOutput> out, AssetClock times) {
    Double seconds = times.cycleSeconds();
    for (StreamOutput o : out) {
      if (o.getAlertId() != null) {
        o.setCycleSeconds(seconds);
      }
    }
  }

  /** How a record with a cycle lands: new (held for folding), a duplicate, a conflict, or new but too late to fold. */
  private StreamOutput classify(AssetState s, FeatureCalculator.State features, TreeMap<Integer, HeldCycle> held,
      StreamInput r) {
    int cycle = r.getCycle();
    long hash = AssetStates.hash(r.getReadings());
    String source = source(r);
    HeldCycle waiting = held.get(cycle);
    if (waiting != null) {
      return again(r, waiting.getHash() == hash, waiting.getSource());
    }
    if (cycle <= features.lastCycle()) {
      int slot = AssetStates.slot(s, cycle);
      if (s.getRecentCycles()[slot] == cycle) {
        return again(r, s.getRecentHashes()[slot] == hash, s.getRecentSources().get(slot));
      }
      boolean known = cycle > features.lastCycle() - s.getRecentCycles().length;
      if (known) {
        AssetStates.remember(s, cycle, hash, source);
      }
      StreamOutput late = landed(r, "INSERT", known && cycle > s.getLandedThrough());
      late.setLateReason("cycle " + cycle + " of " + r.getAssetId() + " arrived after cycle " + features.lastCycle()
          + " was folded, beyond the lateness allowance of " + allowedCycles + " cycles"
          + " (pdm.scoring.lateness.allowed-cycles); the stream folds an asset's cycles in order (the next"
          + " features run and score-batch cover it)");
      return late;
    }
    if (maxCycleGap > 0 && features.lastCycle() > 0 && cycle > features.lastCycle() + (long) maxCycleGap) {
      // folded, it would make every later true cycle of the asset late; held, it would wait forever
      StreamOutput jump = landed(r, "REJECT", false);
      jump.setReasonCode(RejectReason.CYCLE_JUMP.name());
      jump.setReason("cycle " + cycle + " of " + r.getAssetId() + " is " + (cycle - features.lastCycle())
          + " cycles after its last scored cycle " + features.lastCycle() + ", more than pdm.scoring.max-cycle-gap ("
          + maxCycleGap + "); a counter that jumped would make every later cycle of the asset late (raise the gap"
          + " if the asset really ran that long unseen)");
      return jump;
    }
    HeldCycle h = new HeldCycle();
    h.setCycle(cycle);
    h.setEventTime(r.getEventTime());
    h.setKafkaTimestamp(r.getKafkaTimestamp());
    h.setReadings(r.getReadings());
    h.setHash(hash);
    h.setSource(source);
    held.put(cycle, h);
    return landed(r, "INSERT", cycle > s.getLandedThrough());
  }

  private static StreamOutput again(StreamInput r, boolean same, String firstSource) {
    if (same) {
      return landed(r, "DUPLICATE", true);
    }
    StreamOutput c = landed(r, "CONFLICT", true);
    c.setReasonCode(RejectReason.CONFLICTING_DUPLICATE.name());
    c.setReason("asset " + r.getAssetId() + " cycle " + r.getCycle() + " was landed before with other readings, from "
        + firstSource + "; the first record stays");
    return c;
  }

  static StreamOutput landed(StreamInput r, String status, boolean checked) {
    StreamOutput o = new StreamOutput();
    o.setKind(StreamOutput.LANDED);
    o.setStatus(status);
    o.setChecked(checked);
    o.setDataset(r.getDataset());
    o.setAssetId(r.getAssetId());
    o.setCycle(r.getCycle());
    o.setEventTime(r.getEventTime());
    o.setKafkaTimestamp(r.getKafkaTimestamp());
    o.setReasonCode(r.getReasonCode());
    o.setReason(r.getReason());
    o.setReadings(r.getReadings());
    o.setTopic(r.getTopic());
    o.setKafkaPartition(r.getKafkaPartition());
    o.setKafkaOffset(r.getKafkaOffset());
    o.setPayload(r.getPayload());
    return o;
  }

  /** {@code kafka:<topic>/<partition>/<offset>}, as silver names a record's source. */
  static String source(StreamInput r) {
    return "kafka:" + r.getTopic() + "/" + r.getKafkaPartition() + "/" + r.getKafkaOffset();
  }

  /** The readings at positions {@code at} (see {@link #positions}). */
  static double[] pick(double[] readings, int[] at) {
    double[] v = new double[at.length];
    for (int i = 0; i < at.length; i++) {
      v[i] = readings[at[i]];
    }
    return v;
  }

  private static long now(TimerValues timers) {
    long t = timers.getCurrentProcessingTimeInMs();
    return t > 0 ? t : System.currentTimeMillis();
  }

  /** Resolves first, then the first record sent first (Kafka orders records within a partition only). */
  private static final Comparator<StreamInput> ORDER = Comparator
      .comparing((StreamInput r) -> StreamInput.RESOLVE.equals(r.getKind()) ? 0 : 1)
      .thenComparing(r -> r.getKafkaTimestamp() == null ? 0L : r.getKafkaTimestamp().getTime())
      .thenComparing(r -> r.getKafkaPartition() == null ? 0 : r.getKafkaPartition())
      .thenComparing(r -> r.getKafkaOffset() == null ? 0L : r.getKafkaOffset());
}
