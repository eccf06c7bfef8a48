package dev.pdm.common.test;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import dev.pdm.common.spark.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession of a test JVM: local[2], 2 shuffle partitions, no UI, and Spark's
 * interpreted expressions instead of generated code. On tiny test data about 40% of a test JVM's
 * CPU went to compiling generated classes with Janino (a JFR profile of FeaturesJobTest), each
 * compiled once and run on a few rows; interpreted evaluation gives the same results. The
 * end-to-end phases of bin/test (bin/pdm, spark-submit, the demo) run with code generation, as in
 * production.
 */
public final class TestSpark {

  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("pdm-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config(new java.util.HashMap<String, Object>(Sessions.DEFAULTS))
              .config(new java.util.HashMap<String, Object>(Sessions.LOCAL_DEFAULTS))
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .config("spark.sql.codegen.wholeStage", "false")
              .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
              .config("spark.sql.warehouse.dir", tempDir("spark-warehouse").toString())
              .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  /** A new empty directory under the build's target directory. */
  public static Path tempDir(String prefix) {
    try {
      Path base = Path.of("target", "test-tmp");
      Files.createDirectories(base);
      return Files.createTempDirectory(base.toAbsolutePath(), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Default config with a fresh warehouse and the given overrides. */
  public static PdmConfig config(Path warehouse, String... keyValues) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put(PdmConfigKeys.WAREHOUSE.name(), warehouse.toString());
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return PdmConfig.of(overrides);
  }

  /**
   * The directory of C-MAPSS data: PDM_CMAPSS_DIR, else ../shared/data/cmapss. Where it is absent
   * the test is skipped with a message, or fails in CI (see {@link #require}).
   */
  public static Path cmapssDir() {
    String env = System.getenv("PDM_CMAPSS_DIR");
    Path project = Path.of(System.getProperty("pdm.project.dir", ".."));
    Path dir = env != null ? Path.of(env) : project.resolve("../shared/data/cmapss");
    require(Files.isRegularFile(dir.resolve("train_FD001.txt")), "C-MAPSS data",
        "not found at " + dir + " (set PDM_CMAPSS_DIR to the folder with train_FD001.txt)");
    return dir;
  }

  /**
   * Goes on when something a test needs is there. When it is not, the test fails in CI
   * ({@code CI=true}: nothing skips silently there) and is skipped elsewhere, saying what and why
   * on stderr as well as in the report.
   */
  public static void require(boolean present, String what, String why) {
    if (present) {
      return;
    }
    String message = what + " " + why;
    if ("true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.fail("Cannot run this test in CI: " + message);
    }
    System.err.println("SKIPPED: " + message);
    org.junit.jupiter.api.Assumptions.abort(message);
  }
}
