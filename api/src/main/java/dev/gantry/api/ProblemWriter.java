package dev.gantry.api;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import tools.jackson.databind.json.JsonMapper;

/** 401 and 403 from the security filters, as problem details like every other error. */
final class ProblemWriter {
  private final JsonMapper json;

  ProblemWriter(JsonMapper json) {
    this.json = json;
  }

  AuthenticationEntryPoint unauthenticated() {
    return (request, response, e) -> {
      response.setHeader("WWW-Authenticate", "Basic realm=\"gantry\"");
      response.addHeader("WWW-Authenticate", "Bearer realm=\"gantry\"");
      write(response, Problems.problem(HttpStatus.UNAUTHORIZED, "Unauthenticated",
          "sign in with HTTP Basic, or as CI with its OIDC token (Authorization: Bearer): " + e.getMessage()));
    };
  }

  AccessDeniedHandler forbidden() {
    return (request, response, e) -> {
      String who = request.getUserPrincipal() == null ? "you" : request.getUserPrincipal().getName();
      String need =
          request.getRequestURI().endsWith("/releases") ? "role ci (CI starts releases)" : "role oncall (on-call rolls back and clears holds)";
      write(response, Problems.problem(HttpStatus.FORBIDDEN, "Forbidden", who + " may not " + request.getMethod() + " " + request.getRequestURI() + ": needs " + need));
    };
  }

  RequestRejectedHandler rejected() {
    return (request, response, e) -> write(response, Problems.problem(HttpStatus.BAD_REQUEST, "InvalidRequest", "request rejected: " + e.getMessage()));
  }

  private void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
    response.setStatus(problem.getStatus());
    response.setContentType("application/problem+json");
    json.writeValue(response.getOutputStream(), problem);
  }
}
