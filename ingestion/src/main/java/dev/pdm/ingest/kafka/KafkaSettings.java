package dev.pdm.ingest.kafka;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka client settings from config: the bootstrap servers plus every {@code pdm.kafka.option.*}
 * key passed through as it is (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*), so a
 * secured cluster needs config, not code.
 */
public final class KafkaSettings {

  private KafkaSettings() {}

  /** Client properties (producer, consumer, admin). */
  public static Map<String, Object> client(PdmConfig config) {
    Map<String, Object> props = new HashMap<>(config.withPrefix(PdmConfigKeys.KAFKA_OPTION_PREFIX));
    props.put("bootstrap.servers", config.require(PdmConfigKeys.KAFKA_BOOTSTRAP));
    return props;
  }

  /** An idempotent producer of raw bytes: no duplicates from its own retries, order kept. */
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
