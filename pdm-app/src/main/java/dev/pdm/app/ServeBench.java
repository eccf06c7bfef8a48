package dev.pdm.app;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.sim.EventJson;
import dev.pdm.ingest.sim.FleetSimulator;
import dev.pdm.serving.ServeJob;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.kohsuke.args4j.Option;

/**
 * Load test of {@code serve} (a benchmark, not a test; {@code bin/bench-serve} runs it on a trained
 * warehouse): a fleet of synthetic assets is appended to gold.predictions, a server is started in
 * this JVM on a free port, and each endpoint is measured twice with Java's HTTP client: one client
 * after another request (latency), then {@code --clients} clients for {@code --warmup-seconds}
 * (not counted: the JIT compiles what many clients at once run, a third of the cores for the
 * first seconds) and {@code --seconds} more (throughput). {@code GET /health} is the peer: an answer with no work, so each endpoint's ratio
 * to it is what the endpoint itself costs beyond HTTP on this machine.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm bench-serve --warehouse /tmp/wh --dataset SIM --assets 10000 --clients 16
 * </pre>
 */
public final class ServeBench {

  /** Validated options. */
  public record Options(PdmConfig config, String dataset, int assets, int history, int predictCycles, int requests,
      int clients, int warmupSeconds, int seconds) {
    public Options {
      for (int[] v : new int[][] {{assets, 1}, {history, 1}, {predictCycles, 31}, {requests, 10}, {clients, 1},
          {warmupSeconds, 0}, {seconds, 1}}) {
        if (v[0] < v[1]) {
          throw PdmErrors.usage("run bench-serve", "a count below " + v[1], "give every count at least " + v[1]
              + " (--predict-cycles at least 31: the longest window)");
        }
      }
    }
  }

  /** One endpoint's figures: latency of one client, then the throughput and latency of many. */
  public record Figures(String endpoint, double p50Ms, double p95Ms, double p99Ms, int clients, double perSecond,
      double clientsP95Ms) {}

