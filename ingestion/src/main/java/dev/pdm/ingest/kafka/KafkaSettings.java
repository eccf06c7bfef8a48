package dev.pdm.ingest.kafka;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka client settings from config: the bootstrap servers plus every {@code pdm.kafka.option.*}
 * key passed through as it is (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*), so a
 * secured cluster needs config, not code.
 */
public final class KafkaSettings {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSettings.class);

  private KafkaSettings() {}

  /** Client properties (producer, consumer, admin). */
  public static Map<String, Object> client(PdmConfig config) {
    Map<String, Object> props = new HashMap<>(config.withPrefix(PdmConfigKeys.KAFKA_OPTION_PREFIX));
    props.put("bootstrap.servers", config.require(PdmConfigKeys.KAFKA_BOOTSTRAP));
    return props;
  }

  /**
   * Fails with an actionable message when {@code topic} does not exist: Spark's Kafka source
   * cannot subscribe to a topic that is missing when the query starts (its first offset lookup
   * fails with "This server does not host this topic-partition"). When the topics cannot be
   * listed (a broker down, no Describe permission) it only logs: the query reports the cause.
   */
  public static void requireTopic(PdmConfig config, String topic, String action) {
    List<String> names;
    try (Admin admin = Admin.create(client(config))) {
      names = List.copyOf(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("Could not list the topics at {} to check for {}: {}", config.require(PdmConfigKeys.KAFKA_BOOTSTRAP),
          topic, e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!names.contains(topic)) {
      throw PdmErrors.failure(action, "topic " + topic + " does not exist at "
              + config.require(PdmConfigKeys.KAFKA_BOOTSTRAP),
          "create it (kafka-topics.sh --create --topic " + topic + ") or publish to it first, then run again");
    }
  }

  /**
   * An idempotent producer of raw bytes: no duplicates from its own retries, order kept. A send
   * that fails in the end is reported only to its callback or future: callers check them.
   */
  public static Map<String, Object> producer(PdmConfig config) {
    Map<String, Object> props = client(config);
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /** Options of Spark's Kafka source: every client property prefixed with {@code kafka.}. */
  public static Map<String, String> sparkSource(PdmConfig config) {
    Map<String, String> options = new HashMap<>();
    client(config).forEach((k, v) -> options.put("kafka." + k, String.valueOf(v)));
    return options;
  }
}
