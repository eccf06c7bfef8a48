package dev.pdm.ingest;

import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.common.config.PdmConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Inline telemetry events for tests. */
final class Events {

  private Events() {}

  /** A valid event of asset {@code asset} at {@code cycle}, with s2 = {@code s2}. */
  static String valid(String asset, int cycle, double s2) {
    return "{\"asset_id\":\"" + asset + "\",\"dataset\":\"FD001\",\"cycle\":" + cycle
        + ",\"settings\":{\"setting1\":-0.0007,\"setting2\":-0.0004,\"setting3\":100.0},"
        + "\"sensors\":{\"s1\":518.67,\"s2\":" + s2 + ",\"s3\":1589.7,\"s4\":1400.6,\"s7\":554.36,"
        + "\"s11\":47.47,\"s21\":23.419,\"vibration_x\":0.3}}";
  }

  static void send(PdmConfig config, String topic, List<String> messages) {
    send(config, topic, null, messages);
  }

  /** Sends to one partition ({@code null}: the producer chooses), flushed before it returns. */
  static void send(PdmConfig config, String topic, Integer partition, List<String> messages) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(config))) {
      for (String m : messages) {
        producer.send(new ProducerRecord<>(topic, partition, null, m.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }
}
