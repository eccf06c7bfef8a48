package dev.pdm.ingest.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft Kafka broker (the real {@code kafka_2.13} server) bound to 127.0.0.1, for
 * local runs and tests. Never part of the application jar: on a cluster, Kafka is external.
 *
 * <p>Run in-process with {@link #start}, or as its own JVM with {@link #main}, which is what
 * {@code pdm kafka start} does.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  private final KafkaRaftServer server;
  private final int port;
  private final Path dir;

  private LocalKafkaBroker(KafkaRaftServer server, int port, Path dir) {
    this.server = server;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a broker on 127.0.0.1:{@code port} (0 picks a free port) with its data in {@code dir}. */
  public static LocalKafkaBroker start(Path dir, int port) {
    try {
      Files.createDirectories(dir);
      int brokerPort = port == 0 ? freePort() : port;
      int controllerPort = controllerPort(dir, brokerPort);
      Properties props = new Properties();
      props.putAll(Map.ofEntries(
          Map.entry("process.roles", "broker,controller"),
          Map.entry("node.id", "1"),
          Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
          Map.entry("listeners",
              "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort),
          Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
          Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
          Map.entry("controller.listener.names", "CONTROLLER"),
          Map.entry("inter.broker.listener.name", "PLAINTEXT"),
          Map.entry("log.dirs", dir.resolve("data").toAbsolutePath().toString()),
          Map.entry("num.partitions", "2"),
          Map.entry("offsets.topic.replication.factor", "1"),
          Map.entry("offsets.topic.num.partitions", "4"),
          Map.entry("transaction.state.log.replication.factor", "1"),
          Map.entry("transaction.state.log.min.isr", "1"),
          Map.entry("group.initial.rebalance.delay.ms", "0"),
          Map.entry("log.retention.hours", "-1"),
          Map.entry("auto.create.topics.enable", "true")));
      Path config = dir.resolve("server.properties");
      try (var out = Files.newOutputStream(config)) {
        props.store(out, "pdm local broker");
      }
      if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
        format(config);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
      server.startup();
      return new LocalKafkaBroker(server, brokerPort, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  /** {@code LocalKafkaBroker <dir> <port>}: runs until killed (SIGTERM shuts it down cleanly). */
  public static void main(String[] args) throws InterruptedException {
    LocalKafkaBroker broker = start(Path.of(args[0]), Integer.parseInt(args[1]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      stopped.countDown();
    }));
    System.out.println("pdm local Kafka broker started at " + broker.bootstrapServers());
    stopped.await();
  }

  private static void format(Path config) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc = StorageTool.execute(
        new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--ignore-formatted"},
        new PrintStream(log, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("Kafka storage format failed: " + log.toString(StandardCharsets.UTF_8));
    }
  }

  /**
   * The controller port is kept in the data directory, so a restart finds its quorum again; never
   * the broker's port (two free-port picks in a row can return the same port).
   */
  private static int controllerPort(Path dir, int brokerPort) throws IOException {
    Path file = dir.resolve("controller.port");
    if (Files.exists(file)) {
      int port = Integer.parseInt(Files.readString(file).trim());
      if (port != brokerPort && isFree(port)) {
        return port;
      }
    }
    int port = freePort();
    while (port == brokerPort) {
      port = freePort();
    }
    Files.writeString(file, Integer.toString(port));
    return port;
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
