package dev.pdm.common.profile;

import dev.pdm.common.PdmErrors;
import dev.pdm.common.config.Durations;
import dev.pdm.common.config.PdmConfig;
import dev.pdm.common.config.PdmConfigKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The readings of one kind of fleet: its operational settings and sensors, each with a physical
 * range, and its clock. Declared in a {@code .properties} file (see {@code conf/profiles/cmapss.properties}
 * and {@code pumps.properties}), so a fleet with other sensors needs a profile, not code.
 *
 * <p>The clock says how a fleet counts time: {@code clock=cycle} (the default; each reading names
 * its operating cycle, as C-MAPSS does) or {@code clock=time} (each reading names its
 * {@code event_time} and no cycle, as plants' sensors do), with {@code interval}, the expected
 * time between two readings of an asset (e.g. {@code 10s}).
 *
 * <p>A time fleet's readings are placed on its clock by landing: a reading's {@code cycle} is its
 * <em>tick</em>, its event time in whole intervals since {@link #TICK_EPOCH} (rounded to the
 * nearest), so everything after landing orders, keys and windows an asset's readings by an
 * integer as it does a cycle fleet's, and a gap in the readings is a gap in the ticks. A time
 * profile may also declare its fleet's feature windows and label settings as durations
 * ({@code windows=5m,30m,2h}, {@code rul-cap=72h}, {@code horizon=24h}); they apply where the
 * config's {@code pdm.features.windows}, {@code pdm.labels.rul-cap} and {@code pdm.labels.horizon}
 * hold counts of cycles (their defaults).
 */
public final class DatasetProfile implements Serializable {

  /** The physical range of one reading; a value outside it is quarantined. */
  public record Column(String name, double min, double max, String doc) implements Serializable {
    public boolean inRange(double value) {
      return value >= min && value <= max;
    }
  }

  /** How a fleet's readings are ordered and windowed. */
  public enum Clock {
    /** Each reading names its operating cycle; windows count cycles. */
    CYCLE,
    /** Each reading names its event time, no cycle; windows are durations. */
    TIME
  }

  private static final String BUILTIN = "builtin:";

  /** Tick 0 of every time fleet: 2000-01-01T00:00:00Z. */
  public static final java.time.Instant TICK_EPOCH = java.time.Instant.parse("2000-01-01T00:00:00Z");

  /** The profile keys a time fleet may give as durations, with the config keys they stand in for. */
  public static final List<String> TIME_DEFAULTS = List.of("windows", "rul-cap", "horizon");

  /** The shortest interval of a time fleet: its ticks then stay within an int until 2068. */
  static final long MIN_INTERVAL_MILLIS = 1_000;

  private final String name;
  private final Clock clock;
  private final long intervalMillis;
  private final List<Column> settings;
  private final List<Column> sensors;
  private final Map<String, Column> byName;
  private final Map<String, String> timeDefaults;

  /** A cycle-clock profile. */
  public DatasetProfile(String name, List<Column> settings, List<Column> sensors) {
    this(name, Clock.CYCLE, 0, settings, sensors);
  }

  /** @param intervalMillis the expected time between two readings of an asset; 0 for a cycle clock */
  public DatasetProfile(String name, Clock clock, long intervalMillis, List<Column> settings, List<Column> sensors) {
    this(name, clock, intervalMillis, settings, sensors, Map.of());
  }

  /** @param timeDefaults a time fleet's {@link #TIME_DEFAULTS} as written in its profile */
  public DatasetProfile(String name, Clock clock, long intervalMillis, List<Column> settings, List<Column> sensors,
      Map<String, String> timeDefaults) {
    this.name = name;
    this.timeDefaults = Map.copyOf(timeDefaults);
    this.clock = clock;
    this.intervalMillis = intervalMillis;
    this.settings = List.copyOf(settings);
    this.sensors = List.copyOf(sensors);
    Map<String, Column> index = new LinkedHashMap<>();
    settings.forEach(c -> index.put(c.name(), c));
    sensors.forEach(c -> index.put(c.name(), c));
    this.byName = Collections.unmodifiableMap(index);
  }

  public String name() {
    return name;
  }

  public Clock clock() {
    return clock;
  }

  /** The expected time between two readings of an asset, in milliseconds (0 on a cycle clock). */
  public long intervalMillis() {
    return intervalMillis;
  }

  public List<Column> settings() {
    return settings;
  }

  /** A time fleet's own value of one of {@link #TIME_DEFAULTS}, or null when its profile gives none. */
  public String timeDefault(String key) {
    return timeDefaults.get(key);
  }

  /**
   * The tick of a time fleet's reading at {@code epochMillis} (see the class comment), or -1 when
   * the instant is before the tick epoch or beyond the ticks an int holds.
   */
  public long tickOf(long epochMillis) {
    if (clock != Clock.TIME) {
      throw new IllegalStateException("profile " + name + " counts cycles, not time");
    }
    long sinceEpoch = epochMillis - TICK_EPOCH.toEpochMilli();
    if (sinceEpoch < 0) {
      return -1;
    }
    long tick = (sinceEpoch + intervalMillis / 2) / intervalMillis;
    return tick >= 1 && tick <= Integer.MAX_VALUE ? tick : -1;
  }

  /** The instant a tick stands for, in epoch milliseconds (the inverse of {@link #tickOf} up to rounding). */
  public long tickMillis(long tick) {
    return TICK_EPOCH.toEpochMilli() + tick * intervalMillis;
  }

  public List<Column> sensors() {
    return sensors;
  }

  /** Settings, then sensors: the reading columns of silver, in order. */
  public List<Column> readings() {
    List<Column> all = new ArrayList<>(settings);
    all.addAll(sensors);
    return all;
  }

  public Column column(String name) {
    return byName.get(name);
  }

  /** The profile for {@code dataset}: {@code pdm.profile.<DATASET>}, else {@code pdm.profile}. */
  public static DatasetProfile forDataset(PdmConfig config, String dataset) {
    String location = dataset == null ? null : config.get(PdmConfigKeys.PROFILE.name() + "." + dataset);
    return load(location != null ? location : config.require(PdmConfigKeys.PROFILE));
  }

  /** Loads {@code builtin:<name>} from the jar, or a path or URI. */
  public static DatasetProfile load(String location) {
    Properties props = new Properties();
    try (InputStream in = open(location)) {
      props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw PdmErrors.config(
          "read dataset profile " + location, e.getMessage(), "check pdm.profile", e);
    }
    return parse(location, props);
  }

  static DatasetProfile parse(String location, Properties props) {
    String name = props.getProperty("name", location).trim();
    List<Column> settings = columns(location, props, "settings");
    List<Column> sensors = columns(location, props, "sensors");
    if (sensors.isEmpty()) {
      throw PdmErrors.config(
          "use dataset profile " + location,
          "it declares no sensors",
          "list them as sensors=s1,s2,... with <name>.min and <name>.max for each");
    }
    Clock clock = clock(location, props);
    Map<String, String> timeDefaults = new LinkedHashMap<>();
    for (String key : TIME_DEFAULTS) {
      String value = props.getProperty(key);
      if (value != null && clock == Clock.CYCLE) {
        throw PdmErrors.config("use dataset profile " + location, key + "=" + value.trim()
            + " is a time fleet's setting and this profile counts cycles",
            "remove it and set pdm.features.windows, pdm.labels.rul-cap or pdm.labels.horizon in the config");
      }
      if (value != null) {
        timeDefaults.put(key, value.trim());
      }
    }
    return new DatasetProfile(name, clock, interval(location, props, clock), settings, sensors, timeDefaults);
  }

  private static Clock clock(String location, Properties props) {
    String value = props.getProperty("clock", "cycle").trim();
    for (Clock c : Clock.values()) {
      if (c.name().equalsIgnoreCase(value)) {
        return c;
      }
    }
    throw PdmErrors.config("use dataset profile " + location, "clock=" + value + " is not a clock",
        "set clock=cycle (readings name their cycle) or clock=time (readings name their event_time) with interval=10s");
  }

  private static long interval(String location, Properties props, Clock clock) {
    String value = props.getProperty("interval");
    if (clock == Clock.CYCLE) {
      if (value != null) {
        throw PdmErrors.config("use dataset profile " + location, "interval=" + value.trim()
            + " is given with clock=cycle, whose readings are counted in cycles",
            "remove interval, or set clock=time if the readings name their event_time");
      }
      return 0;
    }
    if (value == null) {
      throw PdmErrors.config("use dataset profile " + location, "clock=time needs the expected time between two"
          + " readings of an asset", "add interval=10s (or what the fleet sends)");
    }
    long ms = Durations.parseMillis(value);
    if (ms > 0 && ms < MIN_INTERVAL_MILLIS) {
      throw PdmErrors.config("use dataset profile " + location, "interval=" + value.trim()
          + " is shorter than a second, the finest clock pdm keeps",
          "set interval=1s or longer (readings closer than the interval are quarantined as conflicting)");
    }
    if (ms <= 0) {
      throw PdmErrors.config("use dataset profile " + location, "interval=" + value.trim() + " is not " + Durations.EXPECTED,
          "fix interval");
    }
    return ms;
  }

  private static List<Column> columns(String location, Properties props, String listKey) {
    String list = props.getProperty(listKey, "").trim();
    List<Column> out = new ArrayList<>();
    if (list.isEmpty()) {
      return out;
    }
    for (String column : Arrays.stream(list.split(",")).map(String::trim).toList()) {
      if (!column.matches("[a-z][a-z0-9_]*")) {
        throw PdmErrors.config(
            "use dataset profile " + location,
            "column name '" + column + "' is not a lower-case SQL identifier",
            "rename it to letters, digits and _ starting with a letter");
      }
      double min = bound(location, props, column, "min");
      double max = bound(location, props, column, "max");
      if (!(min < max)) {
        throw PdmErrors.config(
            "use dataset profile " + location,
            column + ".min (" + min + ") is not below " + column + ".max (" + max + ")",
            "fix the range of " + column);
      }
      out.add(new Column(column, min, max, props.getProperty(column + ".doc", "").trim()));
    }
    return out;
  }

  private static double bound(String location, Properties props, String column, String which) {
    String key = column + "." + which;
    String value = props.getProperty(key);
    if (value == null) {
      throw PdmErrors.config(
          "use dataset profile " + location,
          key + " is missing",
          "declare the physical range of every column as " + column + ".min and " + column + ".max");
    }
    try {
      double d = Double.parseDouble(value.trim());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw PdmErrors.config(
        "use dataset profile " + location, key + "=" + value + " is not a finite number", "fix it");
  }

  private static InputStream open(String location) throws IOException {
    if (location.startsWith(BUILTIN)) {
      String resource = "pdm/profiles/" + location.substring(BUILTIN.length()) + ".properties";
      InputStream in = DatasetProfile.class.getClassLoader().getResourceAsStream(resource);
      if (in == null) {
        throw PdmErrors.config(
            "read dataset profile " + location,
            "there is no built-in profile of that name",
            "use builtin:cmapss, builtin:pumps or a path to your own .properties profile");
      }
      return in;
    }
    Path path = new Path(location);
    FileSystem fs = path.getFileSystem(new Configuration());
    if (!fs.exists(path)) {
      throw PdmErrors.config(
          "read dataset profile " + location,
          "the file does not exist",
          "set pdm.profile to an existing profile, e.g. builtin:cmapss");
    }
    return fs.open(path);
  }
}
