package dev.pdm.serving;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * The server's own metrics in Prometheus' text format ({@code GET /metrics}): requests by route
 * template and status, their latency as a histogram, and gauges of what it serves (the view's table
 * versions and sizes, the loaded champions). Routes are counted by template
 * ({@code /api/v1/assets/{asset_id}}), never by the path asked, so a scan of made-up paths cannot
 * grow the series without end; unmatched paths count as one route, {@code unmatched}.
 *
 * <p>Usage:
 * <pre>{@code
 * ServeMetrics m = new ServeMetrics();
 * m.observe("GET", "/api/v1/assets", 200, 3_500_000L);
 * String text = m.scrape(view, predictors);
 * }</pre>
 */
final class ServeMetrics {

  /** Upper bounds of the latency buckets, in seconds (Prometheus' le labels). */
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private record Series(String method, String route, int status) {}

  private static final class Latency {
    final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
    final AtomicLong count = new AtomicLong();
    final AtomicLong sumNanos = new AtomicLong();
  }

  private final Map<Series, Latency> requests = new ConcurrentHashMap<>();
  private final long startedMillis = System.currentTimeMillis();

  /** One answered request; {@code route} is the matched template, or null when no route matched. */
  void observe(String method, String route, int status, long nanos) {
    Latency l = requests.computeIfAbsent(new Series(method, route == null || route.isEmpty() ? "unmatched" : route,
        status), s -> new Latency());
    double seconds = nanos / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        l.buckets.incrementAndGet(i);
      }
    }
    l.count.incrementAndGet();
    l.sumNanos.addAndGet(nanos);
  }

  /** The exposition text: every series, then the gauges read from {@code view} and the loaded champions. */
  String scrape(FleetView view, Supplier<List<Health.Served>> served) {
    StringBuilder out = new StringBuilder(4096);
    out.append("# HELP pdm_serve_requests_total Requests answered, by method, route template and status.\n")
        .append("# TYPE pdm_serve_requests_total counter\n");
    Map<Series, Latency> sorted = new TreeMap<>(Comparator.comparing(Series::route)
        .thenComparing(Series::method).thenComparingInt(Series::status));
    sorted.putAll(requests);
    sorted.forEach((s, l) -> out.append("pdm_serve_requests_total").append(labels(s)).append(' ')
        .append(l.count.get()).append('\n'));
    out.append("# HELP pdm_serve_request_seconds Time from a request's arrival to its answer.\n")
        .append("# TYPE pdm_serve_request_seconds histogram\n");
    sorted.forEach((s, l) -> {
      String base = "method=\"" + s.method() + "\",route=\"" + escape(s.route()) + "\",status=\"" + s.status() + "\"";
      for (int i = 0; i < BUCKETS.length; i++) {
        out.append("pdm_serve_request_seconds_bucket{").append(base).append(",le=\"").append(le(BUCKETS[i]))
            .append("\"} ").append(l.buckets.get(i)).append('\n');
      }
      out.append("pdm_serve_request_seconds_bucket{").append(base).append(",le=\"+Inf\"} ").append(l.count.get())
          .append('\n');
      out.append("pdm_serve_request_seconds_sum{").append(base).append("} ")
          .append(String.format(Locale.ROOT, "%.6f", l.sumNanos.get() / 1e9)).append('\n');
      out.append("pdm_serve_request_seconds_count{").append(base).append("} ").append(l.count.get()).append('\n');
    });
    gauge(out, "pdm_serve_view_table_version", "Version of the table the in-memory view holds (-1: not read yet).",
        Map.of("table=\"gold.predictions\"", view.predictionsVersion(), "table=\"gold.alerts\"", view.alertsVersion(),
            "table=\"gold.work_orders\"", view.workOrdersVersion()));
    gauge(out, "pdm_serve_view_assets", "Assets whose latest predictions the view holds.",
        Map.of("", (long) view.assetCount()));
    gauge(out, "pdm_serve_view_alerts", "Alerts the view holds.",
        Map.of("", (long) view.alertCount()));
    gauge(out, "pdm_serve_view_work_orders", "Work orders the view holds.",
        Map.of("", (long) view.workOrderCount()));
    Map<String, Long> champions = new TreeMap<>();
    for (Health.Served s : served.get()) {
      champions.put("dataset=\"" + escape(s.dataset()) + "\",rul_model=\"" + escape(s.rulModel())
          + "\",failure_model=\"" + escape(s.failureModel()) + "\",feature_set_version=\"" + s.featureSetVersion()
          + "\"", 1L);
    }
    gauge(out, "pdm_serve_champions_loaded", "Champion pairs loaded, one series per dataset (value 1).", champions);
    gauge(out, "pdm_serve_uptime_seconds", "Seconds since the server started.",
        Map.of("", (System.currentTimeMillis() - startedMillis) / 1000));
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, Map<String, Long> series) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n");
    new TreeMap<>(series).forEach((labels, v) -> out.append(name).append(labels.isEmpty() ? "" : "{" + labels + "}")
        .append(' ').append(v).append('\n'));
  }

  private static String labels(Series s) {
    return "{method=\"" + s.method() + "\",route=\"" + escape(s.route()) + "\",status=\"" + s.status() + "\"}";
  }

  private static String le(double b) {
    return b == Math.rint(b) ? String.format(Locale.ROOT, "%.1f", b) : Double.toString(b);
  }

  /** Label values escape backslash, quote and newline (the text format's rule). */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
