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

  /** Longest asset id landed: an id is a key of every table and of the stream's per-asset state. */
  public static final int ASSET_ID_MAX_LENGTH = 256;

  /**
   * What is wrong with an asset id (already trimmed), or null when it is fine: at most
   * {@value #ASSET_ID_MAX_LENGTH} characters, none of them a control character (a producer that
   * sends a whole document or binary as the id would otherwise grow the state without bound).
   */
  public static String assetIdProblem(String id) {
    if (id.length() > ASSET_ID_MAX_LENGTH) {
      return "is " + id.length() + " characters long; at most " + ASSET_ID_MAX_LENGTH + " are allowed";
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        return String.format("contains the control character U+%04X at position %d", (int) id.charAt(i), i);
      }
    }
    return null;
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
