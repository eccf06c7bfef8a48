package dev.pdm.ingest.kafka;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.LocalServer;
import dev.pdm.common.cli.LocalServer.Action;
import dev.pdm.common.cli.LocalServer.Result;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.kohsuke.args4j.Argument;
import org.kohsuke.args4j.Option;

/**
 * {@code pdm kafka start|stop|status}: the local single-node broker, in a JVM of its own, with its
 * data under the warehouse ({@code pdm.kafka.local-dir}) and its address from
 * {@code pdm.kafka.bootstrap-servers}. Local runs only; on a cluster Kafka is external.
 * {@code start --topics a,b} also creates those topics (the broker's default partitions) when
 * missing, so a stream can subscribe before anything was published.
 *
 * <p>Exit codes: 0 done (status: running), 3 status: not running, 2 usage, 1 failure.
 */
public final class KafkaCommand {

  /** Validated options. */
  public record Options(PdmConfig config, Action action, Path dir, int port, List<String> topics) {
    public Options {
      topics = List.copyOf(topics);
      topics.forEach(Names::requireTopic);
      if (!topics.isEmpty() && action != Action.START) {
        throw PdmErrors.usage("kafka " + action.name().toLowerCase(java.util.Locale.ROOT),
            "--topics goes with start", "e.g. bin/pdm kafka start --topics telemetry,alerts");
      }
    }
  }

  static final class Cli extends CommonOptions {
    @Argument(metaVar = "start|stop|status", required = true, usage = "what to do")
    Action action;

    @Option(name = "--topics", metaVar = "T1,T2", usage = "start: also create these topics when missing")
    String topics;

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
      List<String> names = topics == null || topics.isBlank() ? List.of()
          : Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
      return new Options(config, action, Path.of(dir.replaceFirst("^file:(//)?", "")).toAbsolutePath(), port, names);
    }
  }

  /**
   * First in the broker's command line, so it tells its pid from a recycled one: the JDK reads at
   * most 4096 bytes of a command line on Linux, and the classpath before the main class is longer.
   */
  private static final String MARKER = "-Dpdm.local-server=kafka";

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
    Result started = startBroker(o);
    KafkaTopics.create("127.0.0.1:" + o.port(), o.topics());
    return started;
  }

  private static Result startBroker(Options o) {
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
      cmd.add(MARKER);
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
    return LocalServer.stop(pidFile(o.dir()), MARKER, "Kafka broker");
  }

  private static Result status(Options o) {
    String bootstrap = "127.0.0.1:" + o.port();
    return LocalServer.status(pidFile(o.dir()), MARKER, accepts(bootstrap), bootstrap, o.dir());
  }

  private static Optional<ProcessHandle> running(Path dir) {
    return LocalServer.running(pidFile(dir), MARKER);
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
