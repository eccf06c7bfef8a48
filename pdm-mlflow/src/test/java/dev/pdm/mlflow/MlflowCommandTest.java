package dev.pdm.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.cli.LocalServer.Action;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code pdm mlflow start|status|stop} of a real server from the project's virtualenv. */
@Integration
class MlflowCommandTest {

  @Test
  void aStartedServerAnswersRunsNoJobRunnerAndStops() throws Exception {
    Path dir = TestSpark.tempDir("mlflow-cmd");
    int port = LocalMlflow.freePort();
    Path home = Path.of(System.getProperty("pdm.home"));
    String url = "http://127.0.0.1:" + port;
    try {
      assertEquals(url, MlflowCommand.run(new MlflowCommand.Options(Action.START, dir, port, home)).summary());
      assertTrue(MlflowCommand.answers(url));
      assertEquals(0, MlflowCommand.run(new MlflowCommand.Options(Action.STATUS, dir, port, home)).exitCode());

      // MLflow 3 starts its GenAI job runner with the server unless told not to: eight Python
      // processes that took a third of a core while idle
      Thread.sleep(2_000);
      long pid = Long.parseLong(Files.readString(dir.resolve("server.pid")).trim());
      List<String> tree = ProcessHandle.of(pid).orElseThrow().descendants()
          .map(p -> p.info().commandLine().orElse("?")).toList();
      assertFalse(tree.isEmpty(), "the server runs its web workers as child processes");
      assertTrue(tree.stream().noneMatch(c -> c.contains("huey") || c.contains("mlflow.server.jobs")), tree.toString());
    } finally {
      MlflowCommand.run(new MlflowCommand.Options(Action.STOP, dir, port, home));
    }
    assertFalse(MlflowCommand.answers(url));
    assertEquals(3, MlflowCommand.run(new MlflowCommand.Options(Action.STATUS, dir, port, home)).exitCode());
  }
}
