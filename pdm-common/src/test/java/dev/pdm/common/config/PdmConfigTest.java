package dev.pdm.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdmConfigTest {

  @TempDir Path dir;

  @Test
  void defaultsThenFileThenCommandLine() throws Exception {
    Path file = dir.resolve("pdm.properties");
    Files.writeString(file, "pdm.warehouse=/from/file\npdm.stream.max-offsets-per-trigger=7\n");
    PdmConfig config = PdmConfig.load(file.toString(), Map.of("pdm.stream.max-offsets-per-trigger", "9"), n -> null);
    assertEquals("/from/file", config.get(PdmConfigKeys.WAREHOUSE));
    assertEquals(9, config.getInt(PdmConfigKeys.STREAM_MAX_OFFSETS_PER_TRIGGER));
    assertEquals("127.0.0.1:9092", config.get(PdmConfigKeys.KAFKA_BOOTSTRAP));
    assertEquals("/from/file/_checkpoints", config.get(PdmConfigKeys.STREAM_CHECKPOINT_ROOT), "references resolve after overrides");
  }

  @Test
  void environmentReferencesAndMasking() {
    PdmConfig config = PdmConfig.load(null, Map.of(
        "pdm.kafka.option.sasl.jaas.config", "user=\"${env:KUSER}\" password=\"${env:KPASS}\"",
        "pdm.mlflow.token", "${env:KPASS}"), Map.of("KUSER", "alice", "KPASS", "s3cret")::get);
    assertEquals("user=\"alice\" password=\"s3cret\"", config.get("pdm.kafka.option.sasl.jaas.config"));
    String described = config.describe();
    assertTrue(described.contains("pdm.kafka.option.sasl.jaas.config=****"), described);
    assertTrue(described.contains("pdm.mlflow.token=****"), described);
    assertTrue(!described.contains("s3cret"), described);
    // by name pattern, beyond the declared keys, and by value shape (a URI's user:password)
    assertEquals("****", PdmConfig.masked("pdm.kafka.option.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----"));
    assertEquals("****", PdmConfig.masked("pdm.kafka.option.ssl.key.password", "pw"));
    assertEquals("****", PdmConfig.masked("pdm.kafka.option.basic.auth.user.info", "u:pw"));
    assertEquals("https://****@mlflow.example.com:5000/path",
        PdmConfig.masked("pdm.mlflow.tracking-uri", "https://alice:s3cret@mlflow.example.com:5000/path"));
    assertEquals("s3a://bucket/pdm", PdmConfig.masked("pdm.warehouse", "s3a://bucket/pdm"));
    assertEquals("127.0.0.1:9092", PdmConfig.masked("pdm.kafka.bootstrap-servers", "127.0.0.1:9092"));
    assertEquals(Map.of("sasl.jaas.config", "user=\"alice\" password=\"s3cret\""), config.withPrefix("pdm.kafka.option."));
  }

  @Test
  void commandLineValuesHoldNoReferencesAndFileValuesStillReferenceThem() throws Exception {
    Path file = dir.resolve("refs.properties");
    Files.writeString(file, "pdm.mlflow.token=${env:KPASS}\npdm.stream.checkpoint-root=${pdm.warehouse}/cp\n");
    PdmException e = assertThrows(PdmException.class, () -> PdmConfig.load(file.toString(), Map.of(
        "pdm.mlflow.tracking-uri", "http://evil.example/${env:KPASS}"), Map.of("KPASS", "s3cret")::get, true));
    assertEquals("Cannot use --set pdm.mlflow.tracking-uri=http://evil.example/${env:KPASS}: references are expanded"
        + " in config files only, not on the command line, where a job's arguments (an Airflow run's params) could"
        + " read the driver's environment and secrets (put the key in the --conf file, or let the shell expand the"
        + " value (--set pdm.mlflow.tracking-uri=\"$NAME\"))", e.getMessage());
    assertEquals(2, e.exitCode());
    PdmConfig config = PdmConfig.load(file.toString(), Map.of("pdm.warehouse", "/w"), Map.of("KPASS", "s3cret")::get,
        true);
    assertEquals("s3cret", config.get(PdmConfigKeys.MLFLOW_TOKEN), "the file's reference to the environment");
    assertEquals("/w/cp", config.get(PdmConfigKeys.STREAM_CHECKPOINT_ROOT), "the file's reference to a command-line value");
  }

  @Test
  void actionableErrors() {
    PdmException unset = assertThrows(PdmException.class,
        () -> PdmConfig.load(null, Map.of("pdm.mlflow.token", "${env:NOPE}"), n -> null));
    assertEquals("Cannot resolve config key pdm.mlflow.token: environment variable NOPE is not set"
        + " (export NOPE before running the job)", unset.getMessage());
    assertEquals(2, unset.exitCode());
    PdmConfig bad = PdmConfig.of(Map.of("pdm.stream.max-offsets-per-trigger", "lots"));
    PdmException e = assertThrows(PdmException.class, () -> bad.getLong(PdmConfigKeys.STREAM_MAX_OFFSETS_PER_TRIGGER));
    assertTrue(e.getMessage().startsWith("Cannot read config key pdm.stream.max-offsets-per-trigger: 'lots' is not an integer"), e.getMessage());
    PdmException missing = assertThrows(PdmException.class, () -> PdmConfig.load(dir.resolve("none.properties").toString(), Map.of()));
    assertTrue(missing.getMessage().contains("it does not exist"), missing.getMessage());
  }
}
