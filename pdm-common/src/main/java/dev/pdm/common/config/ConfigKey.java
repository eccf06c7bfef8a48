package dev.pdm.common.config;

/**
 * A configuration key, declared once with its default and documentation.
 *
 * @param name the property name, e.g. {@code pdm.warehouse}
 * @param defaultValue the value when neither the conf file nor the command line sets it; may
 *     reference other keys as {@code ${pdm.warehouse}}; null means unset
 * @param doc one line for {@code --help} and the docs
 * @param secret whether the value is masked in logs
 */
public record ConfigKey(String name, String defaultValue, String doc, boolean secret) {

  public static ConfigKey of(String name, String defaultValue, String doc) {
    return new ConfigKey(name, defaultValue, doc, false);
  }

  /** A key whose value is masked in logs. */
  public static ConfigKey secret(String name, String doc) {
    return new ConfigKey(name, null, doc, true);
  }
}
