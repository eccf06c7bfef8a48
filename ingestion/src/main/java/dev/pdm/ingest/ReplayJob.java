package dev.pdm.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.ingest.TelemetryParser.Format;
import dev.pdm.ingest.sim.EventJson;
import dev.pdm.ingest.sim.EventSink;
import dev.pdm.ingest.sim.SimulateJob;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;

/**
 * Replays C-MAPSS rows into Kafka as JSON events, interleaved across units cycle by cycle as a
 * live fleet would send them (every unit's cycle 1, then every unit's cycle 2, ...), keyed by
 * asset id. Rows stream from Spark partition by partition: memory does not grow with the file.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm replay --dataset FD001 --split test --input ../shared/data/cmapss --topic telemetry --rate 500
 * </pre>
 */
public final class ReplayJob {

  /** Validated options. */
  public record Options(PdmConfig config, String dataset, Split split, String input, String topic, double rate,
      Instant startTime) {
    public Options {
      Names.requireTopic(topic);
      Names.requireDataset(dataset);
      if (rate < 0) {
        throw PdmErrors.badValue("--rate", Double.toString(rate), "events per second, > 0");
      }
    }
  }

  /** Events sent, and input lines that were not valid telemetry (not sent). */
  public record Result(String topic, long events, long invalid) implements JobResult {
    @Override
    public String summary() {
      return "replay: " + events + " events to topic " + topic + (invalid > 0 ? "; " + invalid + " invalid lines skipped" : "");
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--dataset", required = true, metaVar = "ID", usage = "dataset id, e.g. FD001")
    String dataset;

    @Option(name = "--split", usage = "train or test (default test)")
    Split split = Split.TEST;

    @Option(name = "--input", required = true, metaVar = "PATH", usage = "C-MAPSS file, or the directory holding <split>_<dataset>.txt")
    String input;

    @Option(name = "--topic", required = true, metaVar = "TOPIC", usage = "Kafka topic")
    String topic;

    @Option(name = "--rate", metaVar = "EVENTS/S", usage = "events per second at most (default: as fast as possible)")
    double rate;

    @Option(name = "--start-time", metaVar = "ISO-8601", usage = "event time of cycle 1; one cycle is one hour")
    String startTime;
  }

  private ReplayJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("replay", args, new Cli(), (cli, config) -> new Options(config, cli.dataset, cli.split,
        cli.input, cli.topic, cli.rate, cli.startTime == null ? SimulateJob.DEFAULT_START : Instant.parse(cli.startTime)),
        ReplayJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    spark.sparkContext().setJobGroup("pdm-replay", "replay --dataset " + o.dataset() + " --topic " + o.topic(), false);
    DatasetProfile profile = DatasetProfile.forDataset(o.config(), o.dataset());
    List<String> names = profile.readings().stream().map(DatasetProfile.Column::name).toList();
    String input = IngestFilesJob.resolveInput(spark, o.input(), o.dataset(), o.split(), Format.CMAPSS);
    Dataset<Row> raw = IngestFilesJob.numberedLines(spark, input)
        .select(lit("file").as("source_type"), col("source"), col("source_line"),
            lit(null).cast("int").as("kafka_partition"), lit(null).cast("long").as("kafka_offset"),
            lit(null).cast("timestamp").as("kafka_timestamp"), lit(o.dataset()).as("dataset"),
            lit(o.split().label()).as("split"), col("payload"));
    Dataset<Row> parsed = Landing.parse(raw, new TelemetryParser(profile), Format.CMAPSS).cache();
    long invalid = parsed.where(col("reason_code").isNotNull()).count();
    Dataset<Row> rows = parsed.where(col("reason_code").isNull()).orderBy(col("cycle"), col("source_line"));
    long sent = 0;
    try (EventSink sink = new EventSink(o.config(), o.topic(), o.rate())) {
      Iterator<Row> it = rows.toLocalIterator();
      while (it.hasNext()) {
        Row r = it.next();
        String assetId = r.getAs("asset_id");
        int cycle = r.<Integer>getAs("cycle");
        Double[] readings = new Double[names.size()];
        for (int i = 0; i < readings.length; i++) {
          readings[i] = r.getAs(names.get(i));
        }
        Instant time = o.startTime().plus(Duration.ofHours(cycle - 1L));
        sink.send(assetId, EventJson.event(assetId, o.dataset(), cycle, time, names, profile.settings().size(), readings));
        sent++;
      }
    } finally {
      parsed.unpersist();
    }
    return new Result(o.topic(), sent, invalid);
  }
}
