package dev.pdm.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.cli.LocalServer;
import dev.pdm.common.cli.LocalServer.Action;
import dev.pdm.common.cli.LocalServer.Result;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.Integration;
import dev.pdm.common.test.TestSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/**
 * start, status and stop of the local broker process as `pdm kafka` runs them: stop must find the
 * broker by its pid file even though its command line (a long classpath) is longer than the 4096
 * bytes the JDK reads of it.
 */
@Integration
class KafkaCommandTest {

  @Test
  void startStatusStopFindTheBrokerByItsPidFile() throws Exception {
    Path dir = TestSpark.tempDir("kafka-cmd");
    int port = LocalKafkaBroker.freePort();
    PdmConfig config = PdmConfig.of(Map.of());
    // A classpath as long as bin/pdm's (surefire's own is one short manifest jar).
    String classpath = System.getProperty("java.class.path");
    StringBuilder longer = new StringBuilder(classpath);
    for (int i = 0; i < 300; i++) {
      longer.append(java.io.File.pathSeparator).append("/nonexistent/pdm-padding-").append(i).append(".jar");
    }
    Result started;
    System.setProperty("java.class.path", longer.toString());
    try {
      started = KafkaCommand.run(new KafkaCommand.Options(config, Action.START, dir, port, List.of()));
    } finally {
      System.setProperty("java.class.path", classpath);
    }
    try {
      assertEquals("127.0.0.1:" + port, started.summary());
      Result status = KafkaCommand.run(new KafkaCommand.Options(config, Action.STATUS, dir, port, List.of()));
      assertEquals(0, status.exitCode(), status.summary());
      assertTrue(status.summary().startsWith("running at 127.0.0.1:" + port), status.summary());
      // start on a running broker creates the missing topics only, and says so
      Result again = KafkaCommand.run(new KafkaCommand.Options(config, Action.START, dir, port, List.of("t1", "t2")));
      assertTrue(again.summary().startsWith("Kafka broker already running"), again.summary());
      KafkaCommand.run(new KafkaCommand.Options(config, Action.START, dir, port, List.of("t2", "t3")));
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
        assertEquals(Set.of("t1", "t2", "t3"), admin.listTopics().names().get(30, TimeUnit.SECONDS));
      }
    } finally {
      Result stopped = KafkaCommand.run(new KafkaCommand.Options(config, Action.STOP, dir, port, List.of()));
      assertTrue(stopped.summary().startsWith("Kafka broker stopped"), stopped.summary());
    }
    Result after = KafkaCommand.run(new KafkaCommand.Options(config, Action.STATUS, dir, port, List.of()));
    assertEquals(LocalServer.NOT_RUNNING, after.exitCode(), after.summary());
    assertTrue(LocalKafkaBroker.isFree(port), "the port is free again");
  }

  @Test
  void topicsGoWithStartOnly() {
    PdmException e = assertThrows(PdmException.class, () -> new KafkaCommand.Options(PdmConfig.of(Map.of()),
        Action.STATUS, Path.of("x"), 9092, List.of("telemetry")));
    assertTrue(e.getMessage().contains("--topics goes with start"), e.getMessage());
    assertThrows(PdmException.class, () -> new KafkaCommand.Options(PdmConfig.of(Map.of()),
        Action.START, Path.of("x"), 9092, List.of("bad topic!")));
  }
}
