package dev.pdm.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.common.spark.Sessions;
import dev.pdm.common.table.Warehouse;
import dev.pdm.ingest.TelemetryParser.Format;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.kohsuke.args4j.Option;

/**
 * Lands telemetry files (C-MAPSS text, or JSON lines) in bronze, quarantine and silver.
 * Idempotent: a line (file, line number) is landed once, however often the job runs.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * spark-submit --class dev.pdm.ingest.IngestFilesJob target/pdm-0.1.0-SNAPSHOT.jar \
 *   --warehouse s3a://bucket/pdm --dataset FD001 --split train --input s3a://bucket/raw/train_FD001.txt
 * </pre>
 *
 * A directory as {@code --input} means its file {@code <split>_<dataset>.txt} when it has one
 * (the C-MAPSS layout; {@code <split>_<dataset>.jsonl} with {@code --format json}), else every file in it.
 */
public final class IngestFilesJob {

  /** Validated options. */
  public record Options(PdmConfig config, String dataset, Split split, String input, Format format) {
    public Options {
      Names.requireDataset(dataset);
      if (split == null) {
        throw PdmErrors.missingOption("ingest files", "--split", "--split train");
      }
      if (input == null || input.isBlank()) {
        throw PdmErrors.missingOption("ingest files", "--input", "--input data/train_FD001.txt");
      }
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--dataset", required = true, metaVar = "ID", usage = "dataset (fleet) id, e.g. FD001")
    String dataset;

    @Option(name = "--split", required = true, usage = "train (run to failure) or test")
    Split split;

    @Option(name = "--input", required = true, metaVar = "PATH", usage = "a file or a directory (path or URI)")
    String input;

    @Option(name = "--format", usage = "cmapss (whitespace-separated text) or json (one event a line)")
    Format format = Format.CMAPSS;

    Options toOptions(PdmConfig config) {
      return new Options(config, dataset, split, input, format);
    }
  }

  private IngestFilesJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("ingest-files", args, new Cli(), (cli, config) -> cli.toOptions(config), IngestFilesJob::run);
  }

  public static LandingResult run(SparkSession spark, Options options) {
    Warehouse warehouse = Sessions.prepare(spark, options.config(), "pdm-ingest-files",
        "ingest-files --dataset " + options.dataset() + " --split " + options.split().label()
            + " --input " + options.input());
    DatasetProfile profile = DatasetProfile.forDataset(options.config(), options.dataset());
    if (options.format() == Format.CMAPSS && profile.clock() == DatasetProfile.Clock.TIME) {
      throw PdmErrors.usage("ingest " + options.input() + " as C-MAPSS text", "the profile of " + options.dataset()
          + ", " + profile.name() + ", counts time (clock=time) and C-MAPSS lines count cycles",
          "land its events with --format json");
    }
    LandingWriter writer = new LandingWriter(spark, warehouse, profile);
    writer.ensureTables();
    Dataset<Row> lines =
        numberedLines(spark, resolveInput(spark, options.input(), options.dataset(), options.split(), options.format()));
    Dataset<Row> raw =
        lines.where(trim(col("payload")).notEqual(""))
            .select(
                lit("file").as("source_type"),
                col("source"),
                col("source_line"),
                lit(null).cast("int").as("kafka_partition"),
                lit(null).cast("long").as("kafka_offset"),
                lit(null).cast("timestamp").as("kafka_timestamp"),
                lit(options.dataset()).as("dataset"),
                lit(options.split().label()).as("split"),
                col("payload"));
    LandingWriter.Counts counts =
        writer.land(raw, options.format(), LandingWriter.Idempotence.sourceKeys());
    return LandingResult.of("ingest-files", counts, warehouse);
  }

  /**
   * The lines of the input with file and 1-based line number. Spark reads a large file in blocks
   * on many executors; a line's number is the lines of earlier blocks of its file plus its place
   * in its own block (ids from monotonically_increasing_id are consecutive within a partition,
   * and a block is read whole by one task). The driver holds one row per block of the input
   * (as many as Spark's own listing of it), never the lines.
   */
  public static Dataset<Row> numberedLines(SparkSession spark, String input) {
    Dataset<Row> lines =
        spark.read().format("text").load(input)
            .select(
                col("value").as("payload"),
                col("_metadata.file_path").as("source"),
                col("_metadata.file_block_start").as("block_start"))
            .withColumn("_id", monotonically_increasing_id());
    Dataset<Row> blocks =
        lines.groupBy("source", "block_start")
            .agg(min("_id").as("_first_id"), count(lit(1)).as("_n"))
            .withColumn("_before",
                coalesce(sum("_n").over(Window.partitionBy("source").orderBy("block_start")
                    .rowsBetween(Window.unboundedPreceding(), -1)), lit(0L)));
    // One row per file block (Spark's split of the input, 128 MB by default), computed once here:
    // every later pass over the lines joins this small table instead of scanning the input
    // again to count its blocks, and the lines are not shuffled to be numbered.
    Dataset<Row> counted = spark.createDataFrame(blocks.collectAsList(), blocks.schema());
    return lines.join(broadcast(counted), new String[] {"source", "block_start"})
        .withColumn("source_line", col("_id").minus(col("_first_id")).plus(col("_before")).plus(1));
  }

  /**
   * A file as it is; a directory: its {@code <split>_<dataset>.txt} when it has one (the C-MAPSS
   * layout; {@code .jsonl} for JSON lines, as {@code simulate --fleet pumps} writes them), else every
   * file in it.
   */
  static String resolveInput(SparkSession spark, String input, String dataset, Split split, Format format) {
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw PdmErrors.usage("ingest " + input, "it does not exist",
            "pass an existing file or directory with --input");
      }
      if (fs.getFileStatus(path).isDirectory()) {
        Path named = new Path(path, split.label() + "_" + dataset + (format == Format.JSON ? ".jsonl" : ".txt"));
        return fs.exists(named) ? named.toString() : path.toString();
      }
      return path.toString();
    } catch (IOException e) {
      throw PdmErrors.failure("read " + input, e.getMessage(), "check the path", e);
    }
  }
}
