package dev.pdm.ingest.sim;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.profile.DatasetProfile;
import dev.pdm.ingest.Split;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * {@code simulate --fleet pumps}: a {@link PumpSimulator} fleet as timestamped JSON events (no
 * cycle), every pump from {@code --start-time}: to a topic, interleaved across pumps in time, or
 * to {@code <output>/<split>_<dataset>.jsonl/} (JSON lines that {@code ingest-files --format json}
 * lands) and, for the test split, {@code <output>/RUL_<dataset>.txt/}: each pump's hours from its
 * last reading to its failure, one line per pump in unit order.
 */
final class PumpFleet {

  /** The readings a pump sends, in the order of the pumps profile. */
  static final List<String> READINGS =
      List.of("speed", "vibration_rms", "bearing_temp", "discharge_pressure", "flow", "motor_current");

  private PumpFleet() {}

  static SimulateJob.Result run(SparkSession spark, SimulateJob.Options o) {
    DatasetProfile profile = DatasetProfile.forDataset(o.config(), o.dataset());
    List<String> names = profile.readings().stream().map(DatasetProfile.Column::name).toList();
    if (profile.clock() != DatasetProfile.Clock.TIME || !names.equals(READINGS)) {
      throw PdmErrors.config("simulate a pump fleet as dataset " + o.dataset(), "the dataset's profile is "
              + profile.name() + " (clock " + profile.clock().name().toLowerCase(Locale.ROOT) + ", readings "
              + String.join(", ", names) + "), not the pumps' (clock time, readings " + String.join(", ", READINGS) + ")",
          "set pdm.profile." + o.dataset() + "=builtin:pumps (conf/pdm-local.properties does for PUMPS)");
    }
    long interval = o.intervalMillis() > 0 ? o.intervalMillis() : profile.intervalMillis();
    PumpSimulator sim = new PumpSimulator(o.seed(), o.regimes(), o.faultModes(), interval);
    return o.output() != null ? toFiles(spark, o, sim) : toTopic(o, sim);
  }

  private static long end(PumpSimulator.Pump p, Split split) {
    return split == Split.TEST ? p.testEndMillis() : p.lifeMillis();
  }

  /** What a pump's events say besides its readings; serializable, for the executors that write files. */
  private record Naming(String dataset, String split, Instant start) implements Serializable {
    String assetId(PumpSimulator.Pump p) {
      return dataset + "-" + split + "-" + p.unit();
    }

    String event(PumpSimulator.Pump p, double[] r) {
      Double[] boxed = new Double[r.length];
      for (int k = 0; k < r.length; k++) {
        boxed[k] = r[k];
      }
      return EventJson.event(assetId(p), dataset, null, start.plusMillis(p.offsetMillis()), READINGS, 1, boxed);
    }
  }

  private static Naming naming(SimulateJob.Options o) {
    return new Naming(o.dataset(), o.split().label(), o.startTime());
  }

  private static SimulateJob.Result toFiles(SparkSession spark, SimulateJob.Options o, PumpSimulator sim) {
    String data = o.output() + "/" + o.split().label() + "_" + o.dataset() + ".jsonl";
    Split split = o.split();
    Naming naming = naming(o);
    int partitions = Math.max(1, Math.min(200, o.assets() / 20));
    MapPartitionsFunction<Long, String> series = units -> new Iterator<>() {
      private PumpSimulator.Pump pump;
      private String next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          if (pump != null && pump.hasNext(end(pump, split))) {
            double[] r = pump.next();
            next = r == null ? null : naming.event(pump, r);
          } else if (units.hasNext()) {
            pump = sim.pump(units.next().intValue());
          } else {
            return false;
          }
        }
        return true;
      }

      @Override
      public String next() {
        hasNext();
        String out = next;
        next = null;
        return out;
      }
    };
    Dataset<Long> units = spark.range(o.firstUnit(), (long) o.firstUnit() + o.assets(), 1, partitions)
        .as(Encoders.LONG());
    try {
      units.mapPartitions(series, Encoders.STRING()).write().mode("errorifexists").text(data);
      if (split == Split.TEST) {
        units.map((MapFunction<Long, String>) u -> remainingHours(sim.pump(u.intValue())), Encoders.STRING())
            .coalesce(1).write().mode("errorifexists").text(o.output() + "/RUL_" + o.dataset() + ".txt");
      }
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("already exists")) {
        throw PdmErrors.usage("write the fleet to " + data, "it exists already", "choose another --output, or delete it");
      }
      throw e;
    }
    return new SimulateJob.Result(data, o.assets(), spark.read().text(data).count());
  }

  /** Hours from a test series' last reading to the pump's failure. */
  private static String remainingHours(PumpSimulator.Pump p) {
    long last = 0;
    while (p.hasNext(p.testEndMillis())) {
      if (p.next() != null) {
        last = p.offsetMillis();
      }
    }
    return String.format(Locale.ROOT, "%.4f", (p.lifeMillis() - last) / 3_600_000.0);
  }

  private static SimulateJob.Result toTopic(SimulateJob.Options o, PumpSimulator sim) {
    List<PumpSimulator.Pump> pumps = new ArrayList<>();
    for (int u = o.firstUnit(); u < o.firstUnit() + o.assets(); u++) {
      pumps.add(sim.pump(u));
    }
    Naming naming = naming(o);
    long rows = 0;
    try (EventSink sink = new EventSink(o.config(), o.topic(), o.rate())) {
      // one reading slot of every pump at a time: the fleet's events go out in (about) time order
      for (boolean any = true; any; ) {
        any = false;
        for (PumpSimulator.Pump p : pumps) {
          if (!p.hasNext(end(p, o.split()))) {
            continue;
          }
          any = true;
          double[] r = p.next();
          if (r != null) {
            sink.send(naming.assetId(p), naming.event(p, r));
            rows++;
          }
        }
      }
    }
    return new SimulateJob.Result("topic " + o.topic(), o.assets(), rows);
  }
}
