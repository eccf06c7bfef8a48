package dev.pdm.serving;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard: its pages ({@code /}, {@code /assets/{asset_id}}, {@code /alerts},
 * {@code /work-orders}, {@code /models}) are one HTML shell whose script draws the page the address names from the
 * API; its files are served from the jar under {@code /ui/}, the chart library (uPlot, installed by
 * npm at build time) included, so the page needs no network beyond this server.
 *
 * <p>Only the files listed here are served (no path from a request reaches the class path), each
 * with an ETag so that a reload asks again and gets 304.
 *
 * <p>Usage:
 * <pre>{@code
 * WebUi.routes(app);   // before app.start
 * }</pre>
 */
final class WebUi {

  static final String ROOT = "/dev/pdm/serving/web/";
  /** Pages the shell draws: a deep link or a reload of any of them gets the shell. */
  static final List<String> PAGES = List.of("/", "/assets/{asset_id}", "/alerts", "/work-orders", "/models");

  private record Asset(byte[] body, String contentType, String etag) {}

  private static final Map<String, String> FILES = new LinkedHashMap<>();

  static {
    FILES.put("index.html", "text/html; charset=utf-8");
    FILES.put("app.js", "text/javascript; charset=utf-8");
    FILES.put("app.css", "text/css; charset=utf-8");
    FILES.put("vendor/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8");
    FILES.put("vendor/uplot/dist/uPlot.min.css", "text/css; charset=utf-8");
    FILES.put("vendor/uplot/LICENSE", "text/plain; charset=utf-8");
  }

  private WebUi() {}

  /** Registers the pages and the files; fails at start when the jar lacks one (a build without npm). */
  static void routes(Javalin app) {
    Map<String, Asset> assets = new LinkedHashMap<>();
    FILES.forEach((name, type) -> assets.put(name, load(name, type)));
    Asset shell = assets.get("index.html");
    for (String page : PAGES) {
      app.get(page, ctx -> send(ctx, shell));
    }
    assets.forEach((name, asset) -> app.get("/ui/" + name, ctx -> send(ctx, asset)));
  }

  private static void send(Context ctx, Asset a) {
    ctx.header("Cache-Control", "no-cache");
    ctx.header("ETag", a.etag());
    ctx.header("X-Content-Type-Options", "nosniff");
    if (a.etag().equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.contentType(a.contentType()).result(a.body());
  }

  private static Asset load(String name, String type) {
    try (InputStream in = WebUi.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + name + " is not in the jar (" + ROOT + name
            + "): build the serving module with Maven, which installs the chart library with npm");
      }
      byte[] body = in.readAllBytes();
      String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 12) + "\"";
      return new Asset(body, type, etag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
