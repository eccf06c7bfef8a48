package dev.pdm.training;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a few pieces of driver-side work side by side, each on its own daemon thread, and returns
 * their results in order; the first failure is rethrown as itself (not wrapped) and the rest are
 * cancelled. Spark jobs from these threads share the session's cores: boosting runs several small
 * jobs per tree whose fixed cost leaves cores idle that another fit uses.
 *
 * <p>Usage:
 * <pre>{@code
 * List<Model<?>> models = SideBySide.run("pdm-cv-fit", 2, fits);   // at most 2 at a time
 * }</pre>
 */
final class SideBySide {

  private SideBySide() {}

  /** Runs {@code work} with up to {@code threads} at a time, named {@code name}. */
  static <T> List<T> run(String name, int threads, List<Callable<T>> work) {
    if (work.isEmpty()) {
      return List.of();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, work.size())), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> w : work) {
        futures.add(pool.submit(w));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + name, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
  }
}
