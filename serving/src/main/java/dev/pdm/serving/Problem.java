package dev.pdm.serving;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error answer, RFC 9457 {@code application/problem+json}: what went wrong ({@code title}),
 * the details and the fix ({@code detail}), and the request field at fault when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {

  public static final String CONTENT_TYPE = "application/problem+json";

  public static Problem of(int status, String title, String detail, String field) {
    return new Problem("about:blank", title, status, detail, field);
  }
}
