package dev.gantry.api;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A refusal with the reason a person can act on; rendered as RFC 9457 problem details. */
public class ApiProblem extends RuntimeException {
  private final HttpStatus status;
  private final String type;
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private URI location;

  public ApiProblem(HttpStatus status, String type, String detail) {
    super(detail);
    this.status = status;
    this.type = type;
  }

  /** An extension member of the problem document (RFC 9457 section 3.2); a null value is left out. */
  public ApiProblem with(String name, Object value) {
    if (value != null) {
      properties.put(name, value);
    }
    return this;
  }

  /** A {@code Location} header on the answer: where to follow what the problem is about. */
  public ApiProblem location(URI location) {
    this.location = location;
    return this;
  }

  public Map<String, Object> properties() {
    return Collections.unmodifiableMap(properties);
  }

  public URI location() {
    return location;
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
