package dev.pdm.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigCommandTest {

  private final PdmConfig config = PdmConfig.of(Map.of(
      "pdm.warehouse", "/data/wh",
      "pdm.mlflow.tracking-uri", "http://mlflow.internal:${sys:pdm.test.mlflow-port}",
      "pdm.mlflow.token", "t0ps3cret", "pdm.serve.token", "s3rv3cret"));

  static {
    System.setProperty("pdm.test.mlflow-port", "5123");
  }

  private static String print(PdmConfig config, String key) {
    return ConfigCommand.run(new ConfigCommand.Options(config, key)).summary();
  }

  @Test
  void oneKeyResolvedForScripts() {
    assertEquals("http://mlflow.internal:5123", print(config, "pdm.mlflow.tracking-uri"));
    assertEquals("/data/wh/_checkpoints", print(config, PdmConfigKeys.STREAM_CHECKPOINT_ROOT.name()),
        "a default that references another key");
    assertEquals("****", print(config, "pdm.mlflow.token"));
    assertEquals("", print(PdmConfig.of(Map.of()), "pdm.mlflow.token"), "declared, no default, not set");
  }

  @Test
  void everyKeyWithSecretsMasked() {
    String all = print(config, null);
    assertTrue(all.lines().anyMatch(l -> l.equals("  pdm.warehouse=/data/wh")), all);
    assertTrue(all.contains("pdm.mlflow.token=****"), all);
    assertFalse(all.contains("t0ps3cret") || all.contains("s3rv3cret"), all);
    assertTrue(all.contains("pdm.serve.token=****"), all);
    assertEquals(PdmConfigKeys.all().size(), all.lines().filter(l -> l.startsWith("  pdm.")).count(), all);
  }

  @Test
  void anUnknownKeyIsAUsageError() {
    PdmException e = assertThrows(PdmException.class, () -> new ConfigCommand.Options(config, "pdm.no-such-key"));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("Cannot print config key pdm.no-such-key: no such key is declared or set"), e.getMessage());
  }
}
