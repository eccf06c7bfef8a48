package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-Sent Events at {@code GET /api/v1/live}: a {@code versions} event whenever a table the
 * view follows moves (and one when a client joins), so that a page fetches again what changed
 * instead of polling the API. The event carries the versions only, not rows: a client that
 * missed events (a dropped connection; the browser reconnects by itself) catches up with the next
 * one, and the server keeps no per-client backlog.
 *
 * <p>Bounded: at most {@code maxClients} open streams; one more gets 503 (the page then falls
 * back to polling). A comment line every {@code heartbeatMillis} finds the clients that left: the failed
 * write closes them.
 *
 * <p>Usage:
 * <pre>{@code
 * LiveUpdates live = LiveUpdates.start(() -> new LiveUpdates.Versions(...), 1000, 15_000, 100);
 * app.before("/api/v1/live", ctx -> live.admit());
 * app.sse("/api/v1/live", live::join);
 * live.close();
 * }</pre>
 */
final class LiveUpdates implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveUpdates.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String EVENT = "versions";

  /** The table versions the view holds (-1: not read yet, or no table). */
  record Versions(@JsonProperty("predictions_version") long predictions,
      @JsonProperty("alerts_version") long alerts,
      @JsonProperty("work_orders_version") long workOrders,
      @JsonProperty("asset_events_version") long assetEvents,
      @JsonProperty("stream_metrics_version") long streamMetrics,
      @JsonProperty("drift_reports_version") long driftReports) {}

  private final Supplier<Versions> versions;
  private final int maxClients;
  private final long heartbeatMillis;
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;
  private volatile Versions last;
  private long lastSentMillis;

  private LiveUpdates(Supplier<Versions> versions, long heartbeatMillis, int maxClients) {
    this.versions = versions;
    this.heartbeatMillis = heartbeatMillis;
    this.maxClients = maxClients;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pdm-serve-live");
      t.setDaemon(true);
      return t;
    });
  }

  /** Compares the versions every {@code checkMillis} and tells the clients when they moved. */
  static LiveUpdates start(Supplier<Versions> versions, long checkMillis, long heartbeatMillis, int maxClients) {
    LiveUpdates live = new LiveUpdates(versions, heartbeatMillis, maxClients);
    live.last = versions.get();
    live.ticker.scheduleWithFixedDelay(live::tick, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    return live;
  }

  /** Before a stream opens (its headers are sent before {@link #join} runs): refuses one too many. */
  void admit() {
    if (clients.size() >= maxClients) {
      throw new ApiException(503, "Too many live clients", "this server streams to at most " + maxClients
          + " clients at a time (pdm.serve.max-live-clients); poll the API instead", null);
    }
  }

  /** A new client: the versions now, then every change until it leaves. */
  void join(SseClient client) {
    client.keepAlive();
    // a write that fails closes the client (Javalin), which runs this: the one place a client leaves
    client.onClose(() -> clients.remove(client));
    clients.add(client);
    client.sendEvent(EVENT, json(last));
  }

  int clientCount() {
    return clients.size();
  }

  private void tick() {
    try {
      Versions now = versions.get();
      long millis = System.currentTimeMillis();
      if (!now.equals(last)) {
        last = now;
        lastSentMillis = millis;
        String data = json(now);
        clients.forEach(c -> c.sendEvent(EVENT, data));
      } else if (millis - lastSentMillis >= heartbeatMillis) {
        lastSentMillis = millis;
        clients.forEach(c -> c.sendComment("heartbeat"));
      }
    } catch (RuntimeException e) {
      // a failed tick must not end the schedule: the next one tries again
      LOG.warn("serve: live updates: {}", e.toString());
    }
  }

  private static String json(Versions v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    clients.forEach(SseClient::close);
    clients.clear();
  }
}
