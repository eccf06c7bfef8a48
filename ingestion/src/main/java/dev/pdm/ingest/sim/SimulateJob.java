package dev.pdm.ingest.sim;

import dev.pdm.common.Names;
import dev.pdm.common.PdmErrors;
import dev.pdm.common.cli.CommonOptions;
import dev.pdm.common.cli.JobMain;
import dev.pdm.common.cli.JobResult;
import dev.pdm.common.config.Durations;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.ingest.Split;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.kohsuke.args4j.Option;

/**
 * Generates a simulated fleet into Kafka as JSON events, interleaved across assets, or into a
 * directory that {@code ingest-files} reads. Two fleets: turbofans ({@link FleetSimulator}, the
 * default; a cycle fleet in the C-MAPSS shape, files as C-MAPSS text {@code <split>_<dataset>.txt/}
 * and for the test split {@code RUL_<dataset>.txt/} in cycles), and pumps ({@link PumpSimulator},
 * {@code --fleet pumps}; a time fleet of profile {@code builtin:pumps}, events with an event_time
 * every {@code --interval} and no cycle, files as JSON lines {@code <split>_<dataset>.jsonl/} and
 * the test split's remaining hours in {@code RUL_<dataset>.txt/}). Files are written by Spark
 * executors, so a fleet of millions of rows is no load on the driver.
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * bin/pdm simulate --assets 100 --seed 7 --output data/sim
 * bin/pdm simulate --assets 50 --split test --topic telemetry --rate 2000
 * bin/pdm simulate --fleet pumps --assets 20 --interval 1m --output data/pumps
 * </pre>
 */
public final class SimulateJob {

  /** Event time of cycle 1 unless --start-time says otherwise; one cycle is one hour. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  /** The kinds of fleet the simulator makes. */
  public enum Fleet {
    /** Turbofan engines counted in cycles (profile builtin:cmapss). */
    TURBOFAN,
    /** Pumps sending readings by time (profile builtin:pumps). */
    PUMPS
  }

  /**
   * Validated options; exactly one of {@code topic} and {@code output}. {@code intervalMillis}:
   * pumps only, the time between two readings of a pump (0: the profile's interval).
   */
  public record Options(PdmConfig config, int assets, int firstUnit, long seed, String dataset, Split split,
      int regimes, int faultModes, String topic, String output, double rate, Instant startTime, Fleet fleet,
      long intervalMillis) {
    /** A turbofan fleet. */
    public Options(PdmConfig config, int assets, int firstUnit, long seed, String dataset, Split split,
        int regimes, int faultModes, String topic, String output, double rate, Instant startTime) {
      this(config, assets, firstUnit, seed, dataset, split, regimes, faultModes, topic, output, rate, startTime,
          Fleet.TURBOFAN, 0);
    }

    public Options {
      if (fleet == Fleet.TURBOFAN && intervalMillis != 0) {
        throw PdmErrors.usage("simulate turbofans", "--interval is for time fleets; turbofans count cycles",
            "leave --interval out, or add --fleet pumps");
      }
      if (assets < 1) {
        throw PdmErrors.badValue("--assets", Integer.toString(assets), "a positive number of assets");
      }
      if (firstUnit < 1) {
        throw PdmErrors.badValue("--first-unit", Integer.toString(firstUnit), "a unit number >= 1");
      }
      if ((topic == null) == (output == null)) {
        throw PdmErrors.usage("simulate", "give exactly one of --topic and --output",
            "e.g. --topic telemetry, or --output data/sim");
      }
      if (regimes < 1 || regimes > 6) {
        throw PdmErrors.badValue("--regimes", Integer.toString(regimes), "1 to 6");
      }
      if (faultModes < 1 || faultModes > 2) {
        throw PdmErrors.badValue("--fault-modes", Integer.toString(faultModes), "1 or 2");
      }
      Names.requireDataset(dataset);
      if (topic != null) {
        Names.requireTopic(topic);
      }
    }
  }

  /** What was generated. */
  public record Result(String target, int assets, long rows) implements JobResult {
    @Override
    public String summary() {
      return "simulate: " + rows + " rows of " + assets + " assets to " + target;
    }
  }

  static final class Cli extends CommonOptions {
    @Option(name = "--assets", required = true, metaVar = "N", usage = "number of assets (engines)")
    int assets;

    @Option(name = "--first-unit", metaVar = "U", usage = "number of the first unit (default 1): a later"
        + " delivery of new engines continues the numbering, so asset ids do not repeat")
    int firstUnit = 1;

    @Option(name = "--seed", metaVar = "S", usage = "random seed; the same seed gives the same fleet (default 42)")
    long seed = 42;

    @Option(name = "--dataset", metaVar = "ID", usage = "dataset id of the fleet (default SIM; PUMPS for pumps)")
    String dataset;

    @Option(name = "--fleet", usage = "turbofan (counted in cycles; default) or pumps (readings by time)")
    Fleet fleet = Fleet.TURBOFAN;

    @Option(name = "--interval", metaVar = "DURATION", usage = "--fleet pumps: time between two readings of a"
        + " pump (default: the profile's, 10s)")
    String interval;

    @Option(name = "--split", usage = "train: run to failure (default); test: stop before failure, with RUL")
    Split split = Split.TRAIN;

    @Option(name = "--regimes", metaVar = "N", usage = "operating regimes, 1 to 6 (default 6)")
    int regimes = 6;

    @Option(name = "--fault-modes", metaVar = "N", usage = "fault modes, 1 or 2 (default 1)")
    int faultModes = 1;

