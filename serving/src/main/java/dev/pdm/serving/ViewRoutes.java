package dev.pdm.serving;

import dev.pdm.common.Names;
import dev.pdm.scoring.RiskLevels;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The read endpoints: query parameters checked (a bad one is a 400 naming it), answers taken from
 * the {@link FleetView}. No Spark job runs here.
 */
final class ViewRoutes {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;
  private static final List<String> LEVELS = Arrays.stream(RiskLevels.Level.values()).map(Enum::name).toList();
  private static final List<String> STATUSES = List.of("open", "acknowledged", "resolved");
  private static final List<String> WORK_ORDER_STATUSES = List.of("open", "scheduled", "done", "cancelled");

  private ViewRoutes() {}

  /** GET /assets?dataset=&risk=&limit= */
  static ViewResponses.Assets assets(Context ctx, FleetView view, DatasetPredictors predictors) {
    String dataset = dataset(ctx);
    Set<String> risks = oneOf(ctx, "risk", LEVELS);
    // levels count over the dataset filter only: the dashboard's counts stay whole while it filters a level
    FleetRanking.Page page = view.assets(dataset, risks, limit(ctx));
    return new ViewResponses.Assets(page.assets(), page.total(), page.levels(), page.datasets(),
        clocks(predictors, page.datasets()), view.predictionsVersion());
  }

  /** GET /assets/{asset_id}?dataset= (the dataset may be left out when one dataset holds the id). */
  static ViewResponses.Asset asset(Context ctx, FleetView view, DatasetPredictors predictors) {
    FleetView.Key key = key(ctx, view);
    String dataset = key.dataset();
    String assetId = key.assetId();
    List<AssetPrediction> history = view.predictions(key).orElseThrow();
    return new ViewResponses.Asset(dataset, assetId, predictors.clockOf(dataset), history.get(0), history, view.alerts(Set.of(), dataset, assetId),
        view.workOrders(Set.of(), dataset, assetId), view.events(dataset, assetId), view.predictionsVersion());
  }

  /** GET /assets/{asset_id}/readings?dataset=: the asset's latest readings of each sensor, from silver. */
  static AssetReadings.Trend readings(Context ctx, FleetView view) {
    FleetView.Key key = key(ctx, view);
    return view.readings(key).orElseThrow(() -> ApiException.notFound("no readings of asset " + key.assetId()
        + " in " + key.dataset() + " in the server's view of silver.telemetry yet (it folds silver's commits every"
        + " pdm.serve.view-refresh)"));
  }

  /** The asset of the path, in ?dataset= or the one dataset whose predictions hold it; 404 when none does. */
  private static FleetView.Key key(Context ctx, FleetView view) {
    String assetId = ctx.pathParam("asset_id");
    String dataset = dataset(ctx);
    if (dataset == null) {
      List<String> in = view.datasetsOf(assetId);
      if (in.size() > 1) {
        throw ApiException.badRequest("dataset", "asset " + assetId + " is in datasets " + in + ": name one with"
            + " ?dataset=");
      }
      dataset = in.isEmpty() ? null : in.get(0);
    }
    if (dataset == null || view.predictions(new FleetView.Key(dataset, assetId)).isEmpty()) {
      throw ApiException.notFound("no predictions of asset " + assetId + (dataset == null ? "" : " in " + dataset)
          + " (gold.predictions as of version " + view.predictionsVersion() + ")");
    }
    return new FleetView.Key(dataset, assetId);
  }

  /** GET /drift-reports?dataset=&limit= */
  static ViewResponses.DriftReports driftReports(Context ctx, FleetView view) {
    List<DriftReportView> all = view.driftReports(dataset(ctx));
    return new ViewResponses.DriftReports(all.subList(0, Math.min(limit(ctx), all.size())), all.size(),
        view.driftReportsVersion());
  }

  /** GET /alerts?status=&dataset=&asset_id=&limit= */
  static ViewResponses.Alerts alerts(Context ctx, FleetView view, DatasetPredictors predictors) {
    Set<String> statuses = oneOf(ctx, "status", STATUSES);
    List<AlertView> all = view.alerts(statuses, dataset(ctx), ctx.queryParam("asset_id"));
    List<AlertView> page = all.subList(0, Math.min(limit(ctx), all.size()));
    return new ViewResponses.Alerts(page, all.size(), clocks(predictors, page.stream().map(AlertView::dataset).toList()),
        view.alertsVersion());
  }

  /** GET /work-orders?status=&dataset=&asset_id=&limit= */
  static ViewResponses.WorkOrdersList workOrders(Context ctx, FleetView view, DatasetPredictors predictors) {
    Set<String> statuses = oneOf(ctx, "status", WORK_ORDER_STATUSES);
    List<WorkOrderView> all = view.workOrders(statuses, dataset(ctx), ctx.queryParam("asset_id"));
    List<WorkOrderView> page = all.subList(0, Math.min(limit(ctx), all.size()));
    return new ViewResponses.WorkOrdersList(page, all.size(),
        clocks(predictors, page.stream().map(WorkOrderView::dataset).toList()), view.workOrdersVersion());
  }

  /** How each of {@code datasets} counts time, for clients that place rows on it. */
  private static java.util.Map<String, DatasetClock> clocks(DatasetPredictors predictors, List<String> datasets) {
    java.util.Map<String, DatasetClock> out = new java.util.TreeMap<>();
    datasets.forEach(d -> out.computeIfAbsent(d, predictors::clockOf));
    return out;
  }

  private static String dataset(Context ctx) {
    String d = ctx.queryParam("dataset");
    if (d == null || d.isEmpty()) {
      return null;
    }
    if (!Names.isDataset(d)) {
      throw ApiException.badRequest("dataset", "'" + d + "' is not a dataset name: letters, digits, _ and - such as"
          + " FD001");
    }
    return d;
  }

  /** A comma-separated subset of {@code allowed} (empty: no filter). */
  private static Set<String> oneOf(Context ctx, String param, List<String> allowed) {
    String v = ctx.queryParam(param);
    Set<String> out = new LinkedHashSet<>();
    if (v == null || v.isEmpty()) {
      return out;
    }
    for (String part : v.split(",")) {
      String p = part.trim();
      String match = allowed.stream().filter(a -> a.equalsIgnoreCase(p)).findFirst().orElseThrow(() ->
          ApiException.badRequest(param, "'" + p + "' is not one of " + allowed + " (comma-separate several)"));
      out.add(match);
    }
    return out;
  }

  private static int limit(Context ctx) {
    String v = ctx.queryParam("limit");
    if (v == null || v.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest("limit", "'" + v + "' is not a limit: a whole number from 1 to " + MAX_LIMIT);
  }
}
