package dev.pdm.common.config;

import dev.pdm.common.PdmErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The effective configuration: declared defaults, then the {@code --conf} file, then the command
 * line, each overriding the one before.
 *
 * <p>Values may reference other keys ({@code ${pdm.warehouse}/_kafka}), environment variables
 * ({@code ${env:KAFKA_PASSWORD}}) and JVM system properties ({@code ${sys:user.home}}), so that
 * credentials stay in the environment and never in a file. Values given on a job's command line
 * ({@link #fromCommandLine}) may hold no reference: whoever can pass arguments (an Airflow run's
 * params) must not be able to write {@code ${env:MLFLOW_TRACKING_TOKEN}} or
 * {@code ${pdm.mlflow.token}} into a URI and send the driver's secrets to another host; and a
 * reference taken literally (a token of "${env:...}") would be worse than an error.
 */
public final class PdmConfig implements Serializable {

  private static final Pattern REF = Pattern.compile("\\$\\{([^}]+)}");
  /** Key names that hold secrets: by word, and any key whose last part is "key" (ssl.keystore.key). */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|passwd|secret|token|jaas|credential|private|access\\.?key|keystore\\.key"
          + "|apikey|api[._-]key|auth).*|(?i).*[._-]key");
  /** A URI's user information (user:password@), which a URI-valued key may carry in any name. */
  private static final Pattern URI_USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]+@");

  private final Map<String, String> values;
  private final transient Function<String, String> env;

  private PdmConfig(Map<String, String> values, Function<String, String> env) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.env = env;
  }

  /** Loads defaults, then {@code confFile} (may be null), then {@code overrides}. */
  public static PdmConfig load(String confFile, Map<String, String> overrides) {
    return load(confFile, overrides, System::getenv);
  }

  /**
   * Defaults, then {@code confFile} (may be null), then the command line's {@code overrides}, whose
   * values are used as they are (file values may still reference them); one that holds a
   * {@code ${...}} reference is a usage error.
   */
  public static PdmConfig fromCommandLine(String confFile, Map<String, String> overrides) {
    return load(confFile, overrides, System::getenv, true);
  }

  static PdmConfig load(String confFile, Map<String, String> overrides, Function<String, String> env) {
    return load(confFile, overrides, env, false);
  }

  static PdmConfig load(
      String confFile, Map<String, String> overrides, Function<String, String> env, boolean commandLine) {
    Map<String, String> raw = new LinkedHashMap<>();
    for (ConfigKey key : PdmConfigKeys.all()) {
      if (key.defaultValue() != null) {
        raw.put(key.name(), key.defaultValue());
      }
    }
    if (confFile != null && !confFile.isBlank()) {
      raw.putAll(readProperties(confFile));
    }
    if (commandLine) {
      overrides.forEach((k, v) -> {
        if (v != null && REF.matcher(v).find()) {
          throw PdmErrors.usage("use --set " + k + "=" + v, "references are expanded in config files only, not on the"
              + " command line, where a job's arguments (an Airflow run's params) could read the driver's environment"
              + " and secrets", "put the key in the --conf file, or let the shell expand the value (--set " + k
              + "=\"$NAME\")");
        }
      });
    }
    raw.putAll(overrides);
    Map<String, String> resolved = new LinkedHashMap<>();
    for (String name : raw.keySet()) {
      resolved.put(name, resolve(name, raw, env, 0));
    }
    return new PdmConfig(resolved, env);
  }

  /** Defaults only, with overrides; for tests and embedded use. */
  public static PdmConfig of(Map<String, String> overrides) {
    return load(null, overrides);
  }

  public String get(ConfigKey key) {
    return values.get(key.name());
  }

  public String get(String name) {
    return values.get(name);
  }

  public String require(ConfigKey key) {
    String value = get(key);
    if (value == null || value.isBlank()) {
      throw PdmErrors.config(
          "read config key " + key.name(),
          "it is not set",
          "set it in the --conf file or with --set " + key.name() + "=... (" + key.doc() + ")");
    }
    return value;
  }

  public int getInt(ConfigKey key) {
    String value = require(key);
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw PdmErrors.badConfigValue(key.name(), value, "an integer");
    }
  }

  /** An integer of at least 1; anything else is a config error naming the key. */
  public int getPositiveInt(ConfigKey key) {
    int v = getInt(key);
    if (v < 1) {
      throw PdmErrors.badConfigValue(key.name(), get(key), "a positive integer");
    }
    return v;
  }

  public long getLong(ConfigKey key) {
    String value = require(key);
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw PdmErrors.badConfigValue(key.name(), value, "an integer");
    }
  }

  public double getDouble(ConfigKey key) {
    String value = require(key);
    try {
      double d = Double.parseDouble(value.trim());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw PdmErrors.badConfigValue(key.name(), value, "a finite number");
  }

  /**
   * A positive duration in milliseconds: a whole number with a unit, {@code ms}, {@code s},
   * {@code m}, {@code h} or {@code d} (e.g. {@code 500ms}, {@code 30d}).
   */
  public long getDurationMs(ConfigKey key) {
    String value = require(key).trim();
    long ms = Durations.parseMillis(value);
    if (ms > 0) {
      return ms;
    }
    throw PdmErrors.badConfigValue(key.name(), value.toLowerCase(java.util.Locale.ROOT), Durations.EXPECTED);
  }

  /** {@link #getDurationMs}, or 0 for a zero duration ({@code 0}, {@code 0s}). */
  public long getDurationMsOrZero(ConfigKey key) {
    String value = require(key).trim();
    if (value.matches("0+\\s*(ms|s|m|h|d)?")) {
      return 0;
    }
    long ms = Durations.parseMillis(value);
    if (ms > 0) {
      return ms;
    }
    throw PdmErrors.badConfigValue(key.name(), value.toLowerCase(java.util.Locale.ROOT),
        "0s or " + Durations.EXPECTED);
  }

  public boolean getBoolean(ConfigKey key) {
    String value = require(key).trim();
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw PdmErrors.badConfigValue(key.name(), value, "true or false");
  }

  /** Every key under {@code prefix}, with the prefix removed. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }

  /** A copy with more overrides, e.g. options of one job. */
  public PdmConfig with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    merged.putAll(overrides);
    return new PdmConfig(merged, env);
  }

  /** The effective configuration, one {@code key=value} a line, secrets masked. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    values.forEach((k, v) -> out.append("  ").append(k).append('=').append(masked(k, v)).append('\n'));
    return out.toString();
  }

  static String masked(String key, String value) {
    boolean declaredSecret =
        PdmConfigKeys.all().stream().anyMatch(c -> c.secret() && c.name().equals(key));
    if (declaredSecret || SECRET_NAME.matcher(key).matches()) {
      return "****";
    }
    return value == null ? null : URI_USERINFO.matcher(value).replaceAll("$1****@");
  }

  private static String resolve(
      String name, Map<String, String> raw, Function<String, String> env, int depth) {
    String value = raw.get(name);
    if (value == null) {
      return null;
    }
    if (depth > 10) {
      throw PdmErrors.config(
          "resolve config key " + name, "its references form a cycle", "remove the cycle");
    }
    Matcher m = REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String ref = m.group(1);
      String replacement;
      if (ref.startsWith("env:")) {
        replacement = env.apply(ref.substring(4));
        if (replacement == null) {
          throw PdmErrors.config(
              "resolve config key " + name,
              "environment variable " + ref.substring(4) + " is not set",
              "export " + ref.substring(4) + " before running the job");
        }
      } else if (ref.startsWith("sys:")) {
        replacement = System.getProperty(ref.substring(4), "");
      } else {
        replacement = resolve(ref, raw, env, depth + 1);
        if (replacement == null) {
          throw PdmErrors.config(
              "resolve config key " + name,
              "it references ${" + ref + "}, which is not set",
              "set " + ref + " or fix the reference");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Map<String, String> readProperties(String location) {
    Properties props = new Properties();
    try {
      Path path = new Path(location);
      FileSystem fs = path.getFileSystem(new Configuration());
      if (!fs.exists(path)) {
        throw PdmErrors.config(
            "read config file " + location,
            "it does not exist",
            "pass an existing file with --conf, e.g. conf/pdm-local.properties");
      }
      try (InputStream in = fs.open(path)) {
        props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw PdmErrors.config(
          "read config file " + location, e.getMessage(), "check the path and its permissions", e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : props.stringPropertyNames()) {
      out.put(name, props.getProperty(name).trim());
    }
    return out;
  }
}
