package dev.gantry.api;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Every error as RFC 9457 problem details; Temporal's typed refusals keep their type. */
@RestControllerAdvice
public class Problems extends ResponseEntityExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  public static final String TYPE_BASE = "https://gantry.dev/problems/";

  private static final Map<String, HttpStatus> STATUS_BY_TYPE =
      Map.ofEntries(
          Map.entry(FailureTypes.TAG_NOT_FOUND, HttpStatus.UNPROCESSABLE_CONTENT),
          Map.entry(FailureTypes.DIGEST_NOT_FOUND, HttpStatus.UNPROCESSABLE_CONTENT),
          Map.entry(FailureTypes.REGISTRY_NOT_ALLOWED, HttpStatus.UNPROCESSABLE_CONTENT),
          Map.entry(FailureTypes.INVALID_REFERENCE, HttpStatus.BAD_REQUEST),
          Map.entry(FailureTypes.REGISTRY_AUTH, HttpStatus.BAD_GATEWAY),
          Map.entry(FailureTypes.REGISTRY_UNAVAILABLE, HttpStatus.BAD_GATEWAY),
          Map.entry(FailureTypes.DIGEST_CONFLICT, HttpStatus.CONFLICT),
          Map.entry(FailureTypes.NOT_APPROVER, HttpStatus.FORBIDDEN),
          Map.entry(FailureTypes.SELF_APPROVAL, HttpStatus.FORBIDDEN),
          Map.entry(FailureTypes.DUPLICATE_APPROVAL, HttpStatus.CONFLICT),
          Map.entry(FailureTypes.NOT_WAITING, HttpStatus.CONFLICT),
          Map.entry(FailureTypes.EVIDENCE_BUNDLE_REQUIRED, HttpStatus.BAD_REQUEST),
          Map.entry(FailureTypes.EVIDENCE_BUNDLE_CHANGED, HttpStatus.CONFLICT),
          Map.entry(FailureTypes.UNKNOWN_ENVIRONMENT, HttpStatus.NOT_FOUND),
          Map.entry(FailureTypes.NOT_PROMOTED_HERE, HttpStatus.UNPROCESSABLE_CONTENT),
          Map.entry(FailureTypes.NO_ROLLBACK_TARGET, HttpStatus.CONFLICT));

  public static ProblemDetail problem(HttpStatusCode status, String type, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setType(URI.create(TYPE_BASE + type));
    p.setTitle(title(type));
    return p;
  }

  private static String title(String type) {
    // "TagNotFound" -> "Tag not found"
    String spaced = type.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
  }

  private static ResponseEntity<ProblemDetail> respond(ProblemDetail p) {
    return ResponseEntity.status(p.getStatus())
        .header(HttpHeaders.CONTENT_TYPE, "application/problem+json")
        .body(p);
  }

  @ExceptionHandler(ApiProblem.class)
  ResponseEntity<ProblemDetail> api(ApiProblem e) {
    ProblemDetail p = problem(e.status(), e.type(), e.getMessage());
    e.properties().forEach(p::setProperty);
    ResponseEntity<ProblemDetail> answer = respond(p);
    if (e.location() == null) {
      return answer;
    }
    return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders()).location(e.location()).body(p);
  }

  @ExceptionHandler(WorkflowNotFoundException.class)
  ResponseEntity<ProblemDetail> notFound(WorkflowNotFoundException e) {
    return respond(problem(HttpStatus.NOT_FOUND, "NotFound", "no such release or workflow: " + e.getExecution().getWorkflowId()));
  }

  /** Refusals raised by workflows and activities carry their type through Temporal. */
  @ExceptionHandler({WorkflowException.class, ApplicationFailure.class})
  ResponseEntity<ProblemDetail> temporal(RuntimeException e) {
    ApplicationFailure failure = Failures.application(e);
    if (failure != null && failure.getType() != null && STATUS_BY_TYPE.containsKey(failure.getType())) {
      return respond(problem(STATUS_BY_TYPE.get(failure.getType()), failure.getType(), failure.getOriginalMessage()));
    }
    if (failure != null && failure.isNonRetryable()) {
      return respond(problem(HttpStatus.UNPROCESSABLE_CONTENT, failure.getType() == null ? "Refused" : failure.getType(), failure.getOriginalMessage()));
    }
    log.error("workflow call failed", e);
    return respond(problem(HttpStatus.BAD_GATEWAY, "WorkflowError", "the workflow could not answer: " + Failures.reason(e)));
  }

  @ExceptionHandler(WorkflowServiceException.class)
  ResponseEntity<ProblemDetail> unavailable(WorkflowServiceException e) {
    log.error("Temporal call failed", e);
    return respond(problem(HttpStatus.SERVICE_UNAVAILABLE, "TemporalUnavailable", "Temporal did not answer: " + Failures.reason(e)));
  }

  @ExceptionHandler(org.springframework.dao.DataAccessException.class)
  ResponseEntity<ProblemDetail> database(org.springframework.dao.DataAccessException e) {
    log.error("catalog query failed", e);
    return respond(problem(HttpStatus.SERVICE_UNAVAILABLE, "CatalogUnavailable", "the catalog database did not answer; try again"));
  }

  @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
  ResponseEntity<ProblemDetail> multipart(org.springframework.web.multipart.MultipartException e) {
    return respond(problem(HttpStatus.BAD_REQUEST, "InvalidRequest", "malformed multipart request: " + e.getMessage()));
  }

  @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
  ResponseEntity<ProblemDetail> badParameters(RuntimeException e) {
    return respond(problem(HttpStatus.BAD_REQUEST, "InvalidRequest", "malformed query string: " + e.getMessage()));
  }

  /** Anything unforeseen is still a problem document, and logged with its stack. */
  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    log.error("unexpected error", e);
    return respond(problem(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError", "an unexpected error occurred; it has been logged"));
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    // Spring's own 4xx (malformed JSON, wrong method, unknown path) as problem details with a type
    ProblemDetail p = body instanceof ProblemDetail pd ? pd : ProblemDetail.forStatusAndDetail(status, ex.getMessage());
    if (p.getType() == null || "about:blank".equals(p.getType().toString())) {
      p.setType(URI.create(TYPE_BASE + "InvalidRequest"));
    }
    HttpHeaders h = new HttpHeaders();
    h.putAll(headers);
    h.set(HttpHeaders.CONTENT_TYPE, "application/problem+json");
    return ResponseEntity.status(status).headers(h).body(p);
  }
}
