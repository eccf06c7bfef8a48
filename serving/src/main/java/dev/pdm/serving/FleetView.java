package dev.pdm.serving;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import dev.pdm.common.table.TableDef;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.scoring.RiskLevels;
import dev.pdm.scoring.WorkOrders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as the read endpoints see it, in memory: each asset's latest predictions (at most
 * {@code historyCycles}, newest first), the alerts, the work orders and the asset events, folded
 * from gold.predictions, gold.alerts, gold.work_orders and gold.asset_events, the last batch of
 * each streaming query from ops.stream_metrics, the drift reports' summaries from
 * ops.drift_reports, and each asset's latest readings from silver.telemetry ({@link AssetReadings}),
 * by seven {@link TableFollower}s. Requests only read it; a list of every asset's latest prediction,
 * worst first, is rebuilt after each fold, so {@code GET /assets} filters a ready list.
 *
 * <p>Bounded: assets times {@code historyCycles} predictions, at most {@code maxAlerts} alerts and
 * as many work orders and asset events (the oldest closed ones leave first: {@link LatestRows}).
 * What a fold receives is cut down in Spark before it reaches the driver: the newest
 * {@code historyCycles} rows of each asset, the newest row of each alert.
 *
 * <p>Usage:
 * <pre>{@code
 * FleetView view = FleetView.start(spark, warehouse, 2000, 50, 100_000);
 * List<AssetPrediction> critical = view.assets("FD001", Set.of("CRITICAL"), 100).assets();
 * view.close();
 * }</pre>
 */
