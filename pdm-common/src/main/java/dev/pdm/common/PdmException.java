package dev.pdm.common;

/**
 * A failure the user can act on. Built only by {@link PdmErrors}, so that every message reads
 * "Cannot X: reason (fix)" and maps to one exit code.
 */
public final class PdmException extends RuntimeException {

  /** What kind of failure, which decides the process exit code. */
  public enum Kind {
    /** Bad command line: exit 2. */
    USAGE(2),
    /** Bad or missing configuration: exit 2. */
    CONFIG(2),
    /** The job ran and failed (I/O, a server, the data): exit 1. */
    FAILURE(1);

    private final int exitCode;

    Kind(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final Kind kind;

  PdmException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public int exitCode() {
    return kind.exitCode();
  }
}
