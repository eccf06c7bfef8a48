package dev.pdm.common;

import java.util.regex.Pattern;

/** The names users pass: datasets (a partition value and part of asset ids) and Kafka topics. */
public final class Names {

  /** Letters, digits, _ and -, starting with a letter or digit, at most 64. */
  public static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}");
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._\\-]{1,249}");

  private Names() {}

  public static boolean isDataset(String name) {
    return name != null && DATASET.matcher(name).matches();
  }

  /** {@code name}, or a usage error naming {@code --dataset}. */
  public static String requireDataset(String name) {
    if (!isDataset(name)) {
      throw PdmErrors.badValue("--dataset", String.valueOf(name),
          "a name of letters, digits, _ and - such as FD001");
    }
    return name;
  }

  /** {@code name}, or a usage error naming {@code --topic}. */
  public static String requireTopic(String name) {
    if (name == null || !TOPIC.matcher(name).matches()) {
      throw PdmErrors.badValue("--topic", String.valueOf(name), "a Kafka topic name (letters, digits, . _ -)");
    }
    return name;
  }
}
