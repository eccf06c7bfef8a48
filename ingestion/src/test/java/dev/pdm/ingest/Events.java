package dev.pdm.ingest;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.ingest.kafka.KafkaSettings;
import dev.pdm.ingest.kafka.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

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

  /**
   * Sends to one partition ({@code null}: the producer chooses), acknowledged before it returns:
   * the topic is created first, and a send the broker refused fails the test instead of leaving
   * a gap in the data.
   */
  static void send(PdmConfig config, String topic, Integer partition, List<String> messages) {
    KafkaTopics.create(config.require(PdmConfigKeys.KAFKA_BOOTSTRAP), List.of(topic));
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(config))) {
      for (String m : messages) {
        sent.add(producer.send(new ProducerRecord<>(topic, partition, null, m.getBytes(StandardCharsets.UTF_8))));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("Cannot publish to " + topic + ": " + e.getMessage(), e);
    }
  }

}
