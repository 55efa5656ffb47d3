package dev.gantry.api;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised before a controller runs (Tomcat rejecting a URI, the security firewall) end up
 * here; they are problem documents too.
 */
@Hidden
@RestController
public class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:${error.path:/error}}")
  public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    if (code == null) {
      // asked for directly, not forwarded by the container with an error
      return ResponseEntity.status(HttpStatus.NOT_FOUND).header(HttpHeaders.CONTENT_TYPE, "application/problem+json")
          .body(Problems.problem(HttpStatus.NOT_FOUND, "NotFound", "no such resource"));
    }
    HttpStatus status = code instanceof Integer i && HttpStatus.resolve(i) != null ? HttpStatus.resolve(i) : HttpStatus.INTERNAL_SERVER_ERROR;
    Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
    String detail = message instanceof String m && !m.isBlank() ? m : status.getReasonPhrase();
    ProblemDetail p = Problems.problem(status, status.is4xxClientError() ? "InvalidRequest" : "InternalError", detail);
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    if (uri instanceof String u) {
      try {
        p.setInstance(java.net.URI.create(u));
      } catch (IllegalArgumentException notAUri) {
        // the rejected URI itself may be what was malformed
      }
    }
    return ResponseEntity.status(status).header(HttpHeaders.CONTENT_TYPE, "application/problem+json").body(p);
  }
}