final class FleetView implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FleetView.class);

  /** An asset of a dataset. */
  record Key(String dataset, String assetId) {}

  /** Worst first: risk level, then failure probability, then the shorter RUL. */
  static final Comparator<AssetPrediction> WORST_FIRST = Comparator
      .comparingInt((AssetPrediction p) -> -RiskLevels.Level.valueOf(p.riskLevel()).ordinal())
      .thenComparing(AssetPrediction::failureProbability, Comparator.reverseOrder())
      .thenComparingDouble(AssetPrediction::predictedRul)
      .thenComparing(AssetPrediction::dataset)
      .thenComparing(AssetPrediction::assetId);

  private static final Comparator<AlertView> ALERTS_NEWEST_FIRST = newestFirst(AlertView::raisedAt, AlertView::alertId);
  private static final Comparator<StreamView> STREAMS_NEWEST_FIRST =
      newestFirst(StreamView::committedAt, StreamView::queryName);
  private static final Comparator<DriftReportView> REPORTS_NEWEST_FIRST =
      newestFirst(DriftReportView::createdAt, DriftReportView::reportId);
  private static final Comparator<AssetEventView> EVENTS_NEWEST_FIRST =
      newestFirst(AssetEventView::recordedAt, AssetEventView::eventId);

  /**
   * Newest first by an ISO-8601 instant, compared as instants (as text "...:00Z" sorts after
   * "...:00.5Z"), then by id so that ties have one order.
   */
  private static <V> Comparator<V> newestFirst(Function<V, String> at, Function<V, String> id) {
    return Comparator.comparing((V v) -> Instant.parse(at.apply(v)), Comparator.reverseOrder()).thenComparing(id);
  }

  /** Most urgent first: priority, then the fewest cycles to the due cycle, then the oldest. */
  private static final Comparator<WorkOrderView> URGENT_FIRST = Comparator.comparing(WorkOrderView::priority)
      .thenComparingInt(w -> w.dueCycle() - w.cycle())
      .thenComparing(w -> Instant.parse(w.createdAt()))
      .thenComparing(WorkOrderView::workOrderId);

  private static final int MAX_STREAMS = 1000;
  private static final int MAX_DRIFT_REPORTS = 1000;

  private final Warehouse warehouse;
  private final int historyCycles;
  private final Map<Key, List<AssetPrediction>> history = new ConcurrentHashMap<>();
  private final LatestRows<AlertView> alerts;
  private final LatestRows<WorkOrderView> workOrders;
  private final LatestRows<AssetEventView> events;
  private final LatestRows<StreamView> streams;
  private final AssetReadings readings;
  private final LatestRows<DriftReportView> driftReports;
  private volatile FleetRanking ranked = FleetRanking.EMPTY;
  private final TableFollower predictions;
  private final TableFollower alertsTable;
  private final TableFollower workOrdersTable;
  private final TableFollower eventsTable;
  private final TableFollower streamMetrics;
  private final TableFollower silver;
  private final TableFollower driftTable;
  private final ScheduledExecutorService poller;

  private FleetView(SparkSession spark, Warehouse warehouse, long refreshMillis, int historyCycles, int maxAlerts) {
    this.warehouse = warehouse;
    this.historyCycles = historyCycles;
    this.alerts = new LatestRows<>("alert_id", "updated_at", AlertView::of, AlertView::alertId, AlertView::updatedAt,
        a -> a.status().equals("resolved"), AlertView::raisedAt, maxAlerts);
    this.workOrders = new LatestRows<>("work_order_id", "updated_at", WorkOrderView::of, WorkOrderView::workOrderId,
        WorkOrderView::updatedAt, w -> !WorkOrders.OPEN_STATUSES.contains(w.status()), WorkOrderView::createdAt,
        maxAlerts);
    this.events = new LatestRows<>("event_id", "recorded_at", AssetEventView::of, AssetEventView::eventId,
        AssetEventView::recordedAt, e -> true, AssetEventView::recordedAt, maxAlerts);
    // one row per streaming query: a handful, however long the streams run
    this.streams = new LatestRows<>("query_name", "committed_at", StreamView::of, StreamView::queryName,
        StreamView::committedAt, s -> true, StreamView::committedAt, MAX_STREAMS);
    this.predictions = new TableFollower(spark, warehouse, Tables.GOLD_PREDICTIONS, refreshMillis,
        this::foldPredictions);
    this.alertsTable = new TableFollower(spark, warehouse, Tables.GOLD_ALERTS, refreshMillis, alerts::fold);
    this.workOrdersTable = new TableFollower(spark, warehouse, Tables.GOLD_WORK_ORDERS, refreshMillis,
        workOrders::fold);
    this.eventsTable = new TableFollower(spark, warehouse, Tables.GOLD_ASSET_EVENTS, refreshMillis, events::fold);
    this.streamMetrics = new TableFollower(spark, warehouse, Tables.OPS_STREAM_METRICS, refreshMillis, streams::fold);
    this.readings = new AssetReadings(historyCycles);
    this.silver = new TableFollower(spark, warehouse, Tables.SILVER_TELEMETRY, refreshMillis, readings::fold);
    this.driftReports = new LatestRows<>("report_id", "created_at", DriftReportView::of, DriftReportView::reportId,
        DriftReportView::createdAt, d -> true, DriftReportView::createdAt, MAX_DRIFT_REPORTS);
    this.driftTable = new TableFollower(spark, warehouse, Tables.OPS_DRIFT_REPORTS, refreshMillis,
        batch -> driftReports.fold(batch.where(col("kind").equalTo("summary"))));
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pdm-serve-view");
      t.setDaemon(true);
      return t;
    });
  }

  /** A view that follows the tables from now on, checking every {@code refreshMillis}. */
  static FleetView start(SparkSession spark, Warehouse warehouse, long refreshMillis, int historyCycles,
      int maxAlerts) {
    FleetView view = new FleetView(spark, warehouse, refreshMillis, historyCycles, maxAlerts);
    view.poller.scheduleWithFixedDelay(view::poll, 0, refreshMillis, TimeUnit.MILLISECONDS);
    return view;
  }

  private void poll() {
    for (TableFollower f : List.of(predictions, alertsTable, workOrdersTable, eventsTable, streamMetrics, silver,
        driftTable)) {
      try {
        f.poll();
      } catch (RuntimeException e) {
        // the view keeps what it has; the next poll tries again
        LOG.warn("serve: could not follow {}: {}", f.table(), e.getMessage());
      }
    }
  }

  long predictionsVersion() {
    return predictions.version();
  }

  long alertsVersion() {
    return alertsTable.version();
  }

  long workOrdersVersion() {
    return workOrdersTable.version();
  }

  long assetEventsVersion() {
    return eventsTable.version();
  }

  long streamMetricsVersion() {
    return streamMetrics.version();
  }

  /** The last committed batch of each streaming query, the latest first. */
  List<StreamView> streams() {
    return streams.values().stream()
        .sorted(STREAMS_NEWEST_FIRST).toList();
  }

  /** The latest prediction of each asset matching the filters (null or empty: none), worst first. */
  FleetRanking.Page assets(String dataset, Set<String> risks, int limit) {
    return ranked.page(dataset, risks, limit);
  }

  /** Assets and alerts the view holds. */
  int assetCount() {
    return ranked.size();
  }

  int alertCount() {
    return alerts.size();
  }

  /** The datasets that hold {@code assetId} (several when ids repeat across fleets). */
  List<String> datasetsOf(String assetId) {
    return history.keySet().stream().filter(k -> k.assetId().equals(assetId)).map(Key::dataset).sorted().toList();
  }

  long driftReportsVersion() {
    return driftTable.version();
  }

  /** Drift reports newest first (the newest {@value #MAX_DRIFT_REPORTS} held), of one dataset when not null. */
  List<DriftReportView> driftReports(String dataset) {
    return driftReports.values().stream()
        .filter(d -> dataset == null || dataset.equals(d.dataset()))
        .sorted(REPORTS_NEWEST_FIRST).toList();
  }

  /** One drift report the view holds. */
  Optional<DriftReportView> driftReport(String reportId) {
    return driftReports.values().stream().filter(d -> d.reportId().equals(reportId)).findFirst();
  }

  /** An asset's latest readings of each sensor, from silver. */
  Optional<AssetReadings.Trend> readings(Key asset) {
    return readings.trend(asset);
  }

  /** An asset's recent predictions, newest first. */
  Optional<List<AssetPrediction>> predictions(Key asset) {
    return Optional.ofNullable(history.get(asset));
  }

  /** Alerts newest first, each filter ignored when null or empty. */
  List<AlertView> alerts(Set<String> statuses, String dataset, String assetId) {
    return alerts.values().stream()
        .filter(a -> statuses.isEmpty() || statuses.contains(a.status()))
        .filter(a -> dataset == null || dataset.equals(a.dataset()))
        .filter(a -> assetId == null || assetId.equals(a.assetId()))
        .sorted(ALERTS_NEWEST_FIRST).toList();
  }

  /** Work orders most urgent first, each filter ignored when null or empty. */
  List<WorkOrderView> workOrders(Set<String> statuses, String dataset, String assetId) {
    return workOrders.values().stream()
        .filter(w -> statuses.isEmpty() || statuses.contains(w.status()))
        .filter(w -> dataset == null || dataset.equals(w.dataset()))
        .filter(w -> assetId == null || assetId.equals(w.assetId()))
        .sorted(URGENT_FIRST).toList();
  }

  /** An asset's recorded failures and maintenance, newest first. */
  List<AssetEventView> events(String dataset, String assetId) {
    return events.values().stream()
        .filter(e -> dataset.equals(e.dataset()) && assetId.equals(e.assetId()))
        .sorted(EVENTS_NEWEST_FIRST).toList();
  }

  int workOrderCount() {
    return workOrders.size();
  }

  /**
   * Folds an asset's rows of gold.alerts, gold.work_orders or gold.asset_events as committed, after
   * a change this server made, so the change shows at once; the table's follower folds the same
   * commit at its next batch with the same result.
   */
  void refreshAsset(TableDef table, String dataset, String assetId) {
    LatestRows<?> rows = table.equals(Tables.GOLD_ALERTS) ? alerts
        : table.equals(Tables.GOLD_WORK_ORDERS) ? workOrders
        : table.equals(Tables.GOLD_ASSET_EVENTS) ? events
        : null;
    if (rows == null) {
      throw new IllegalArgumentException("the fleet view does not follow " + table.name());
    }
    rows.fold(warehouse.read(table, "pdm serve")
        .where(col("dataset").equalTo(dataset).and(col("asset_id").equalTo(assetId))));
  }

  /** A micro-batch of gold.predictions: the newest rows of each asset, merged into its history. */
  private void foldPredictions(Dataset<Row> batch) {
    List<Row> rows = batch
        .withColumn("_n", row_number().over(Window.partitionBy("dataset", "asset_id")
            .orderBy(col("cycle").desc(), col("scored_at").desc())))
        .where(col("_n").leq(historyCycles)).drop("_n")
        .collectAsList();
    if (rows.isEmpty()) {
      return;
    }
    Map<Key, List<AssetPrediction>> byAsset = new HashMap<>();
    for (Row r : rows) {
      AssetPrediction p = AssetPrediction.of(r);
      byAsset.computeIfAbsent(new Key(p.dataset(), p.assetId()), k -> new ArrayList<>()).add(p);
    }
    byAsset.forEach((k, fresh) -> history.put(k, merge(history.getOrDefault(k, List.of()), fresh)));
    List<AssetPrediction> latest = new ArrayList<>(history.size());
    history.values().forEach(h -> latest.add(h.get(0)));
    ranked = FleetRanking.of(latest);
  }

  /** One prediction per cycle (the later scored wins; a re-sent row changes nothing), newest cycles kept. */
  private List<AssetPrediction> merge(List<AssetPrediction> old, List<AssetPrediction> fresh) {
    TreeMap<Integer, AssetPrediction> byCycle = new TreeMap<>(Comparator.reverseOrder());
    for (List<AssetPrediction> part : List.of(old, fresh)) {
      for (AssetPrediction p : part) {
        byCycle.merge(p.cycle(), p, (a, b) -> b.scoredAt().compareTo(a.scoredAt()) >= 0 ? b : a);
      }
    }
    return byCycle.values().stream().limit(historyCycles).toList();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    predictions.close();
    alertsTable.close();
    workOrdersTable.close();
    eventsTable.close();
    streamMetrics.close();
    silver.close();
    driftTable.close();
  }
}
