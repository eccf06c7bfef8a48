package dev.pdm.scoring;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.function.IntSupplier;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;

/**
 * The scorer's own gauges in Spark's metrics system (the driver's), so they appear beside the
 * streaming query's metrics in every sink Spark is configured with, the Prometheus servlet
 * included: {@code metrics_<app>_driver_pdm_scoring_<dataset>_failedModelRefreshes_Value}, the
 * champion refreshes that failed in a row (0: the registry answers; alert on a value above 0 that
 * lasts), and {@code ..._modelSwaps_Value}, the champion swaps since the stream started.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * try (ScorerMetrics metrics = ScorerMetrics.register("FD001", watcher::failedRefreshes, watcher::swaps)) {
 *   ... run the query ...
 * }
 * </pre>
 */
final class ScorerMetrics implements Source, AutoCloseable {

  private final String name;
  private final MetricRegistry registry = new MetricRegistry();

  private ScorerMetrics(String dataset, IntSupplier failedRefreshes, IntSupplier swaps) {
    this.name = "pdm.scoring." + dataset;
    registry.register("failedModelRefreshes", (Gauge<Integer>) failedRefreshes::getAsInt);
    registry.register("modelSwaps", (Gauge<Integer>) swaps::getAsInt);
  }

  /** Registers the gauges of a dataset's scorer with the driver's metrics system until closed. */
  static ScorerMetrics register(String dataset, IntSupplier failedRefreshes, IntSupplier swaps) {
    ScorerMetrics metrics = new ScorerMetrics(dataset, failedRefreshes, swaps);
    SparkEnv env = SparkEnv.get();
    if (env != null) {
      // a source of the same name left by an earlier run in this JVM would shadow this one
      env.metricsSystem().getSourcesByName(metrics.name).foreach(old -> {
        env.metricsSystem().removeSource(old);
        return null;
      });
      env.metricsSystem().registerSource(metrics);
    }
    return metrics;
  }

  @Override
  public String sourceName() {
    return name;
  }

  @Override
  public MetricRegistry metricRegistry() {
    return registry;
  }

  @Override
  public void close() {
    SparkEnv env = SparkEnv.get();
    if (env != null) {
      env.metricsSystem().removeSource(this);
    }
  }
}
