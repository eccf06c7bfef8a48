package dev.pdm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pdm.common.PdmException;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.test.TestSpark;
import dev.pdm.ingest.TelemetryParser.Format;
import dev.pdm.ingest.sim.SimulateJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class IngestFilesJobTest {

  private final SparkSession spark = TestSpark.session();

  /** A C-MAPSS line for unit u, cycle c, with sensor s2 = v. */
  static String line(int unit, int cycle, double s2) {
    return unit + " " + cycle + " -0.0007 -0.0004 100.0 518.67 " + s2
        + " 1589.70 1400.60 14.62 21.61 554.36 2388.06 9046.19 1.30 47.47 521.66 2388.02 8138.62"
        + " 8.4195 0.03 392 2388 100.00 39.06 23.4190  ";
  }

  @Test
  void landsOnceAndQuarantinesBadLines() throws Exception {
    Path wh = TestSpark.tempDir("wh");
    Path in = TestSpark.tempDir("in");
    Files.write(in.resolve("train_FD001.txt"), List.of(
        line(1, 1, 641.82),
        line(1, 2, 642.15),
        line(2, 1, 642.35),
        "1 3 garbage",                         // line 4: malformed
        line(2, 2, 6420.0),                    // line 5: out of range
        line(1, 2, 642.15),                    // line 6: exact duplicate of line 2
        line(2, 1, 643.00),                    // line 7: conflicting duplicate of line 3
        "",                                    // blank: not a record
        line(2, 3, 642.50)));                  // line 9
    Files.write(in.resolve("test_FD001.txt"), List.of(line(9, 1, 641.0)));
    PdmConfig config = TestSpark.config(wh);
    var options = new IngestFilesJob.Options(config, "FD001", Split.TRAIN, in.toString(), Format.CMAPSS);

    LandingResult first = IngestFilesJob.run(spark, options);
    assertEquals(new LandingWriter.Counts(8, 4, 1, 1, 2, 0), first.counts());

    List<Row> silver = spark.sql(
        "SELECT asset_id, cycle, s2, split, source FROM silver.telemetry ORDER BY asset_id, cycle").collectAsList();
    assertEquals(4, silver.size());
    assertEquals("FD001-train-1", silver.get(0).getString(0));
    assertEquals(642.35, silver.get(2).getDouble(2), "the first record of a key stays");
    assertEquals("train", silver.get(0).getString(3));
    assertTrue(silver.get(3).getString(4).endsWith("train_FD001.txt:9"), silver.get(3).getString(4));

    List<Row> quarantine = spark.sql(
        "SELECT source_line, reason_code, reason FROM bronze.telemetry_quarantine ORDER BY source_line").collectAsList();
    assertEquals(3, quarantine.size());
    assertEquals(4L, quarantine.get(0).getLong(0));
    assertEquals("MALFORMED_LINE", quarantine.get(0).getString(1));
    assertEquals("OUT_OF_RANGE", quarantine.get(1).getString(1));
    assertEquals(7L, quarantine.get(2).getLong(0));
    assertEquals("CONFLICTING_DUPLICATE", quarantine.get(2).getString(1));
    assertTrue(quarantine.get(2).getString(2).contains("train_FD001.txt:3"), quarantine.get(2).getString(2));
    assertEquals(8L, spark.sql("SELECT count(*) FROM bronze.telemetry_raw").head().getLong(0));

    LandingResult second = IngestFilesJob.run(spark, options);
    assertEquals(new LandingWriter.Counts(0, 0, 0, 0, 0, 8), second.counts());
    assertEquals(first.silverVersion(), second.silverVersion(), "a re-run commits nothing to silver");
    assertEquals(first.bronzeVersion(), second.bronzeVersion());
    assertEquals(4L, spark.sql("SELECT count(*) FROM silver.telemetry").head().getLong(0));
    assertEquals(3L, spark.sql("SELECT count(*) FROM bronze.telemetry_quarantine").head().getLong(0));
    assertEquals(8L, spark.sql("SELECT count(*) FROM bronze.telemetry_raw").head().getLong(0));
  }

  /** A file named as a file (not its directory), with a space in its path, that grows between runs. */
  @Test
  void aFileThatGrowsHasItsNewLinesLandedAndNoOtherTwice() throws Exception {
    Path wh = TestSpark.tempDir("wh");
    Path dir = Files.createDirectories(TestSpark.tempDir("in").resolve("daily logs"));
    Path file = dir.resolve("engine 7.txt");
    Files.write(file, List.of(line(7, 1, 641.0), line(7, 2, 641.5)));
    var options = new IngestFilesJob.Options(TestSpark.config(wh), "FD001", Split.TRAIN, file.toString(), Format.CMAPSS);
    assertEquals(new LandingWriter.Counts(2, 2, 0, 0, 0, 0), IngestFilesJob.run(spark, options).counts());

    Files.write(file, List.of(line(7, 3, 642.0)), java.nio.file.StandardOpenOption.APPEND);
    assertEquals(new LandingWriter.Counts(1, 1, 0, 0, 0, 2), IngestFilesJob.run(spark, options).counts());
    assertEquals(3L, spark.read().format("delta").load(wh.resolve("bronze/telemetry_raw").toString()).count());
  }

  @Test
  void lineNumbersSpanBlocksOfLargeFiles() throws Exception {
    Path wh = TestSpark.tempDir("wh");
    Path file = TestSpark.tempDir("in").resolve("big.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 3000; i++) {
      text.append("line-").append(i).append('\n');
    }
    Files.writeString(file, text);
    String previous = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.maxPartitionBytes", "4096"); // about 10 blocks
    try {
      var lines = IngestFilesJob.numberedLines(spark, file.toString());
      assertTrue(lines.select("block_start").distinct().count() > 5, "the file is read in blocks");
      assertEquals(0L, lines.where("payload != concat('line-', CAST(source_line AS STRING))").count());
      assertEquals(3000L, lines.count());
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", previous);
    }
    assertTrue(Files.exists(file));
    assertTrue(wh.toFile().isDirectory());
  }

  /**
   * simulate --fleet pumps --output, then ingest-files --format json: a time fleet lands keyed by
   * its ticks, into a silver that already holds a C-MAPSS fleet (the table gains the pumps'
   * readings; each fleet's rows leave the other's columns null); a second reading within one tick
   * is quarantined with the fix.
   */
  @Test
  void aSimulatedPumpFleetLandsFromItsJsonLinesKeyedByTick() throws java.io.IOException {
    Path wh = TestSpark.tempDir("wh");
    Path out = TestSpark.tempDir("pumps");
    PdmConfig config = TestSpark.config(wh, "pdm.profile.PUMPS", "builtin:pumps");
    Path turbofans = TestSpark.tempDir("fd").resolve("train_FD001.txt");
    java.nio.file.Files.write(turbofans, List.of(line(1, 1, 641.82), line(1, 2, 642.15)));
    IngestFilesJob.run(spark, new IngestFilesJob.Options(config, "FD001", Split.TRAIN, turbofans.toString(),
        Format.CMAPSS));
    PdmException turbofanProfile = assertThrows(PdmException.class, () -> SimulateJob.run(spark,
        new SimulateJob.Options(TestSpark.config(wh), 2, 1, 5, "PUMPS", Split.TEST, 2, 2, null, out.toString(), 0,
            SimulateJob.DEFAULT_START, SimulateJob.Fleet.PUMPS, 0)));
    assertTrue(turbofanProfile.getMessage().startsWith("Cannot simulate a pump fleet as dataset PUMPS: the dataset's"
        + " profile is cmapss (clock cycle, readings setting1,"), turbofanProfile.getMessage());
    assertTrue(turbofanProfile.getMessage().endsWith("(set pdm.profile.PUMPS=builtin:pumps (conf/pdm-local.properties"
        + " does for PUMPS))"), turbofanProfile.getMessage());
    assertEquals("Cannot simulate turbofans: --interval is for time fleets; turbofans count cycles (leave --interval"
        + " out, or add --fleet pumps)", assertThrows(PdmException.class, () -> new SimulateJob.Options(config, 2, 1, 5,
        "SIM", Split.TEST, 2, 2, null, out.toString(), 0, SimulateJob.DEFAULT_START, SimulateJob.Fleet.TURBOFAN,
        60_000)).getMessage());
    SimulateJob.Result sim = SimulateJob.run(spark, new SimulateJob.Options(config, 2, 1, 5, "PUMPS", Split.TEST, 2, 2,
        null, out.toString(), 0, SimulateJob.DEFAULT_START, SimulateJob.Fleet.PUMPS, 3_600_000L));
    assertTrue(sim.rows() > 2 * 24, "two pumps, a reading an hour for days: " + sim.rows());
    List<String> rul = spark.read().text(out.resolve("RUL_PUMPS.txt").toString()).as(Encoders.STRING()).collectAsList();
    assertEquals(2, rul.size());
    assertTrue(rul.stream().allMatch(h -> Double.parseDouble(h) > 0), "hours to failure: " + rul);

    PdmException cmapss = assertThrows(PdmException.class, () -> IngestFilesJob.run(spark,
        new IngestFilesJob.Options(config, "PUMPS", Split.TEST, out.toString(), Format.CMAPSS)));
    assertEquals("Cannot ingest " + out + " as C-MAPSS text: the profile of PUMPS, pumps, counts time (clock=time)"
        + " and C-MAPSS lines count cycles (land its events with --format json)", cmapss.getMessage());

    LandingResult landed = IngestFilesJob.run(spark,
        new IngestFilesJob.Options(config, "PUMPS", Split.TEST, out.toString(), Format.JSON));
    assertEquals(new LandingWriter.Counts(sim.rows(), sim.rows(), 0, 0, 0, 0), landed.counts());
    Row silver = spark.sql("SELECT count(*), count(DISTINCT asset_id, cycle), count(DISTINCT asset_id, event_time),"
        + " unix_millis(min(event_time)) - " + SimulateJob.DEFAULT_START.toEpochMilli() + " BETWEEN 0 AND 180000,"
        + " count_if(speed IS NULL OR vibration_rms IS NULL OR motor_current IS NULL),"
        + " count_if(cycle != round((unix_millis(event_time) - 946684800000) / 10000))"
        + " FROM silver.telemetry WHERE dataset = 'PUMPS'").head();
    // the first reading within 5% of an interval (jitter) after the start; cycle is the 10 s tick
    assertEquals(List.of(sim.rows(), sim.rows(), sim.rows(), true, 0L, 0L),
        List.of(silver.get(0), silver.get(1), silver.get(2), silver.get(3), silver.get(4), silver.get(5)));
    assertEquals(List.of(0L, 2L, 2L), List.of(spark.sql("SELECT count(s2) FROM silver.telemetry WHERE dataset = 'PUMPS'")
        .head().getLong(0), spark.sql("SELECT count(s2) FROM silver.telemetry WHERE dataset = 'FD001'").head()
        .getLong(0), spark.sql("SELECT count_if(speed IS NULL) FROM silver.telemetry WHERE dataset = 'FD001'").head()
        .getLong(0)), "each fleet's readings in its own columns");

    Row first = spark.sql("SELECT asset_id, cycle, event_time FROM silver.telemetry WHERE dataset = 'PUMPS'"
        + " ORDER BY asset_id, cycle LIMIT 1").head();
    java.time.Instant sameTick = first.getTimestamp(2).toInstant().plusMillis(3_000);
    Path again = TestSpark.tempDir("again").resolve("late.jsonl");
    java.nio.file.Files.write(again, List.of("{\"asset_id\":\"" + first.getString(0) + "\",\"event_time\":\"" + sameTick
        + "\",\"settings\":{\"speed\":1500},\"sensors\":{\"vibration_rms\":2.5}}"));
    LandingResult conflict = IngestFilesJob.run(spark,
        new IngestFilesJob.Options(config, "PUMPS", Split.TEST, again.toString(), Format.JSON));
    assertEquals(new LandingWriter.Counts(1, 0, 0, 1, 0, 0), conflict.counts());
    String reason = spark.sql("SELECT reason FROM bronze.telemetry_quarantine WHERE reason_code = 'CONFLICTING_DUPLICATE'")
        .head().getString(0);
    assertTrue(reason.startsWith("asset " + first.getString(0) + " tick " + first.getInt(1) + " (event_time "),
        reason);
    assertTrue(reason.endsWith("the first record stays (readings closer than the profile's interval share a tick:"
        + " set interval= in profile pumps to the sensors' period)"), reason);
  }

  @Test
  void missingInputIsAUsageError() {
    var options = new IngestFilesJob.Options(
        TestSpark.config(TestSpark.tempDir("wh")), "FD001", Split.TRAIN, "/no/such/file.txt", Format.CMAPSS);
    PdmException e = assertThrows(PdmException.class, () -> IngestFilesJob.run(spark, options));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().startsWith("Cannot ingest /no/such/file.txt: it does not exist"), e.getMessage());
  }

  @Test
  void optionsAreValidated() {
    PdmConfig config = TestSpark.config(TestSpark.tempDir("wh"));
    PdmException e = assertThrows(PdmException.class,
        () -> new IngestFilesJob.Options(config, "FD 001", Split.TRAIN, "x", Format.CMAPSS));
    assertTrue(e.getMessage().contains("--dataset"), e.getMessage());
  }
}
