package dev.pdm.ingest.kafka;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.kohsuke.args4j.Argument;

/**
 * {@code pdm kafka start|stop|status}: the local single-node broker, in a JVM of its own, with its
 * data under the warehouse ({@code pdm.kafka.local-dir}) and its address from
 * {@code pdm.kafka.bootstrap-servers}. Local runs only; on a cluster Kafka is external.
 *
 * <p>Exit codes: 0 done (status: running), 3 status: not running, 2 usage, 1 failure.
 */
public final class KafkaCommand {

  /** What to do. */
  public enum Action { START, STOP, STATUS }

  /** Validated options. */
  public record Options(PdmConfig config, Action action, Path dir, int port) {}

  /** The outcome, printed on stdout. */
  public record Result(String summary, int exitCode) implements JobResult {}

  static final class Cli extends CommonOptions {
    @Argument(metaVar = "start|stop|status", required = true, usage = "what to do")
    Action action;

    Options toOptions(PdmConfig config) {
      String bootstrap = config.require(PdmConfigKeys.KAFKA_BOOTSTRAP).trim();
      String[] hostPort = bootstrap.split(":");
      if (bootstrap.contains(",") || hostPort.length != 2
          || !(hostPort[0].equals("127.0.0.1") || hostPort[0].equals("localhost"))) {
        throw PdmErrors.config("run a local Kafka broker at " + bootstrap,
            "pdm kafka serves one broker on 127.0.0.1 only",
            "set pdm.kafka.bootstrap-servers=127.0.0.1:<port>, or use your external Kafka");
      }
      int port;
      try {
        port = Integer.parseInt(hostPort[1]);
      } catch (NumberFormatException e) {
        throw PdmErrors.badConfigValue(PdmConfigKeys.KAFKA_BOOTSTRAP.name(), bootstrap, "127.0.0.1:<port>");
      }
      String dir = config.require(PdmConfigKeys.KAFKA_LOCAL_DIR);
      if (dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !dir.startsWith("file:")) {
        throw PdmErrors.config("keep the local broker's data in " + dir, "it is not a local directory",
            "set pdm.kafka.local-dir to a local path");
      }
      return new Options(config, action, Path.of(dir.replaceFirst("^file:(//)?", "")).toAbsolutePath(), port);
    }
  }

  private KafkaCommand() {}

  public static void main(String[] args) {
    JobMain.runLocal("kafka", args, new Cli(), (cli, config) -> cli.toOptions(config), KafkaCommand::run);
  }

  public static Result run(Options options) {
    return switch (options.action()) {
      case START -> start(options);
      case STOP -> stop(options);
      case STATUS -> status(options);
    };
  }

  private static Result start(Options o) {
    String bootstrap = "127.0.0.1:" + o.port();
    Optional<ProcessHandle> running = running(o.dir());
    if (running.isPresent()) {
      return new Result("Kafka broker already running at " + bootstrap + " (pid " + running.get().pid() + ")", 0);
    }
    if (!LocalKafkaBroker.isFree(o.port())) {
      throw PdmErrors.failure("start a Kafka broker at " + bootstrap, "the port is in use by another process",
          "stop it, or set pdm.kafka.bootstrap-servers to a free port");
    }
    try {
      Files.createDirectories(o.dir());
      Path log = o.dir().resolve("broker.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx1g");
      String log4j = System.getProperty("log4j2.configurationFile");
      if (log4j != null) {
        cmd.add("-Dlog4j2.configurationFile=" + log4j);
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalKafkaBroker.class.getName(),
          o.dir().toString(), Integer.toString(o.port())));
      Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      Files.writeString(pidFile(o.dir()), Long.toString(process.pid()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          Files.deleteIfExists(pidFile(o.dir()));
          throw PdmErrors.failure("start a Kafka broker at " + bootstrap,
              "it exited with code " + process.exitValue(), "see " + log);
        }
        if (accepts(bootstrap)) {
          return new Result(bootstrap, 0);
        }
        Thread.sleep(500);
      }
      process.destroyForcibly();
      throw PdmErrors.failure("start a Kafka broker at " + bootstrap, "it did not answer within 90 s", "see " + log);
    } catch (IOException e) {
      throw PdmErrors.failure("start a Kafka broker", e.getMessage(), "check " + o.dir(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("start a Kafka broker", "interrupted", "run it again");
    }
  }

  private static Result stop(Options o) {
    Optional<ProcessHandle> running = running(o.dir());
    if (running.isEmpty()) {
      return new Result("Kafka broker is not running", 0);
    }
    ProcessHandle process = running.get();
    process.destroy();
    try {
      process.onExit().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(pidFile(o.dir()));
    } catch (IOException ignored) {
      // the pid no longer runs; a stale file is ignored by running()
    }
    return new Result("Kafka broker stopped (pid " + process.pid() + ")", 0);
  }

  private static Result status(Options o) {
    Optional<ProcessHandle> running = running(o.dir());
    String bootstrap = "127.0.0.1:" + o.port();
    if (running.isPresent() && accepts(bootstrap)) {
      return new Result("running at " + bootstrap + " (pid " + running.get().pid() + ", data " + o.dir() + ")", 0);
    }
    return new Result(running.isPresent() ? "starting or not answering at " + bootstrap : "not running", 3);
  }

  private static Optional<ProcessHandle> running(Path dir) {
    try {
      Path pid = pidFile(dir);
      if (!Files.exists(pid)) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().commandLine().map(c -> c.contains(LocalKafkaBroker.class.getName())).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Path pidFile(Path dir) {
    return dir.resolve("broker.pid");
  }

  private static boolean accepts(String bootstrap) {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

}
