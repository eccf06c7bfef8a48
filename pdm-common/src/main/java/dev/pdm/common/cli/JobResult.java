package dev.pdm.common.cli;

/** What a job returns: small and typed; {@link #summary()} is printed on stdout. */
public interface JobResult {

  /** One or a few lines for the person who ran the job; empty prints nothing. */
  String summary();

  /** The process exit code of a job that ran; 0 unless the command defines others. */
  default int exitCode() {
    return 0;
  }
}
