package dev.pdm.ingest.sim;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.ingest.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends events to a topic keyed by asset id (so one asset's events keep their order in one
 * partition), at most {@code rate} events a second when rate > 0.
 */
public final class EventSink implements AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final double rate;
  private final long started = System.nanoTime();
  private final AtomicReference<Exception> failed = new AtomicReference<>();
  private long sent;

  public EventSink(PdmConfig config, String topic, double rate) {
    this.producer = new KafkaProducer<>(KafkaSettings.producer(config));
    this.topic = topic;
    this.rate = rate;
  }

  public void send(String assetId, String json) {
    if (failed.get() != null) {
      throw PdmErrors.failure("send events to topic " + topic, failed.get().getMessage(),
          "check that Kafka runs at pdm.kafka.bootstrap-servers (bin/pdm kafka status)", failed.get());
    }
    producer.send(new ProducerRecord<>(topic, assetId.getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8)), (meta, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
        });
    sent++;
    if (rate > 0) {
      long due = started + (long) (sent / rate * 1e9);
      long wait = due - System.nanoTime();
      if (wait > 1_000_000) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw PdmErrors.failure("send events", "interrupted", "run again");
        }
      }
    }
  }

  public long sent() {
    return sent;
  }

  @Override
  public void close() {
    producer.flush();
    producer.close();
    if (failed.get() != null) {
      throw PdmErrors.failure("send events to topic " + topic, failed.get().getMessage(),
          "check that Kafka runs at pdm.kafka.bootstrap-servers (bin/pdm kafka status)", failed.get());
    }
  }
}
