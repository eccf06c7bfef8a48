package dev.pdm.scoring;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.mlflow.Tracking;
import java.util.function.LongSupplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The champions a running stream scores with. Between micro-batches (on the driver) it asks the
 * registry, at most once per refresh interval, where the champion aliases point, and loads the new
 * versions when they moved; a micro-batch is scored by one pair from start to end, so a swap never
 * splits or repeats a batch. A pair caught half moved (one alias of a promotion across feature-set
 * versions moved, the other not yet) is not loaded: the loaded pair scores on. Champions on another
 * feature-set version are swapped in when the stream can fold its assets' state again
 * ({@link #featureSetSwaps}: checkpoints with a state TTL) and the swap says it is ready (every
 * asset folded under the new version beside the stream); until then the loaded pair scores on. On
 * a checkpoint that cannot fold again, the loaded pair scores on, with a warning each refresh. A
 * refresh that fails (the registry unreachable, a token refused, a
 * champion whose artifacts cannot be loaded) is a warning, not the stream's end: the loaded pair
 * scores on, and the registry is asked again after the next interval.
 */
final class ModelWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ModelWatcher.class);

  private final SparkSession spark;
  private final Tracking tracking;
  private final PdmConfig config;
  private final String dataset;
  private final long refreshMillis;
  private final LongSupplier clock;
  private ChampionModels.Champions current;
  private long checkedAt;
  // volatile: read by the metrics system's gauges without waiting for a refresh in progress
  private volatile int swaps;
  private volatile int failedRefreshes;
  private volatile FeatureSetSwap featureSetSwap;
  /** Champions on another feature-set version, loaded, waiting for their swap to be ready. */
  private ChampionModels.Champions pending;

  /** What a stream does before it takes champions on another feature-set version. */
  interface FeatureSetSwap {
    /** Whether the stream may swap to {@code next} now; starts what it needs the first time it is asked. */
    boolean ready(ChampionModels.Champions next);
  }

  ModelWatcher(SparkSession spark, Tracking tracking, PdmConfig config, String dataset, long refreshMillis,
      LongSupplier clock) {
    this.spark = spark;
    this.tracking = tracking;
    this.config = config;
    this.dataset = dataset;
    this.refreshMillis = refreshMillis;
    this.clock = clock;
    this.current = ChampionModels.load(spark, tracking, config, dataset);
    this.checkedAt = clock.getAsLong();
  }

  /** The champions to score the next micro-batch with. */
  synchronized ChampionModels.Champions current() {
    long now = clock.getAsLong();
    if (now - checkedAt < refreshMillis) {
      return current;
    }
    checkedAt = now;
    ChampionModels.Pair pair;
    try {
      pair = ChampionModels.aliases(tracking, config, dataset);
    } catch (RuntimeException e) {
      return refreshFailed("ask the registry where the champions point", e);
    }
    ChampionModels.ModelRef rul = pair.rul();
    ChampionModels.ModelRef failure = pair.failure();
    if (current.same(rul, failure)) {
      return current;
    }
    if (!pair.complete()) {
      // a promotion between its two alias moves: score with the pair loaded, ask again next interval
      LOG.info("Champions of {} are half moved ({} and {}); scoring with {} until both have moved", dataset, rul,
          failure, current);
      return current;
    }
    boolean otherSet = rul.featureSetVersion() != current.featureSetVersion();
    FeatureSetSwap swap = featureSetSwap;
    if (otherSet && swap == null) {
      return refreshFailed("swap in " + rul + " and " + failure, PdmErrors.failure("swap in the new champions of "
              + dataset, "they read feature set v" + rul.featureSetVersion() + ", the stream's checkpoint holds"
              + " state of v" + current.featureSetVersion() + " and was begun without a state TTL, so its assets"
              + " cannot be folded again", "start the scorer with a new --checkpoint"));
    }
    ChampionModels.Champions next;
    if (pending != null && pending.same(rul, failure)) {
      next = pending;
    } else {
      try {
        next = ChampionModels.load(spark, tracking, config, dataset, pair);
      } catch (RuntimeException e) {
        return refreshFailed("load " + rul + " and " + failure, e);
      }
    }
    if (otherSet) {
      pending = next;
      boolean ready;
      try {
        ready = swap.ready(next);
      } catch (RuntimeException e) {
        return refreshFailed("prepare the swap to " + next, e);
      }
      if (!ready) {
        LOG.info("Champions of {} moved to {}; scoring with {} until every asset is folded under feature set v{}",
            dataset, next, current, next.featureSetVersion());
        return current;
      }
    }
    pending = null;
    failedRefreshes = 0;
    LOG.info("Champions of {} moved: {} -> {}; scoring with them from this micro-batch on", dataset, current, next);
    current = next;
    swaps++;
    return current;
  }

  private ChampionModels.Champions refreshFailed(String what, RuntimeException e) {
    failedRefreshes++;
    LOG.warn("Cannot {} for {} ({} refresh(es) in a row failed): {}; scoring on with {}, asking again in {} s",
        what, dataset, failedRefreshes, e.getMessage(), current, refreshMillis / 1000);
    return current;
  }

  /** How the running query takes champions on another feature-set version; null: it cannot fold its assets again. */
  void featureSetSwaps(FeatureSetSwap swap) {
    featureSetSwap = swap;
  }

  /** Refreshes that failed since the last one that worked (0: the registry answers). */
  int failedRefreshes() {
    return failedRefreshes;
  }

  /** The champions loaded last, without asking the registry. */
  synchronized ChampionModels.Champions loaded() {
    return current;
  }

  int swaps() {
    return swaps;
  }
}
