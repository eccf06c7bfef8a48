package dev.pdm.scoring;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.table.DeltaRetry;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.mlflow.ChampionModels;
import dev.pdm.scoring.stream.AssetProcessor;
import dev.pdm.scoring.stream.AssetRefolds;
import java.sql.Timestamp;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scorer's preparation for champions on another feature-set version: every asset of the
 * dataset in silver is folded under the new version beside the stream, on a thread of the driver
 * ({@link AssetRefolds#prefold}, appended to ops.asset_refolds as bases), while the loaded pair
 * scores on. When it is done the swap goes ahead; each asset's refold then starts from its base
 * and folds only what landed since, so the micro-batch of the swap costs the stream little
 * however long the fleet's history. A prefold that fails is a warning of the watcher's; the next
 * refresh starts it again.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * try (FeatureSetPrefold prefold = new FeatureSetPrefold(warehouse, profile, "FD001", processorFor)) {
 *   watcher.featureSetSwaps(prefold);   // the watcher asks prefold.ready(next) before it swaps
 * }
 * </pre>
 */
final class FeatureSetPrefold implements ModelWatcher.FeatureSetSwap, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureSetPrefold.class);

  private final Warehouse warehouse;
  private final DatasetProfile profile;
  private final String dataset;
  private final Function<ChampionModels.Champions, Prepared> processors;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "pdm-feature-set-prefold");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Future<?>> runs = new ConcurrentHashMap<>();

  /** A processor for the champions' feature set, and what to release when the prefold is done with it. */
  record Prepared(AssetProcessor processor, Runnable release) {}

  FeatureSetPrefold(Warehouse warehouse, DatasetProfile profile, String dataset,
      Function<ChampionModels.Champions, Prepared> processors) {
    this.warehouse = warehouse;
    this.profile = profile;
    this.dataset = dataset;
    this.processors = processors;
  }

  @Override
  public boolean ready(ChampionModels.Champions next) {
    String key = next.rul() + " " + next.failure();
    Future<?> run = runs.computeIfAbsent(key, k -> thread.submit(() -> prefold(next)));
    if (!run.isDone()) {
      return false;
    }
    try {
      run.get();
      return true;
    } catch (ExecutionException e) {
      runs.remove(key);
      Throwable cause = e.getCause();
      throw PdmErrors.failure("fold the assets of " + dataset + " under feature set v" + next.featureSetVersion(),
          String.valueOf(cause.getMessage()), "the next refresh tries again", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void prefold(ChampionModels.Champions next) {
    long started = System.currentTimeMillis();
    LOG.info("Folding every asset of {} under feature set v{} for {}, beside the stream", dataset,
        next.featureSetVersion(), next);
    Prepared prepared = processors.apply(next);
    try {
      String path = warehouse.path(Tables.OPS_ASSET_REFOLDS);
      DeltaRetry.commit("append the prefold of " + dataset + " to ops.asset_refolds", () ->
          AssetRefolds.prefold(warehouse, profile, dataset, prepared.processor(),
                  functions.lit(new Timestamp(started)))
              .write().format("delta").mode("append").save(path));
    } finally {
      prepared.release().run();
    }
    LOG.info("Folded every asset of {} under feature set v{} in {} ms; swapping at the next refresh", dataset,
        next.featureSetVersion(), System.currentTimeMillis() - started);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
