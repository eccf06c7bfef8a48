package dev.pdm.ingest;

/** Which part of a dataset a file holds: run-to-failure series (train) or truncated ones (test). */
public enum Split {
  TRAIN,
  TEST;

  /** As stored in silver and asset ids: {@code train}, {@code test}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
