package dev.pdm.scoring;

import dev.pdm.common.PdmErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Named steps of a micro-batch run side by side, each on a thread of its own (a new thread per
 * step: Spark's local properties, such as the SQL execution id, are inherited when a thread is
 * created, so a pooled thread would carry a finished batch's). {@link #await} waits for all and
 * rethrows the first failure; {@link #timings} says how long each took.
 */
final class Steps {

  private static final Executor NEW_THREAD = r -> {
    Thread t = new Thread(r, "pdm-batch-step");
    t.setDaemon(true);
    t.start();
  };

  private final Map<String, Long> millis = new LinkedHashMap<>();
  private final List<CompletableFuture<Void>> running = new ArrayList<>();

  void add(String name, Runnable step) {
    running.add(CompletableFuture.runAsync(() -> {
      long t = System.currentTimeMillis();
      step.run();
      synchronized (millis) {
        millis.put(name, System.currentTimeMillis() - t);
      }
    }, NEW_THREAD));
  }

  void await() {
    try {
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw PdmErrors.failure("write a scoring micro-batch", String.valueOf(cause.getMessage()),
          "the batch runs again on restart; every write skips what it committed", cause);
    }
  }

  String timings() {
    synchronized (millis) {
      StringBuilder b = new StringBuilder();
      millis.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v).append(" ms"));
      return b.toString();
    }
  }
}
