package dev.pdm.serving;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.stream.StreamTrigger;
import dev.pdm.common.table.Warehouse;
import dev.pdm.mlflow.Tracking;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pdm serve}: the HTTP API in front of the champions and the tables, until SIGTERM. The
 * Spark session loads models and feature sets when a dataset is first asked about, folds what
 * gold.predictions and gold.alerts commit into the in-memory {@link FleetView} (a Spark job per
 * table version, never per request), and commits alert changes.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm serve [--host 127.0.0.1] [--port 8080]
 * spark-submit --class dev.pdm.serving.ServeJob target/pdm-0.1.0-SNAPSHOT.jar --warehouse s3a://bucket/pdm \
 *   --host 0.0.0.0 --conf serve.properties    # with pdm.serve.token=${env:PDM_SERVE_TOKEN} in it
 * curl -s localhost:8080/api/v1/health
 * </pre>
 */
public final class ServeJob {

  private static final Logger LOG = LoggerFactory.getLogger(ServeJob.class);

  /** Validated options: a non-loopback bind needs a token, so that no open write API leaves the host. */
  public record Options(PdmConfig config, String host, int port) {
    public Options {
      if (port < 0 || port > 65535) {
        throw PdmErrors.badValue("--port", Integer.toString(port), "a port from 0 (any free one) to 65535");
      }
      String token = config.get(PdmConfigKeys.SERVE_TOKEN);
      if (!loopback(host) && (token == null || token.isBlank())) {
        throw PdmErrors.usage("serve on " + host, "an address other than loopback needs a token for the write"
            + " endpoints", "set pdm.serve.token in the --conf file (e.g. pdm.serve.token=${env:PDM_SERVE_TOKEN}),"
            + " or bind 127.0.0.1");
      }
    }

    ApiServer.Settings settings() {
      String token = config.get(PdmConfigKeys.SERVE_TOKEN);
      return new ApiServer.Settings(host, port, token == null || token.isBlank() ? null : token,
          config.getPositiveInt(PdmConfigKeys.SERVE_MAX_REQUEST_BYTES),
          config.getPositiveInt(PdmConfigKeys.SERVE_MAX_EVENTS));
    }
  }

  /** How the server ended. */
  public record Result(String host, int port) implements JobResult {
    @Override
    public String summary() {
      return "serve: stopped (was listening on " + host + ":" + port + ")";
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--host", metaVar = "ADDR", usage = "address to bind (default pdm.serve.host, 127.0.0.1)")
    String host;

    @Option(name = "--port", metaVar = "N", usage = "port (default pdm.serve.port, 8080; 0 for a free one)")
    Integer port;
  }

  private ServeJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("serve", args, new Cli(), (cli, config) -> new Options(config,
            cli.host != null ? cli.host : config.require(PdmConfigKeys.SERVE_HOST),
            cli.port != null ? cli.port : parsePort(config.require(PdmConfigKeys.SERVE_PORT))),
        ServeJob::run);
  }

  /** Serves until the JVM is asked to stop (SIGTERM, Ctrl-C). */
  public static Result run(SparkSession spark, Options o) {
    CountDownLatch stopped = new CountDownLatch(1);
    try (Running r = start(spark, o)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        r.close();
        stopped.countDown();
      }, "pdm-serve-stop"));
      stopped.await();
      return new Result(o.host(), r.port());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(o.host(), o.port());
    }
  }

  /** A started server and what it holds; closing stops it. */
  public static final class Running implements AutoCloseable {
    private final ApiServer server;
    private final FleetView view;
    private final LiveUpdates live;
    private final Tracking tracking;
    private final int port;
    private boolean closed;

    private Running(ApiServer server, FleetView view, LiveUpdates live, Tracking tracking) {
      this.server = server;
      this.view = view;
      this.live = live;
      this.tracking = tracking;
      this.port = server.port();
    }

    /** The bound port (the free one chosen for port 0). */
    public int port() {
      return port;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        live.close();
        server.close();
        view.close();
        tracking.close();
        LOG.info("serve: stopped");
      }
    }
  }

  /** Starts the server and returns at once (tests, and {@link #run}). */
  public static Running start(SparkSession spark, Options o) {
    PdmConfig config = o.config();
    Warehouse warehouse = Sessions.prepare(spark, config, "pdm-serve", "serve --host " + o.host() + " --port "
        + o.port());
    Tracking tracking = Tracking.connect(config);
    long refresh = StreamTrigger.parse(config.require(PdmConfigKeys.SCORING_MODEL_REFRESH)).intervalMs();
    DatasetPredictors predictors = new DatasetPredictors(spark, warehouse, config, tracking, refresh,
        System::currentTimeMillis);
    FleetView view = FleetView.start(spark, warehouse, refreshMillis(config),
        config.getPositiveInt(PdmConfigKeys.SERVE_HISTORY_CYCLES),
        config.getPositiveInt(PdmConfigKeys.SERVE_MAX_ALERTS));
    // the live stream checks the view's versions twice per refresh: a change shows within one refresh and a half
    LiveUpdates live = LiveUpdates.start(() -> new LiveUpdates.Versions(view.predictionsVersion(),
            view.alertsVersion(), view.workOrdersVersion(), view.assetEventsVersion(), view.streamMetricsVersion(),
            view.driftReportsVersion()),
        Math.max(250, refreshMillis(config) / 2), 15_000, config.getPositiveInt(PdmConfigKeys.SERVE_MAX_LIVE_CLIENTS));
    try {
      ApiServer server = ApiServer.start(o.settings(), new ApiServer.Services(predictors, view,
          new AlertChanges(spark, warehouse, view), new WorkOrderChanges(spark, warehouse, view),
          new FeedbackRecorder(spark, warehouse, view, predictors::profileOf), live,
          new ModelsView(tracking, config, refresh, System::currentTimeMillis),
          new DriftReportPages(spark.sparkContext().hadoopConfiguration(), view), warehouse.root()));
      return new Running(server, view, live, tracking);
    } catch (RuntimeException e) {
      live.close();
      view.close();
      tracking.close();
      throw PdmErrors.failure("serve on " + o.host() + ":" + o.port(), e.getMessage(),
          "choose a free port with --port, or stop what listens there", e);
    }
  }

  private static long refreshMillis(PdmConfig config) {
    return StreamTrigger.parse(config.require(PdmConfigKeys.SERVE_VIEW_REFRESH)).intervalMs();
  }

  private static int parsePort(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw PdmErrors.badConfigValue(PdmConfigKeys.SERVE_PORT.name(), s, "a port number");
    }
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw PdmErrors.badValue("--host", host, "an address or host name of this machine, such as 127.0.0.1");
    }
  }
}
