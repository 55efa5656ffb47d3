package dev.gantry.api;

import org.springframework.http.HttpStatus;

/** A refusal with the reason a person can act on; rendered as RFC 9457 problem details. */
public class ApiProblem extends RuntimeException {
  private final HttpStatus status;
  private final String type;

  public ApiProblem(HttpStatus status, String type, String detail) {
    super(detail);
    this.status = status;
    this.type = type;
  }

  public HttpStatus status() {
    return status;
  }

  public String type() {
    return type;
  }

  public static ApiProblem badRequest(String type, String detail) {
    return new ApiProblem(HttpStatus.BAD_REQUEST, type, detail);
  }

  public static ApiProblem notFound(String type, String detail) {
    return new ApiProblem(HttpStatus.NOT_FOUND, type, detail);
  }

  public static ApiProblem conflict(String type, String detail) {
    return new ApiProblem(HttpStatus.CONFLICT, type, detail);
  }
}
