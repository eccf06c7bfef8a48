package dev.pdm.common;

import dev.pdm.common.PdmException.Kind;

/**
 * The one factory of user-facing errors. Every message has the shape
 * {@code Cannot <action>: <reason> (<fix>)}.
 */
public final class PdmErrors {

  private PdmErrors() {}

  public static PdmException usage(String action, String reason, String fix) {
    return new PdmException(Kind.USAGE, format(action, reason, fix), null);
  }

  public static PdmException config(String action, String reason, String fix) {
    return new PdmException(Kind.CONFIG, format(action, reason, fix), null);
  }

  public static PdmException config(String action, String reason, String fix, Throwable cause) {
    return new PdmException(Kind.CONFIG, format(action, reason, fix), cause);
  }

  public static PdmException failure(String action, String reason, String fix) {
    return new PdmException(Kind.FAILURE, format(action, reason, fix), null);
  }

  public static PdmException failure(String action, String reason, String fix, Throwable cause) {
    return new PdmException(Kind.FAILURE, format(action, reason, fix), cause);
  }

  public static PdmException missingOption(String action, String option, String example) {
    return usage(action, option + " is required", "pass " + option + ", e.g. " + example);
  }

  public static PdmException badValue(String what, String value, String expected) {
    return usage("use " + what + " '" + value + "'", "expected " + expected, "fix " + what);
  }

  public static PdmException badConfigValue(String key, String value, String expected) {
    return config(
        "read config key " + key,
        "'" + value + "' is not " + expected,
        "set " + key + " to " + expected + " in the --conf file or with --set " + key + "=...");
  }

  public static PdmException missingTable(String table, String path, String producer) {
    return failure(
        "read table " + table,
        "no Delta table at " + path,
        "run `" + producer + "` first, or check --warehouse");
  }

  private static String format(String action, String reason, String fix) {
    return "Cannot " + action + ": " + reason + " (" + fix + ")";
  }
}
