package dev.pdm.features;

import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.table.Tables;
import dev.pdm.common.table.Warehouse;
import dev.pdm.common.test.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A small deterministic fleet in silver's shape, under a four-sensor profile: {@code a} constant,
 * {@code b} trending with the cycle, {@code c} noisy, {@code d} with a missing reading every 9th
 * cycle; two operating regimes (settings and sensor levels) when asked.
 */
public final class TinyFleet {

  public static final String PROFILE = String.join("\n",
      "name=tiny", "settings=x1,x2", "sensors=a,b,c,d",
      "x1.min=-1", "x1.max=50", "x2.min=-0.01", "x2.max=1",
      "a.min=0", "a.max=100", "b.min=0", "b.max=1000", "c.min=0", "c.max=1000", "d.min=0", "d.max=1000");

  private TinyFleet() {}

  public static Path profileFile() {
    try {
      Path file = TestSpark.tempDir("profile").resolve("tiny.properties");
      Files.writeString(file, PROFILE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Test config: a fresh warehouse, the tiny profile, short windows and a low RUL cap. */
  public static PdmConfig config(Path warehouse, String... more) {
    List<String> kv = new ArrayList<>(List.of("pdm.profile", profileFile().toString(),
        "pdm.features.windows", "3,5", "pdm.features.baseline-cycles", "3", "pdm.labels.rul-cap", "30",
        "pdm.labels.horizon", "10"));
    kv.addAll(List.of(more));
    return TestSpark.config(warehouse, kv.toArray(String[]::new));
  }

  public static DatasetProfile profile() {
    return DatasetProfile.load(profileFile().toString());
  }

  /** Silver rows of asset {@code <dataset>-<split>-<unit>} for cycles from..to. */
  public static List<Row> rows(String dataset, String split, int unit, int from, int to, int regimes) {
    List<Row> out = new ArrayList<>();
    for (int c = from; c <= to; c++) {
      int r = regimes == 1 ? 0 : (c * 7 + unit) % regimes;
      double level = r == 0 ? 1 : 1.5;
      double jitter = 0.001 * ((c * 13 + unit) % 5 - 2);
      Double d = c % 9 == 4 ? null : 10 + 0.1 * c;
      out.add(RowFactory.create(dataset, split, dataset + "-" + split + "-" + unit, c, null,
          (r == 0 ? 0.0 : 20.0) + jitter, (r == 0 ? 0.0 : 0.7) + jitter / 10,
          5.0,
          level * (100 + 0.05 * unit + 0.02 * c + 0.3 * Math.sin(c * 1.3 + unit)),
          level * (50 + ((c * 31 + unit * 17) % 11) * 0.1),
          d,
          "test", new Timestamp(0), null));
    }
    return out;
  }

  public static StructType schema() {
    return Tables.silverSchema(profile());
  }

  public static Dataset<Row> frame(SparkSession spark, List<Row> rows) {
    return spark.createDataFrame(rows, schema());
  }

  /** Appends rows to silver.telemetry of the config's warehouse, creating it when missing. */
  public static void appendSilver(SparkSession spark, PdmConfig config, List<Row> rows) {
    Warehouse wh = new Warehouse(spark, config.get("pdm.warehouse"));
    wh.ensure(Tables.SILVER_TELEMETRY, schema());
    frame(spark, rows).write().format("delta").mode("append").save(wh.path(Tables.SILVER_TELEMETRY));
  }

  public static List<Row> concat(List<List<Row>> parts) {
    List<Row> out = new ArrayList<>();
    parts.forEach(out::addAll);
    return out;
  }
}
