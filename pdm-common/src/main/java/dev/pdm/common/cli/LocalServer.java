package dev.pdm.common.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code start|stop|status} commands of local servers share (the Kafka broker, the MLflow
 * server): the action, the printed result, and the pid file that finds the server again from
 * another process. Exit codes: 0 done (status: running), 3 status: not running.
 */
public final class LocalServer {

  /** What to do. */
  public enum Action { START, STOP, STATUS }

  /** The outcome, printed on stdout. */
  public record Result(String summary, int exitCode) implements JobResult {}

  /** Exit code of {@code status} when the server does not run. */
  public static final int NOT_RUNNING = 3;

  private LocalServer() {}

  /** The live process of a pid file whose command line contains {@code marker}, if any. */
  public static Optional<ProcessHandle> running(Path pidFile, String marker) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Stops the process and its descendants (workers), forcibly after a grace period; removes the pid file. */
  public static Result stop(Path pidFile, String marker, String what) {
    Optional<ProcessHandle> running = running(pidFile, marker);
    if (running.isEmpty()) {
      return new Result(what + " is not running", 0);
    }
    ProcessHandle process = running.get();
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    awaitExit(process, 60);
    children.forEach(c -> awaitExit(c, 10));
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException ignored) {
      // the pid no longer runs; a stale file is ignored by running()
    }
    return new Result(what + " stopped (pid " + process.pid() + ")", 0);
  }

  /** {@code status}: running when the pid file's process lives and the server answers. */
  public static Result status(Path pidFile, String marker, boolean answers, String address, Path data) {
    Optional<ProcessHandle> running = running(pidFile, marker);
    if (running.isPresent() && answers) {
      return new Result("running at " + address + " (pid " + running.get().pid() + ", data " + data + ")", 0);
    }
    return new Result(running.isPresent() ? "starting or not answering at " + address : "not running", NOT_RUNNING);
  }

  private static void awaitExit(ProcessHandle p, int seconds) {
    try {
      p.onExit().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
    }
  }
}
