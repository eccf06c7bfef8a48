package dev.pdm.mlflow;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.LocalServer.Action;
import dev.pdm.common.cli.LocalServer.Result;
import dev.pdm.common.cli.LocalServer;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.kohsuke.args4j.Argument;

/**
 * {@code pdm mlflow start|stop|status}: a local MLflow tracking server, the real {@code mlflow
 * server} from the project's virtualenv ({@code bin/setup-python mlflow} creates it on first use, with
 * only what the server needs, pinned in bin/requirements/mlflow.txt), with a sqlite backend store and an artifact store under
 * {@code pdm.mlflow.local-dir}, serving artifacts through its proxy, on the 127.0.0.1 port of
 * {@code pdm.mlflow.tracking-uri}. Local runs only; on a cluster MLflow is external.
 *
 * <p>Exit codes: 0 done (status: running), 3 status: not running, 2 usage, 1 failure.
 */
public final class MlflowCommand {

  /** Validated options. */
  public record Options(Action action, Path dir, int port, Path pdmHome) {}

  /** In the server's command line: tells its pid from a recycled one. */
  private static final String MARKER = "mlflow";
  /** MLflow server's switch of its job runner (see {@link #start}). */
  static final String JOB_EXECUTION = "MLFLOW_SERVER_ENABLE_JOB_EXECUTION";

  static final class Cli extends CommonOptions {
    @Argument(metaVar = "start|stop|status", required = true, usage = "what to do")
    Action action;
  }

  private MlflowCommand() {}

  public static void main(String[] args) {
    JobMain.runLocal("mlflow", args, new Cli(), (cli, config) -> options(config, cli.action), MlflowCommand::run);
  }

  /** Options from the effective config. */
  public static Options options(PdmConfig config, Action action) {
    String uri = Tracking.trackingUri(config);
    URI parsed = URI.create(uri);
    if (!"http".equals(parsed.getScheme()) || parsed.getPort() < 1
        || !("127.0.0.1".equals(parsed.getHost()) || "localhost".equals(parsed.getHost()))) {
      throw PdmErrors.config("run a local MLflow server at " + uri, "pdm mlflow serves http://127.0.0.1:<port> only",
          "set pdm.mlflow.tracking-uri=http://127.0.0.1:5000 (and unset MLFLOW_TRACKING_URI), or use your own"
              + " MLflow server");
    }
    String dir = config.require(PdmConfigKeys.MLFLOW_LOCAL_DIR);
    if (dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !dir.startsWith("file:")) {
      throw PdmErrors.config("keep the local MLflow server's data in " + dir, "it is not a local directory",
          "set pdm.mlflow.local-dir to a local path");
    }
    String home = System.getProperty("pdm.home");
    if (home == null) {
      throw PdmErrors.config("find the project's Python environment", "the pdm.home system property is not set",
          "run it through bin/pdm mlflow");
    }
    return new Options(action, Path.of(dir.replaceFirst("^file:(//)?", "")).toAbsolutePath(), parsed.getPort(),
        Path.of(home));
  }

  public static Result run(Options o) {
    return switch (o.action()) {
      case START -> start(o);
      case STOP -> stop(o);
      case STATUS -> status(o);
    };
  }

  private static String url(Options o) {
    return "http://127.0.0.1:" + o.port();
  }

  private static Result start(Options o) {
    Optional<ProcessHandle> running = running(o.dir());
    if (running.isPresent()) {
      return new Result(url(o), 0);
    }
    if (answers(url(o))) {
      throw PdmErrors.failure("start an MLflow server at " + url(o), "another process already serves that port",
          "stop it, or set pdm.mlflow.tracking-uri to another port");
    }
    try {
      Files.createDirectories(o.dir().resolve("artifacts"));
      Path log = o.dir().resolve("server.log");
      Path venvBin = venv(o);
      List<String> cmd = new ArrayList<>(List.of(venvBin.resolve("mlflow").toString(), "server",
          "--backend-store-uri", "sqlite:///" + o.dir().resolve("mlflow.db"),
          "--artifacts-destination", o.dir().resolve("artifacts").toString(), "--serve-artifacts",
          "--host", "127.0.0.1", "--port", Integer.toString(o.port()), "--workers", "1"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().remove("MLFLOW_TRACKING_URI");
      // MLflow 3's server starts a job runner by default (eight Python processes of huey consumers for
      // its GenAI jobs, which pdm does not use): measured here, 19.5 s of CPU a minute while idle and 11 s
      // more to start, against 0.1 s and 7.8 s without it. Set the variable to true to keep it.
      pb.environment().putIfAbsent(JOB_EXECUTION, "false");
      Process process = pb.start();
      Files.writeString(pidFile(o.dir()), Long.toString(process.pid()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          Files.deleteIfExists(pidFile(o.dir()));
          throw PdmErrors.failure("start an MLflow server at " + url(o), "it exited with code " + process.exitValue(),
              "see " + log);
        }
        if (answers(url(o))) {
          return new Result(url(o), 0);
        }
        Thread.sleep(500);
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw PdmErrors.failure("start an MLflow server at " + url(o), "it did not answer within 120 s", "see " + log);
    } catch (IOException e) {
      throw PdmErrors.failure("start an MLflow server", e.getMessage(), "check " + o.dir(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PdmErrors.failure("start an MLflow server", "interrupted", "run it again");
    }
  }

  /** The virtualenv's bin directory, with the server's group installed by bin/setup-python. */
  private static Path venv(Options o) throws IOException, InterruptedException {
    Path setup = o.pdmHome().resolve("bin/setup-python");
    Process p = new ProcessBuilder(setup.toString(), "mlflow").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || out.isEmpty()) {
      throw PdmErrors.failure("start an MLflow server", "bin/setup-python failed (exit " + p.exitValue() + ")",
          "see its message above; it needs python3 3.10+ and access to PyPI");
    }
    return Path.of(out);
  }

  private static Result stop(Options o) {
    return LocalServer.stop(pidFile(o.dir()), MARKER, "MLflow server");
  }

  private static Result status(Options o) {
    return LocalServer.status(pidFile(o.dir()), MARKER, answers(url(o)), url(o), o.dir());
  }

  private static Optional<ProcessHandle> running(Path dir) {
    return LocalServer.running(pidFile(dir), MARKER);
  }

  private static Path pidFile(Path dir) {
    return dir.resolve("server.pid");
  }

  /** Whether an MLflow server answers its health check. */
  static boolean answers(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
