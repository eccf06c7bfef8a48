package dev.pdm.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pdm.common.PdmException;
import dev.pdm.scoring.AlertLifecycle;
import dev.pdm.scoring.WorkOrders;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under {@code /api/v1}, on Javalin: routes, the bearer-token rule for writes, the
 * request size limit, and every error as {@code application/problem+json}. What a route computes
 * lives in the classes it calls ({@link DatasetPredictors}, {@link FleetView} through
 * {@link ViewRoutes}, {@link AlertChanges}, {@link WorkOrderChanges}, {@link FeedbackRecorder},
 * {@link LiveUpdates}) and the dashboard's pages and files in {@link WebUi}; this class only speaks HTTP.
 *
 * <p>Usage:
 * <pre>{@code
 * ApiServer server = ApiServer.start(settings,
 *     new ApiServer.Services(predictors, view, alertChanges, workOrderChanges, feedback, live, models,
 *         driftPages, root));
 * int port = server.port();
 * server.stop();
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  // the fast double parser: same doubles as Double.parseDouble, a fifth less time per predict body
  private static final ObjectMapper JSON = new ObjectMapper(
      JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Where and how to listen; {@code token} null: writes are open (loopback only, see {@link ServeJob}). */
  public record Settings(String host, int port, String token, long maxRequestBytes, int maxEvents) {}

  private static final String STARTED = "pdm.started-nanos";

  private final Javalin app;

  private ApiServer(Javalin app) {
    this.app = app;
  }

  /** What the routes answer from: the predictors, the in-memory view of the tables, alert and work-order changes. */
  record Services(DatasetPredictors predictors, FleetView view, AlertChanges alertChanges,
      WorkOrderChanges workOrderChanges, FeedbackRecorder feedback, LiveUpdates live, ModelsView models,
      DriftReportPages driftPages, String warehouse) {}

  /** Starts listening; returns once the port is bound. */
  static ApiServer start(Settings settings, Services services) {
    DatasetPredictors predictors = services.predictors();
    String startedAt = Instant.now().toString();
    byte[] openApi = resource("openapi.json");
    Javalin app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.http.maxRequestSize = settings.maxRequestBytes();
      c.jsonMapper(new JavalinJackson(JSON, false));
    });
    app.exception(ApiException.class, (e, ctx) -> problem(ctx, e.problem()));
    app.exception(PdmException.class, (e, ctx) -> problem(ctx, Problem.of(400, "Bad request", e.getMessage(), null)));
    // Javalin's own refusals (no such route: 404, a body over maxRequestSize: 413) keep their status.
    app.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, switch (e.getStatus()) {
      case 404 -> notFoundRoute(ctx);
      case 413 -> ApiException.tooLarge(settings.maxRequestBytes()).problem();
      default -> Problem.of(e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(), e.getMessage(), null);
    }));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("serve: {} {} failed", ctx.method(), ctx.path(), e);
      problem(ctx, Problem.of(500, "Internal error", e.getClass().getSimpleName() + ": " + e.getMessage()
          + " (the server log has the stack)", null));
    });
    app.error(404, ctx -> {
      if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
        problem(ctx, notFoundRoute(ctx));
      }
    });
    ServeMetrics metrics = new ServeMetrics();
    app.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
    app.after(ctx -> {
      Long t0 = ctx.attribute(STARTED);
      if (t0 != null) {
        metrics.observe(ctx.method().name(), route(ctx), ctx.statusCode(), System.nanoTime() - t0);
      }
    });
    app.before("/api/*", ctx -> requireToken(ctx, settings.token()));
    FleetView view = services.view();
    app.get("/api/v1/health", ctx -> ctx.json(new Health("ok", startedAt, services.warehouse(), predictors.served(),
        view.predictionsVersion(), view.alertsVersion(), view.workOrdersVersion())));
    app.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(metrics.scrape(view, predictors::served)));
    PredictReader predictReader = new PredictReader(JSON.getFactory(), predictors, settings.maxEvents());
    app.post("/api/v1/predict", ctx -> ctx.json(predict(ctx, predictReader, settings.maxRequestBytes())));
    app.get("/api/v1/assets", ctx -> ctx.json(ViewRoutes.assets(ctx, view, predictors)));
    app.get("/api/v1/assets/{asset_id}", ctx -> ctx.json(ViewRoutes.asset(ctx, view, predictors)));
    app.get("/api/v1/assets/{asset_id}/readings", ctx -> ctx.json(ViewRoutes.readings(ctx, view)));
    app.get("/api/v1/alerts", ctx -> ctx.json(ViewRoutes.alerts(ctx, view, predictors)));
    app.post("/api/v1/alerts/{alert_id}/ack", ctx -> ctx.json(services.alertChanges().change(ctx.pathParam("alert_id"),
        AlertLifecycle.Change.ACK, note(ctx))));
    app.post("/api/v1/alerts/{alert_id}/resolve", ctx -> ctx.json(services.alertChanges().change(
        ctx.pathParam("alert_id"), AlertLifecycle.Change.RESOLVE, note(ctx))));
    app.get("/api/v1/work-orders", ctx -> ctx.json(ViewRoutes.workOrders(ctx, view, predictors)));
    app.get("/api/v1/streams", ctx -> ctx.json(new ViewResponses.Streams(view.streams(),
        view.streamMetricsVersion())));
    app.get("/api/v1/models", ctx -> ctx.json(services.models().get()));
    app.get("/api/v1/drift-reports", ctx -> ctx.json(ViewRoutes.driftReports(ctx, view)));
    app.get("/api/v1/drift-reports/{report_id}/html", ctx -> {
      // read first: a refusal is a problem+json, not a page
      byte[] page = services.driftPages().page(ctx.pathParam("report_id"));
      ctx.header("Content-Security-Policy", "sandbox allow-scripts").contentType("text/html; charset=utf-8")
          .result(page);
    });
    app.before("/api/v1/live", ctx -> services.live().admit());
    app.sse("/api/v1/live", services.live()::join);
    app.post("/api/v1/feedback", ctx -> ctx.json(services.feedback().record(
        optionalBody(ctx, FeedbackRecorder.Request.class))));
    for (WorkOrders.Change change : WorkOrders.Change.values()) {
      app.post("/api/v1/work-orders/{work_order_id}/" + change.name().toLowerCase(Locale.ROOT), ctx -> ctx.json(
          services.workOrderChanges().change(ctx.pathParam("work_order_id"), change,
              optionalBody(ctx, ViewResponses.WorkOrderChange.class))));
    }
    WebUi.routes(app);
    app.start(settings.host(), settings.port());
    LOG.info("serve: listening on http://{}:{}/ (the dashboard; the API under /api/v1; writes {})",
        settings.host(), app.port(),
        settings.token() == null ? "open: loopback only" : "need the bearer token");
    return new ApiServer(app);
  }

  /** The matched route's template, or null when no route matched (a 404 of Javalin's own). */
  private static String route(Context ctx) {
    try {
      // Javalin 6 answers a sentence ("No handler matched ...") when no route matched
      String path = ctx.endpointHandlerPath();
      return path != null && path.startsWith("/") ? path : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Problem notFoundRoute(Context ctx) {
    return Problem.of(404, "Not found", "no route " + ctx.method() + " " + ctx.path()
        + " (the API is described at /api/v1/openapi.json)", null);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  /** Writes need the token when one is set; reads are open. Compared in constant time. */
  private static void requireToken(Context ctx, String token) {
    if (token == null || ctx.method().name().equals("GET") || ctx.method().name().equals("HEAD")) {
      return;
    }
    String header = ctx.header("Authorization");
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
    if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiException(401, "Unauthorized", "this server's write endpoints need the bearer token"
          + " (Authorization: Bearer <pdm.serve.token>)", null);
    }
  }

  private static PredictResponse predict(Context ctx, PredictReader reader, long maxBytes) throws IOException {
    PredictReader.Request req = reader.read(bodyBytes(ctx, maxBytes));
    return PredictResponse.of(req.scoring().predictor().predict(req.assetId(), req.readings()));
  }

  /**
   * The body, read into an array of its declared length (Javalin's own read grows a buffer by
   * doubling and copies it again: a third of a predict request's allocation), within the same limit.
   */
  private static byte[] bodyBytes(Context ctx, long maxBytes) throws IOException {
    long length = ctx.req().getContentLengthLong();
    if (length < 0) {
      return ctx.bodyAsBytes();
    }
    if (length > maxBytes) {
      throw ApiException.tooLarge(maxBytes);
    }
    byte[] body = ctx.req().getInputStream().readNBytes((int) length);
    if (body.length != length) {
      throw ApiException.badRequest(null, "the body ended after " + body.length + " of its " + length + " bytes");
    }
    return body;
  }

  /** The optional {"note": ...} of ack and resolve; an empty body has none. */
  private static String note(Context ctx) {
    ViewResponses.AlertNote b = optionalBody(ctx, ViewResponses.AlertNote.class);
    return b == null ? null : b.note();
  }

  /** The body as {@code type}; null when the request has none (the handler says whether it needs one). */
  private static <T> T optionalBody(Context ctx, Class<T> type) {
    return ctx.bodyAsBytes().length == 0 ? null : body(ctx, type);
  }

  private static <T> T body(Context ctx, Class<T> type) {
    try {
      return JSON.readValue(ctx.bodyAsBytes(), type);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the body is not valid JSON of this endpoint: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badRequest(null, "the body could not be read: " + e.getMessage());
    }
  }

  private static void problem(Context ctx, Problem p) {
    ctx.status(HttpStatus.forStatus(p.status()));
    try {
      ctx.contentType(Problem.CONTENT_TYPE).result(JSON.writeValueAsBytes(p));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the class path beside " + ApiServer.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
