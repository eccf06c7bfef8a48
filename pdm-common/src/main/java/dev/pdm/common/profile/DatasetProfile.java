package dev.pdm.common.profile;

import dev.pdm.common.PdmErrors;
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
 * range. Declared in a {@code .properties} file (see {@code conf/profiles/cmapss.properties}), so
 * a fleet with other sensors needs a profile, not code.
 */
public final class DatasetProfile implements Serializable {

  /** The physical range of one reading; a value outside it is quarantined. */
  public record Column(String name, double min, double max, String doc) implements Serializable {
    public boolean inRange(double value) {
      return value >= min && value <= max;
    }
  }

  private static final String BUILTIN = "builtin:";

  private final String name;
  private final List<Column> settings;
  private final List<Column> sensors;
  private final Map<String, Column> byName;

  public DatasetProfile(String name, List<Column> settings, List<Column> sensors) {
    this.name = name;
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

  public List<Column> settings() {
    return settings;
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
    return new DatasetProfile(name, settings, sensors);
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
            "use builtin:cmapss or a path to your own .properties profile");
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
