package dev.pdm.common.config;

import java.util.List;

/** Every configuration key of pdm, with its default and documentation. */
public final class PdmConfigKeys {

  private PdmConfigKeys() {}

  public static final ConfigKey WAREHOUSE =
      ConfigKey.of(
          "pdm.warehouse",
          "./warehouse",
          "Root of the Delta warehouse: a local path or a URI (s3a://, abfss://, gs://, hdfs://).");

  public static final ConfigKey REGISTER_TABLES =
      ConfigKey.of(
          "pdm.catalog.register-tables",
          "true",
          "Register the warehouse tables by name (CREATE TABLE IF NOT EXISTS ... LOCATION) in the"
              + " session catalog at start-up; keep true unless a shared metastore already has them.");

  public static final ConfigKey PROFILE =
      ConfigKey.of(
          "pdm.profile",
          "builtin:cmapss",
          "Dataset profile (settings, sensors, physical ranges): builtin:<name> or a path/URI to a"
              + " .properties file. pdm.profile.<DATASET> overrides it for one dataset.");

  public static final ConfigKey KAFKA_BOOTSTRAP =
      ConfigKey.of(
          "pdm.kafka.bootstrap-servers",
          "127.0.0.1:9092",
          "Kafka bootstrap servers. `pdm kafka start` serves this address when it is local.");

  /** Prefix of keys passed to Kafka clients as they are, e.g. security.protocol, sasl.*. */
  public static final String KAFKA_OPTION_PREFIX = "pdm.kafka.option.";

  public static final ConfigKey KAFKA_LOCAL_DIR =
      ConfigKey.of(
          "pdm.kafka.local-dir",
          "${pdm.warehouse}/_kafka",
          "Data and pid files of the local broker started by `pdm kafka start`.");

  public static final ConfigKey STREAM_CHECKPOINT_ROOT =
      ConfigKey.of(
          "pdm.stream.checkpoint-root",
          "${pdm.warehouse}/_checkpoints",
          "Where streaming queries keep their checkpoints unless --checkpoint is given.");

  public static final ConfigKey STREAM_MAX_OFFSETS_PER_TRIGGER =
      ConfigKey.of(
          "pdm.stream.max-offsets-per-trigger",
          "200000",
          "Upper bound of Kafka records read by one micro-batch.");

  public static final ConfigKey STREAM_STARTING_OFFSETS =
      ConfigKey.of(
          "pdm.stream.starting-offsets",
          "earliest",
          "Where a new streaming query starts in the topic: earliest or latest.");

  public static final ConfigKey STREAM_FAIL_ON_DATA_LOSS =
      ConfigKey.of(
          "pdm.stream.fail-on-data-loss",
          "true",
          "Fail the query when Kafka deleted records it had not read yet (retention).");

  public static final ConfigKey MLFLOW_TRACKING_URI =
      ConfigKey.of(
          "pdm.mlflow.tracking-uri",
          "http://127.0.0.1:5000",
          "MLflow tracking server; MLFLOW_TRACKING_URI in the environment overrides it.");

  public static final ConfigKey MLFLOW_TOKEN =
      ConfigKey.secret(
          "pdm.mlflow.token",
          "Bearer token of a secured MLflow server; set it from the environment, e.g."
              + " ${env:MLFLOW_TRACKING_TOKEN}.");

  public static List<ConfigKey> all() {
    return List.of(
        WAREHOUSE,
        REGISTER_TABLES,
        PROFILE,
        KAFKA_BOOTSTRAP,
        KAFKA_LOCAL_DIR,
        STREAM_CHECKPOINT_ROOT,
        STREAM_MAX_OFFSETS_PER_TRIGGER,
        STREAM_STARTING_OFFSETS,
        STREAM_FAIL_ON_DATA_LOSS,
        MLFLOW_TRACKING_URI,
        MLFLOW_TOKEN);
  }
}
