package dev.pdm.scoring.stream;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.Durations;
import dev.pdm.features.FeatureCalculator;
import dev.pdm.features.FeatureRows;
import dev.pdm.features.FeatureSet;
import dev.pdm.ingest.RejectReason;
import dev.pdm.scoring.RiskLevels.Level;
import java.time.Duration;
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
 * <p>With a state TTL ({@link #withStateTtl}, checkpoints begun since pdm had it), an asset silent
 * for the TTL leaves the state store; a small {@code seen} mark outlives it (by
 * {@code refoldWithin}). When a marked asset sends again, its records are landed (merged into
 * silver, as the state cannot check them) and held, and one {@link StreamOutput#REFOLD} row asks
 * the batch writer to fold its silver history again ({@link #refold}); the folded state comes back
 * through the query's third source a micro-batch later, and the held cycles are folded and scored
 * on it. An asset never seen, or silent beyond {@code refoldWithin}, starts from an empty state.
 *
 * <p>Holding: a cycle fleet's cycle after a missing one is held until the gap fills or more than
 * {@code allowedCycles} are held. A time fleet's cycles are ticks, and gaps are normal: its
 * readings are held until the asset has sent one {@code allowedCycles} ticks newer (its own
 * event-time watermark, so one asset's clock does not hold another's readings), or the next tick
 * arrives; a reading older than the newest folded one is late.
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
  private final long ttlMillis;
  private final long refoldWithinMillis;
  private final int setVersion;
  private final int baseVersion;
  private transient ValueState<AssetState> state;
  private transient ValueState<AssetClock> clock;
  /** With a TTL: the day an asset was last seen (refreshed once a day), or {@link #REFOLDING}. */
  private transient ValueState<Long> seen;
  /**
   * With a TTL: the feature-set version the asset's state was folded under, or its refold was asked
   * for under (absent: {@code baseVersion}).
   */
  private transient ValueState<Integer> foldedUnder;

  /** The {@code seen} mark of an asset waiting for its state folded again. */
  private static final long REFOLDING = -1L;
  private static final long DAY_MS = 86_400_000L;

  /**
   * @param settingAt where each of the feature set's settings is in a record's readings
   * @param sensorAt where each of the spec's sensors is
   * @param assetRiskMillis how often an asset's ops.asset_risk row is emitted; 0: whenever it changed
   */
  AssetProcessor(String dataset, FeatureRows rows, Broadcast<CycleScorer> scorer, int allowedCycles,
      int maxCycleGap, int recentCycles, long assetRiskMillis, int[] settingAt, int[] sensorAt, long ttlMillis,
      long refoldWithinMillis, int setVersion, int baseVersion) {
    this.dataset = dataset;
    this.rows = rows;
    this.scorer = scorer;
    this.allowedCycles = allowedCycles;
    this.maxCycleGap = maxCycleGap;
    this.recentCycles = recentCycles;
    this.assetRiskMillis = assetRiskMillis;
    this.settingAt = settingAt;
    this.sensorAt = sensorAt;
    this.ttlMillis = ttlMillis;
    this.refoldWithinMillis = refoldWithinMillis;
    this.setVersion = setVersion;
    this.baseVersion = baseVersion;
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
        assetRiskMillis, positions(readings, set.settings(), dataset), positions(readings, set.spec().sensors(), dataset),
        0, 0, set.version(), set.version());
  }

  /**
   * This processor with a state TTL: an asset silent for {@code ttlMillis} leaves the state store,
   * and is folded again from silver when it sends within {@code refoldWithinMillis}. It needs
   * {@link TimeMode#ProcessingTime()}, so only a checkpoint begun with it can run it.
   */
  public AssetProcessor withStateTtl(long ttlMillis, long refoldWithinMillis) {
    return withStateTtl(ttlMillis, refoldWithinMillis, setVersion);
  }

  /**
   * {@link #withStateTtl(long, long)} on a checkpoint whose assets' states were folded under
   * feature set {@code baseVersion} unless marked otherwise: when it is not this processor's set,
   * each asset's state is folded again under this one (from silver, as a returning asset's is)
   * before its next cycles are scored.
   */
  public AssetProcessor withStateTtl(long ttlMillis, long refoldWithinMillis, int baseVersion) {
    if (ttlMillis <= 0 || refoldWithinMillis <= 0) {
      throw new IllegalArgumentException("a state TTL and a refold time must be positive");
    }
    return new AssetProcessor(dataset, rows, scorer, allowedCycles, maxCycleGap, recentCycles, assetRiskMillis,
        settingAt, sensorAt, ttlMillis, refoldWithinMillis, setVersion, baseVersion);
  }

  /** The feature-set version this processor folds with. */
  public int featureSetVersion() {
    return setVersion;
  }

  /** Whether assets' state expires (and returning assets are folded again). */
  public boolean hasStateTtl() {
    return ttlMillis > 0;
  }

  /** The time mode the query runs this processor in: processing time for the TTL, else none. */
  public TimeMode timeMode() {
    return ttlMillis > 0 ? TimeMode.ProcessingTime() : TimeMode.None();
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
    TTLConfig ttl = ttlMillis > 0 ? new TTLConfig(Duration.ofMillis(ttlMillis)) : TTLConfig.NONE();
    state = getHandle().getValueState("asset", Encoders.bean(AssetState.class), ttl);
    clock = getHandle().getValueState("clock", Encoders.bean(AssetClock.class), ttl);
    if (ttlMillis > 0) {
      seen = getHandle().getValueState("seen", Encoders.LONG(), new TTLConfig(Duration.ofMillis(refoldWithinMillis)));
      foldedUnder = getHandle().getValueState("feature_set", Encoders.INT(),
          new TTLConfig(Duration.ofMillis(refoldWithinMillis)));
    }
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
    AssetState s = state.exists() ? state.get() : null;
    AssetClock times = clock.exists() ? clock.get() : new AssetClock();
    Long seenDay = seen != null && seen.exists() ? seen.get() : null;
    boolean refolding = seenDay != null && seenDay == REFOLDING && s != null;
    int folded = foldedUnder != null && foldedUnder.exists() ? foldedUnder.get() : baseVersion;
    boolean ask = false;
    if (s == null && seenDay != null) {
      // back after its state expired: hold its cycles until its history is folded again
      s = refoldingState(List.of());
      refolding = true;
      ask = true;
    } else if (s != null && folded != setVersion) {
      // folded (or waiting for a fold) under another feature set: champions on a new version were
      // swapped in. Window features cannot be carried over, so its history is folded again under
      // this one; the cycles it holds for a missing one stay held, left out of that history
      s = refoldingState(s.getHeld() == null ? List.of() : s.getHeld());
      refolding = true;
      ask = true;
    }
    if (s == null) {
      s = AssetStates.fresh(recentCycles);
    }
    for (StreamInput r : records) {
      Integer under = r.getRefoldFeatureSet();
      // The refolds source passes this set's refolds and untagged ones; an untagged refold was
      // written before refolds named their set, under the checkpoint's base set, which a swap may
      // have left: such a state is not this set's, and the asset's own ask (above) gets one that is.
      if (StreamInput.REFOLD.equals(r.getKind()) && refolding && (under == null ? baseVersion : under) == setVersion) {
        s = takeRefold(s, r);
        times = r.getRefoldClock() != null ? r.getRefoldClock() : new AssetClock();
        refolding = false;
        ask = false;
        break;
      }
    }
    AssetStates.ensureRecent(s, recentCycles);
    FeatureCalculator calculator = rows.calculator();
    FeatureCalculator.State features = s.getFeatures() == null ? calculator.newState()
        : calculator.fromBean(s.getFeatures());
    TreeMap<Integer, HeldCycle> held = new TreeMap<>();
    if (s.getHeld() != null) {
      s.getHeld().forEach(h -> held.put(h.getCycle(), h));
    }
    boolean changed = false;
    // this batch's new records by cycle: a cycle folded now is scored into its LANDED row
    Map<Integer, StreamOutput> landedNow = new HashMap<>();
    for (StreamInput r : records) {
      if (StreamInput.REFOLD.equals(r.getKind())) {
        continue;
      }
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
    if (ask && own) {
      StreamOutput refold = new StreamOutput();
      refold.setKind(StreamOutput.REFOLD);
      refold.setDataset(dataset);
      refold.setAssetId(records.get(0).getAssetId());
      refold.setHeldSources(s.getHeld().stream().map(HeldCycle::getSource).toList());
      out.add(refold);
    }
    boolean timed = rows.featureSet().spec().timed();
    while (own && !refolding && !held.isEmpty() && (held.firstKey() == features.lastCycle() + 1
        || (timed ? held.firstKey() <= (long) held.lastKey() - allowedCycles : held.size() > allowedCycles))) {
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
    if (seen != null) {
      long day = refolding ? REFOLDING : now(timers) / DAY_MS;
      if (seenDay == null || seenDay != day) {
        // once a day at most: the mark's TTL restarts on every update
        seen.update(day);
      }
      if (folded != setVersion || seenDay == null || seenDay != day) {
        // with the mark: it outlives the state as long, and says what a returning asset was folded under
        foldedUnder.update(setVersion);
      }
    }
    return CollectionConverters.asScala(out.iterator());
  }

  /**
   * The state of an asset waiting for its history, holding {@code held}: every record it lands is
   * merged into silver insert-only.
   */
  private AssetState refoldingState(List<HeldCycle> held) {
    AssetState s = AssetStates.fresh(recentCycles);
    s.setHeld(new ArrayList<>(held));
    s.setLandedThrough(Integer.MAX_VALUE);
    s.setPredictedThrough(Integer.MAX_VALUE);
    return s;
  }

  /**
   * The refolded state, with the cycles held while waiting for it that lie beyond its history (the
   * others were landed merged: silver kept its first record of the cycle).
   */
  private AssetState takeRefold(AssetState waiting, StreamInput r) {
    AssetState s = r.getRefoldState();
    AssetStates.ensureRecent(s, recentCycles);
    int through = s.getFeatures() == null ? 0 : s.getFeatures().getLastCycle();
    List<HeldCycle> held = new ArrayList<>();
    if (waiting.getHeld() != null) {
      for (HeldCycle h : waiting.getHeld()) {
        if (h.getCycle() > through) {
          held.add(h);
        }
      }
    }
    s.setHeld(held);
    return s;
  }

  /**
   * An asset's state folded again from its silver history, as this processor would have folded
   * it: every cycle in order into the window features, the readings hashes and the anomaly run
   * ({@link CycleScorer#pass}), none scored. What the warehouse held is history: folded, not
   * predicted again ({@code predicted}: the asset's last cycle in gold.predictions); the alerted
   * level is the asset's open alerts' ({@code alertedLevel}, null: none).
   */
  public AssetRefold refold(String assetId, List<HeldCycle> history, int predicted, String alertedLevel) {
    return refold(assetId, null, history, predicted, alertedLevel);
  }

  /**
   * {@link #refold(String, List, int, String)} on top of {@code base}, an earlier refold of the
   * asset under this processor's feature set (null: none): the history's cycles after the base's
   * last folded one are folded on its state.
   */
  public AssetRefold refold(String assetId, AssetRefold base, List<HeldCycle> history, int predicted,
      String alertedLevel) {
    List<HeldCycle> ordered = new ArrayList<>(history);
    ordered.sort(Comparator.comparingInt(HeldCycle::getCycle));
    boolean on = base != null && base.getState() != null && base.getState().getFeatures() != null;
    FeatureCalculator.State features = on ? rows.calculator().fromBean(base.getState().getFeatures())
        : rows.calculator().newState();
    AssetState s = on ? base.getState() : AssetStates.fresh(recentCycles);
    AssetStates.ensureRecent(s, recentCycles);
    s.setHeld(new ArrayList<>());
    AssetClock times = on && base.getClock() != null ? base.getClock() : new AssetClock();
    CycleScorer cycles = scorer.value();
    int folded = on ? base.getHistoryCycles() : 0;
    for (HeldCycle h : ordered) {
      if (h.getCycle() <= features.lastCycle()) {
        continue;
      }
      FeatureRows.Folded f = rows.fold(features, h.getCycle(), pick(h.getReadings(), settingAt),
          pick(h.getReadings(), sensorAt), false);
      AssetStates.remember(s, h.getCycle(), h.getHash(), h.getSource());
      times.observe(h.getCycle(), h.getEventTime(), h.getKafkaTimestamp());
      cycles.pass(s, f.regime(), f.inputs());
      folded++;
    }
    s.setFeatures(features.toBean());
    s.setLandedThrough(features.lastCycle());
    s.setPredictedThrough(Math.max(features.lastCycle(), predicted));
    s.setAlertedLevel(alertedLevel == null ? Level.LOW.name() : alertedLevel);
    AssetRefold r = new AssetRefold();
    r.setDataset(dataset);
    r.setAssetId(assetId);
    r.setHistoryCycles(folded);
    r.setFeatureSetVersion(setVersion);
    r.setState(s);
    r.setClock(times);
    return r;
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
      late.setLateReason(lateReason(r, features.lastCycle()));
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

  private String lateReason(StreamInput r, int lastFolded) {
    int cycle = r.getCycle();
    long tick = rows.featureSet().spec().tickMillis();
    if (tick > 0) {
      return "the reading of " + r.getAssetId() + " at " + r.getEventTime().toInstant() + " arrived after one "
          + Durations.format((lastFolded - (long) cycle) * tick) + " newer was folded, beyond the lateness allowance"
          + " of " + Durations.format(allowedCycles * tick) + " (pdm.scoring.lateness.allowed); the stream folds an"
          + " asset's readings in time order (the next features run and score-batch cover it)";
    }
    return "cycle " + cycle + " of " + r.getAssetId() + " arrived after cycle " + lastFolded
        + " was folded, beyond the lateness allowance of " + allowedCycles + " cycles"
        + " (pdm.scoring.lateness.allowed-cycles); the stream folds an asset's cycles in order (the next"
        + " features run and score-batch cover it)";
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

  /** Refolds, then resolves, then the first record sent first (Kafka orders records within a partition only). */
  private static final Comparator<StreamInput> ORDER = Comparator
      .comparing((StreamInput r) -> StreamInput.REFOLD.equals(r.getKind()) ? 0
          : StreamInput.RESOLVE.equals(r.getKind()) ? 1 : 2)
      .thenComparing(r -> r.getKafkaTimestamp() == null ? 0L : r.getKafkaTimestamp().getTime())
      .thenComparing(r -> r.getKafkaPartition() == null ? 0 : r.getKafkaPartition())
      .thenComparing(r -> r.getKafkaOffset() == null ? 0L : r.getKafkaOffset());
}
