package dev.pdm.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.TestSpark;
import dev.pdm.ingest.IngestFilesJob;
import dev.pdm.ingest.Split;
import dev.pdm.ingest.TelemetryParser.Format;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Features of the real C-MAPSS training sets with the default feature configuration. Skipped when
 * the data is absent (PDM_CMAPSS_DIR, else ../shared/data/cmapss), a failure in CI.
 */
class CmapssFeaturesTest {

  private static Path cmapss;
  private final SparkSession spark = TestSpark.session();

  @BeforeAll
  static void data() {
    cmapss = TestSpark.cmapssDir();
  }

  @Test
  void fd002IsNormalisedPerRegime() {
    PdmConfig config = TestSpark.config(TestSpark.tempDir("wh"));
    IngestFilesJob.run(spark, new IngestFilesJob.Options(config, "FD002", Split.TRAIN, cmapss.toString(), Format.CMAPSS));
    FeaturesJob.Result result = FeaturesJob.run(spark, new FeaturesJob.Options(config, "FD002", false));
    assertEquals(53759, result.rowsWritten());

    Row set = spark.sql("SELECT regimes, normalised, dropped_sensors, sensors FROM gold.feature_sets"
        + " WHERE dataset = 'FD002'").head();
    assertEquals(6, set.getInt(0), "FD002 runs under six operating conditions");
    assertTrue(set.getBoolean(1));
    List<Row> perRegime = spark.sql("SELECT regime, count(*), avg(s2), stddev_pop(s2), avg(s11), stddev_pop(s11)"
        + " FROM gold.features WHERE dataset = 'FD002' GROUP BY regime ORDER BY regime").collectAsList();
    assertEquals(6, perRegime.size());
    for (Row r : perRegime) {
      assertTrue(r.getLong(1) > 7000, "every regime has thousands of training cycles: " + r);
      assertEquals(0.0, r.getDouble(2), 1e-6, "normalised s2 mean in regime " + r.getInt(0));
      assertEquals(1.0, r.getDouble(3), 1e-6, "normalised s2 spread in regime " + r.getInt(0));
      assertEquals(0.0, r.getDouble(4), 1e-6);
      assertEquals(1.0, r.getDouble(5), 1e-6);
    }
    assertEquals(260 * 31, spark.sql("SELECT count(*) FROM gold.features WHERE dataset = 'FD002'"
        + " AND fails_within_horizon").head().getLong(0), "31 cycles for each of the 260 units");
  }
}
