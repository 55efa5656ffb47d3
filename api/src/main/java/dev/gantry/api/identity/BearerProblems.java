package dev.gantry.api.identity;

import dev.gantry.api.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * A refused bearer token as a problem document: 401 {@code InvalidToken} (with {@code
 * WWW-Authenticate: Bearer error="invalid_token"}) when it cannot be trusted, 403 {@code
 * ClaimMismatch} when it is genuine but no service's CI is what it asserts, 503 when its issuer
 * cannot be reached for keys. Each says why; none says which keys exist.
 */
final class BearerProblems implements AuthenticationEntryPoint, AuthenticationFailureHandler {
  private static final Logger log = LoggerFactory.getLogger(BearerProblems.class);
  private final JsonMapper json;

  BearerProblems(JsonMapper json) {
    this.json = json;
  }

  @Override
  public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
    answer(request, response, e);
  }

  @Override
  public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
    answer(request, response, e);
  }

  private void answer(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
    String why = oneLine(e.getMessage());
    ProblemDetail problem;
    if (e instanceof CiNotTrusted) {
      problem = Problems.problem(HttpStatus.FORBIDDEN, "ClaimMismatch", "no service's CI trusts this token: " + why);
      response.setHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\", error_description=\"" + quoted(why) + "\"");
    } else if (e instanceof AuthenticationServiceException) {
      log.warn("bearer token not verified: {}", why);
      problem = Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "IssuerUnavailable", why + "; try again");
    } else {
      problem = Problems.problem(HttpStatus.UNAUTHORIZED, "InvalidToken", "the bearer token is refused: " + why);
      response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" + quoted(why) + "\"");
    }
    log.info("bearer token refused: {} {} -> {}: {}", request.getMethod(), oneLine(request.getRequestURI()), problem.getStatus(), why);
    response.setStatus(problem.getStatus());
    response.setContentType("application/problem+json");
    json.writeValue(response.getOutputStream(), problem);
  }

  /** RFC 6750's error_description: printable ASCII without a quote or a backslash. */
  private static String quoted(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
    }
    return b.length() > 300 ? b.substring(0, 300) : b.toString();
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 500; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > 500 ? b + "…" : b.toString();
  }
}