  /** What a run measured. */
  public record Result(int assets, int predictCycles, List<Figures> figures) implements JobResult {
    @Override
    public String summary() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
          "serve benchmark: %d assets in the view, predict of %d cycles; one client, then %d clients%n", assets,
          predictCycles, figures.get(0).clients()));
      s.append(String.format(Locale.ROOT, "%-34s %8s %8s %8s %10s %12s %11s%n", "endpoint", "p50_ms", "p95_ms",
          "p99_ms", "req_s", "clients_p95", "p95/health"));
      double health = figures.get(0).p95Ms();
      for (Figures f : figures) {
        s.append(String.format(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f %10.0f %12.2f %11.1f%n", f.endpoint(), f.p50Ms(),
            f.p95Ms(), f.p99Ms(), f.perSecond(), f.clientsP95Ms(), f.p95Ms() / health));
      }
      return s.toString().stripTrailing();
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--dataset", metaVar = "ID", usage = "dataset with registered champions (default SIM)")
    String dataset = "SIM";

    @Option(name = "--assets", metaVar = "N", usage = "synthetic assets appended to gold.predictions (default 10000)")
    int assets = 10_000;

    @Option(name = "--history", metaVar = "N", usage = "predictions per synthetic asset (default 50)")
    int history = 50;

    @Option(name = "--predict-cycles", metaVar = "N", usage = "cycles in each predict request (default 300)")
    int predictCycles = 300;

    @Option(name = "--requests", metaVar = "N", usage = "requests of the one-client run per endpoint (default 300)")
    int requests = 300;

    @Option(name = "--clients", metaVar = "N", usage = "clients of the throughput run (default 16)")
    int clients = 16;

    @Option(name = "--warmup-seconds", metaVar = "N",
        usage = "seconds of each throughput run's clients before it counts (default 5)")
    int warmupSeconds = 5;

    @Option(name = "--seconds", metaVar = "N", usage = "seconds of each throughput run (default 15)")
    int seconds = 15;
  }

  private ServeBench() {}

  public static void main(String[] args) {
    JobMain.runSpark("bench-serve", args, new Cli(), (cli, config) -> new Options(config, cli.dataset, cli.assets,
        cli.history, cli.predictCycles, cli.requests, cli.clients, cli.warmupSeconds, cli.seconds), ServeBench::run);
  }

  public static Result run(SparkSession spark, Options o) {
    Warehouse warehouse = Sessions.prepare(spark, o.config(), "pdm-bench-serve", "bench-serve");
    warehouse.requireExists(Tables.GOLD_FEATURES, "pdm features");
    appendFleet(spark, warehouse, o);
    // encoded once: the benchmark's clients share the cores with the server, so they do as little as they can
    List<byte[]> bodies = predictBodies(o).stream().map(b -> b.getBytes(StandardCharsets.UTF_8)).toList();
    try (ServeJob.Running server = ServeJob.start(spark, new ServeJob.Options(o.config(), "127.0.0.1", 0))) {
      String base = "http://127.0.0.1:" + server.port() + "/api/v1";
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(o.clients())).build();
      waitForView(http, base, o);
      List<Figures> figures = new ArrayList<>();
      figures.add(measure(http, o, "GET /health", i -> get(base + "/health")));
      figures.add(measure(http, o, "GET /assets?limit=100", i -> get(base + "/assets?dataset=" + o.dataset()
          + "&limit=100")));
      figures.add(measure(http, o, "GET /assets?risk=CRITICAL&limit=100", i -> get(base + "/assets?dataset="
          + o.dataset() + "&risk=CRITICAL&limit=100")));
      figures.add(measure(http, o, "GET /assets/{id}", i -> get(base + "/assets/" + benchAsset(o, i % o.assets())
          + "?dataset=" + o.dataset())));
      figures.add(measure(http, o, "POST /predict (" + o.predictCycles() + " cycles)", i -> HttpRequest.newBuilder(
          URI.create(base + "/predict")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size()))).build()));
      return new Result(o.assets(), o.predictCycles(), figures);
    }
  }

  /**
   * Synthetic assets of the dataset, {@code history} cycles each, risk spread over the levels;
   * those gold.predictions holds already are not appended again.
   */
  private static void appendFleet(SparkSession spark, Warehouse warehouse, Options o) {
    warehouse.ensure(Tables.GOLD_PREDICTIONS, Tables.GOLD_PREDICTIONS.schema());
    long h = o.history();
    Dataset<Row> base = spark.range((long) o.assets() * h).selectExpr(
        "'" + o.dataset() + "' AS dataset",
        "concat('" + o.dataset() + "-bench-', lpad(CAST(id DIV " + h + " AS STRING), 6, '0')) AS asset_id",
        "CAST(id % " + h + " + 1 AS INT) AS cycle",
        "CAST(pmod(hash(id DIV " + h + "), 200) + 5 - (id % " + h + ") * 0.5 AS DOUBLE) AS predicted_rul");
    Dataset<Row> rows = base.selectExpr("*",
        "1 / (1 + exp((predicted_rul - 30) / 8)) AS failure_probability",
        "CASE WHEN predicted_rul < 15 THEN 'CRITICAL' WHEN predicted_rul < 30 THEN 'HIGH'"
            + " WHEN predicted_rul < 60 THEN 'MEDIUM' ELSE 'LOW' END AS risk_level",
        "predicted_rul * 0.8 AS rul_lower", "predicted_rul * 1.2 AS rul_upper");
    List<Column> columns = new ArrayList<>();
    for (StructField f : Tables.GOLD_PREDICTIONS.schema().fields()) {
      String expr = switch (f.name()) {
        case "dataset", "asset_id", "cycle", "predicted_rul", "failure_probability", "risk_level", "rul_lower",
            "rul_upper" -> f.name();
        case "anomaly_severity" -> "'NONE'";
        case "anomaly_reasons" -> "CAST(array() AS ARRAY<STRING>)";
        case "rul_model_name", "failure_model_name" -> "'bench'";
        case "rul_model_version", "failure_model_version" -> "'0'";
        case "feature_set_version" -> "1";
        case "scored_by" -> "'batch'";
        case "scored_at" -> "current_timestamp()";
        default -> "NULL";
      };
      columns.add(org.apache.spark.sql.functions.expr(expr).cast(f.dataType()).as(f.name()));
    }
    // a kept work space (PDM_KEEP=1) run again gets only the assets it does not hold yet
    Dataset<Row> held = warehouse.read(Tables.GOLD_PREDICTIONS, "pdm bench-serve")
        .where(org.apache.spark.sql.functions.col("dataset").equalTo(o.dataset())
            .and(org.apache.spark.sql.functions.col("asset_id").startsWith(o.dataset() + "-bench-")))
        .select("asset_id").distinct();
    Dataset<Row> fleet = rows.select(columns.toArray(Column[]::new));
    // the join puts asset_id first: back to the table's column order
    fleet.join(held, new String[] {"asset_id"}, "left_anti").selectExpr(fleet.columns())
        .write().format("delta").mode("append").save(warehouse.path(Tables.GOLD_PREDICTIONS));
  }

  static String benchAsset(Options o, int i) {
    return o.dataset() + "-bench-" + String.format(Locale.ROOT, "%06d", i);
  }

  /** Bodies of one simulated asset's last {@code predictCycles} cycles each (engines long enough for it). */
  private static List<String> predictBodies(Options o) {
    List<String> names = DatasetProfile.load("builtin:cmapss").readings().stream()
        .map(DatasetProfile.Column::name).toList();
    FleetSimulator sim = new FleetSimulator(11, 1, 1);
    List<String> bodies = new ArrayList<>();
    for (int unit = 1; bodies.size() < 16 && unit < 2000; unit++) {
      FleetSimulator.Asset a = sim.asset(unit);
      if (a.failureCycle() < o.predictCycles()) {
        continue;
      }
      String assetId = o.dataset() + "-load-" + unit;
      List<String> events = new ArrayList<>();
      while (a.hasNext(a.failureCycle())) {
        double[] r = a.next();
        if (a.cycle() > a.failureCycle() - o.predictCycles()) {
          events.add(EventJson.event(assetId, o.dataset(), a.cycle(), null, names, 3,
              Arrays.stream(r).boxed().toArray(Double[]::new)));
        }
      }
      bodies.add("{\"dataset\":\"" + o.dataset() + "\",\"asset_id\":\"" + assetId + "\",\"events\":["
          + String.join(",", events) + "]}");
    }
    if (bodies.isEmpty()) {
      throw PdmErrors.usage("run bench-serve", "no simulated engine lives " + o.predictCycles() + " cycles",
          "choose fewer --predict-cycles");
    }
    return bodies;
  }

  private static void waitForView(HttpClient http, String base, Options o) {
    long deadline = System.currentTimeMillis() + 600_000;
    String url = base + "/assets?dataset=" + o.dataset() + "&limit=1";
    while (System.currentTimeMillis() < deadline) {
      String body = send(http, get(url)).body();
      int at = body.indexOf("\"total\":");
      if (at >= 0 && Integer.parseInt(body.substring(at + 8).split("[,}]")[0]) >= o.assets()) {
        return;
      }
      sleep(500);
    }
    throw PdmErrors.failure("run bench-serve", "the server's view did not hold the " + o.assets()
        + " assets within 10 minutes", "see the server log above");
  }

  /** One client's latency over {@code requests}, then {@code clients} clients for {@code seconds}. */
  private static Figures measure(HttpClient http, Options o, String name, IntFunction<HttpRequest> request) {
    for (int i = 0; i < Math.max(20, o.requests() / 5); i++) {
      send(http, request.apply(i)); // warm-up: the predictor's first load, JIT
    }
    long[] one = new long[o.requests()];
    for (int i = 0; i < one.length; i++) {
      long t0 = System.nanoTime();
      send(http, request.apply(i));
      one[i] = System.nanoTime() - t0;
    }
    clients(http, o, name, request, o.warmupSeconds());
    long[] many = clients(http, o, name, request, o.seconds());
    Arrays.sort(one);
    Arrays.sort(many);
    return new Figures(name, ms(one, 0.50), ms(one, 0.95), ms(one, 0.99), o.clients(),
        many.length / (double) o.seconds(), ms(many, 0.95));
  }

  /** Each request's latency (nanoseconds) of {@code o.clients()} clients sending one after another for {@code seconds}. */
  private static long[] clients(HttpClient http, Options o, String name, IntFunction<HttpRequest> request,
      int seconds) {
    ExecutorService pool = Executors.newFixedThreadPool(o.clients());
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Future<long[]>> futures = new ArrayList<>();
    for (int c = 0; c < o.clients(); c++) {
      int client = c;
      futures.add(pool.submit(() -> {
        long[] times = new long[1024];
        int n = 0;
        for (int i = client; System.nanoTime() < end; i += o.clients()) {
          long t0 = System.nanoTime();
          send(http, request.apply(i));
          if (n == times.length) {
            times = Arrays.copyOf(times, n * 2);
          }
          times[n++] = System.nanoTime() - t0;
        }
        return Arrays.copyOf(times, n);
      }));
    }
    long[] many = new long[0];
    try {
      for (Future<long[]> f : futures) {
        long[] t = f.get();
        long[] both = Arrays.copyOf(many, many.length + t.length);
        System.arraycopy(t, 0, both, many.length, t.length);
        many = both;
      }
    } catch (Exception e) {
      throw PdmErrors.failure("measure " + name, e.getMessage(), "see the server log above", e);
    } finally {
      pool.shutdownNow();
    }
    return many;
  }

  private static double ms(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build();
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest r) {
    try {
      HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        throw PdmErrors.failure("run bench-serve", r.method() + " " + r.uri() + " answered " + res.statusCode()
            + ": " + res.body(), "see the server log above");
      }
      return res;
    } catch (IOException e) {
      throw PdmErrors.failure("run bench-serve", r.uri() + ": " + e.getMessage(), "see the server log above", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
