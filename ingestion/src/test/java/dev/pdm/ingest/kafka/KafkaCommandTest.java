package dev.pdm.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.cli.LocalServer;
import dev.pdm.common.cli.LocalServer.Action;
import dev.pdm.common.cli.LocalServer.Result;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.TestSpark;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * start, status and stop of the local broker process as `pdm kafka` runs them: stop must find the
 * broker by its pid file even though its command line (a long classpath) is longer than the 4096
 * bytes the JDK reads of it.
 */
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
      started = KafkaCommand.run(new KafkaCommand.Options(config, Action.START, dir, port));
    } finally {
      System.setProperty("java.class.path", classpath);
    }
    try {
      assertEquals("127.0.0.1:" + port, started.summary());
      Result status = KafkaCommand.run(new KafkaCommand.Options(config, Action.STATUS, dir, port));
      assertEquals(0, status.exitCode(), status.summary());
      assertTrue(status.summary().startsWith("running at 127.0.0.1:" + port), status.summary());
      Result again = KafkaCommand.run(new KafkaCommand.Options(config, Action.START, dir, port));
      assertTrue(again.summary().startsWith("Kafka broker already running"), again.summary());
    } finally {
      Result stopped = KafkaCommand.run(new KafkaCommand.Options(config, Action.STOP, dir, port));
      assertTrue(stopped.summary().startsWith("Kafka broker stopped"), stopped.summary());
    }
    Result after = KafkaCommand.run(new KafkaCommand.Options(config, Action.STATUS, dir, port));
    assertEquals(LocalServer.NOT_RUNNING, after.exitCode(), after.summary());
    assertTrue(LocalKafkaBroker.isFree(port), "the port is free again");
  }
}
