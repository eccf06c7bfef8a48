package dev.pdm.mlflow;

import dev.pdm.common.test.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * One real MLflow tracking server for the tests of this JVM, started with {@link MlflowCommand} (the
 * project's virtualenv, sqlite, artifact proxy) on a free port, stopped at JVM exit.
 */
public final class LocalMlflow {

  private static String uri;

  private LocalMlflow() {}

  public static synchronized String uri() {
    if (uri == null) {
      int port = freePort();
      Path dir = TestSpark.tempDir("mlflow");
      MlflowCommand.Options start = new MlflowCommand.Options(dev.pdm.common.cli.LocalServer.Action.START, dir, port,
          Path.of(System.getProperty("pdm.home")));
      MlflowCommand.run(start);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> MlflowCommand.run(
          new MlflowCommand.Options(dev.pdm.common.cli.LocalServer.Action.STOP, dir, port, start.pdmHome()))));
      uri = "http://127.0.0.1:" + port;
    }
    return uri;
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
