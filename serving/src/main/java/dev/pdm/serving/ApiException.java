package dev.pdm.serving;

/** Ends a request with a {@link Problem}; nothing the request asked for has been written. */
public final class ApiException extends RuntimeException {

  private final transient Problem problem;

  public ApiException(int status, String title, String detail, String field) {
    super(title + ": " + detail);
    this.problem = Problem.of(status, title, detail, field);
  }

  public Problem problem() {
    return problem;
  }

  /** 400: the request names the field that is wrong and how to fix it. */
  public static ApiException badRequest(String field, String detail) {
    return new ApiException(400, "Bad request", detail, field);
  }

  /** 413: a body over pdm.serve.max-request-bytes. */
  public static ApiException tooLarge(long maxBytes) {
    return new ApiException(413, "Request too large", "the body exceeds " + maxBytes
        + " bytes (pdm.serve.max-request-bytes)", null);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(404, "Not found", detail, null);
  }
}