    @Option(name = "--topic", metaVar = "TOPIC", forbids = "--output", usage = "send JSON events to this topic")
    String topic;

    @Option(name = "--output", metaVar = "DIR", forbids = "--topic", usage = "write files here (C-MAPSS text;"
        + " JSON lines for pumps)")
    String output;

    @Option(name = "--rate", metaVar = "EVENTS/S", usage = "--topic: events per second at most (default: as fast as possible)")
    double rate;

    @Option(name = "--start-time", metaVar = "ISO-8601", usage = "event time of cycle 1, or of the pumps' start"
        + " (default 2026-01-01T00:00:00Z)")
    String startTime;
  }

  private SimulateJob() {}

  public static void main(String[] args) {
    JobMain.runSpark("simulate", args, new Cli(), (cli, config) -> new Options(config, cli.assets, cli.firstUnit, cli.seed,
        cli.dataset != null ? cli.dataset : cli.fleet == Fleet.PUMPS ? "PUMPS" : "SIM", cli.split, cli.regimes,
        cli.faultModes, cli.topic, cli.output, cli.rate, cli.startTime == null ? DEFAULT_START : parseInstant(cli.startTime),
        cli.fleet, cli.interval == null ? 0 : parseInterval(cli.interval)), SimulateJob::run);
  }

  public static Result run(SparkSession spark, Options o) {
    spark.sparkContext().setJobGroup("pdm-simulate", "simulate --assets " + o.assets() + " --seed " + o.seed(), false);
    if (o.fleet() == Fleet.PUMPS) {
      return PumpFleet.run(spark, o);
    }
    FleetSimulator sim = new FleetSimulator(o.seed(), o.regimes(), o.faultModes());
    return o.output() != null ? toFiles(spark, o, sim) : toTopic(o, sim);
  }

  private static Result toFiles(SparkSession spark, Options o, FleetSimulator sim) {
    String data = o.output() + "/" + o.split().label() + "_" + o.dataset() + ".txt";
    boolean test = o.split() == Split.TEST;
    int partitions = Math.max(1, Math.min(200, o.assets() / 50));
    MapPartitionsFunction<Long, String> series = units -> new Iterator<>() {
      private FleetSimulator.Asset asset;
      private int last;

      @Override
      public boolean hasNext() {
        while ((asset == null || !asset.hasNext(last)) && units.hasNext()) {
          asset = sim.asset(units.next().intValue());
          last = test ? asset.testLastCycle() : asset.failureCycle();
        }
        return asset != null && asset.hasNext(last);
      }

      @Override
      public String next() {
        double[] r = asset.next();
        return FleetSimulator.cmapssLine(asset.unit(), asset.cycle(), r);
      }
    };
    var units = spark.range(o.firstUnit(), (long) o.firstUnit() + o.assets(), 1, partitions).as(Encoders.LONG());
    var lines = units.mapPartitions(series, Encoders.STRING());
    try {
      lines.write().mode("errorifexists").text(data);
      if (test) {
        units.map((org.apache.spark.api.java.function.MapFunction<Long, String>) u -> {
          FleetSimulator.Asset a = sim.asset(u.intValue());
          return Integer.toString(a.failureCycle() - a.testLastCycle());
        }, Encoders.STRING()).coalesce(1).write().mode("errorifexists").text(o.output() + "/RUL_" + o.dataset() + ".txt");
      }
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("already exists")) {
        throw PdmErrors.usage("write the fleet to " + data, "it exists already",
            "choose another --output, or delete it");
      }
      throw e;
    }
    long rows = spark.read().text(data).count();
    return new Result(data, o.assets(), rows);
  }

  private static Result toTopic(Options o, FleetSimulator sim) {
    List<String> names = DatasetProfile.load("builtin:cmapss").readings().stream()
        .map(DatasetProfile.Column::name).toList();
    List<FleetSimulator.Asset> active = new ArrayList<>();
    List<Integer> lastCycles = new ArrayList<>();
    for (int u = o.firstUnit(); u < o.firstUnit() + o.assets(); u++) {
      FleetSimulator.Asset a = sim.asset(u);
      active.add(a);
      lastCycles.add(o.split() == Split.TEST ? a.testLastCycle() : a.failureCycle());
    }
    long rows = 0;
    try (EventSink sink = new EventSink(o.config(), o.topic(), o.rate())) {
      boolean any = true;
      for (int cycle = 1; any; cycle++) {
        any = false;
        Instant time = o.startTime().plus(Duration.ofHours(cycle - 1L));
        for (int i = 0; i < active.size(); i++) {
          FleetSimulator.Asset a = active.get(i);
          if (!a.hasNext(lastCycles.get(i))) {
            continue;
          }
          any = true;
          double[] r = a.next();
          Double[] boxed = new Double[r.length];
          for (int k = 0; k < r.length; k++) {
            boxed[k] = r[k];
          }
          String assetId = o.dataset() + "-" + o.split().label() + "-" + a.unit();
          sink.send(assetId, EventJson.event(assetId, o.dataset(), cycle, time, names, 3, boxed));
          rows++;
        }
      }
    }
    return new Result("topic " + o.topic(), o.assets(), rows);
  }

  static long parseInterval(String text) {
    long ms = Durations.parseMillis(text);
    if (ms <= 0) {
      throw PdmErrors.badValue("--interval", text, Durations.EXPECTED);
    }
    return ms;
  }

  static Instant parseInstant(String text) {
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw PdmErrors.badValue("--start-time", text, "an ISO-8601 instant such as 2026-01-01T00:00:00Z");
    }
  }
}
