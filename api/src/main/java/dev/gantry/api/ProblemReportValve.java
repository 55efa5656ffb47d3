package dev.gantry.api;

import jakarta.servlet.RequestDispatcher;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.buf.MessageBytes;
import org.apache.tomcat.util.res.StringManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error report for requests it refuses before Spring sees them (a malformed request
 * line, an encoded slash or NUL in the path, bad percent-encoding, headers over the size limit)
 * and for any error response nothing else wrote a body for: an RFC 9457 problem document, like
 * every other Gantry error, instead of Tomcat's HTML page. The detail says what to change; it
 * never repeats the refused input and never carries a stack trace.
 */
public final class ProblemReportValve extends ErrorReportValve {
  private static final Logger log = LoggerFactory.getLogger(ProblemReportValve.class);
  private static final StringManager PARSER = StringManager.getManager("org.apache.coyote.http11");
  private static final StringManager ADAPTER = StringManager.getManager("org.apache.catalina.connector");

  private final JsonMapper json;

  public ProblemReportValve(JsonMapper json) {
    this.json = json;
    setShowReport(false);
    setShowServerInfo(false);
  }

  /**
   * Puts this valve in place of every error report valve of the context's host (Tomcat's default
   * one and the one Spring Boot adds), so exactly one report is written and it is a problem.
   */
  public static void install(Container host, JsonMapper json) {
    for (Valve v : host.getPipeline().getValves()) {
      if (v instanceof ErrorReportValve) {
        host.getPipeline().removeValve(v);
      }
    }
    // StandardHost adds a valve of this class on start unless one is present. Set as a property,
    // not through StandardHost itself: naming that class would make the jar's code reach all of
    // Catalina's deployment machinery (EJB, JPA, JAX-WS references) that the jar does not carry
    org.apache.tomcat.util.IntrospectionUtils.setProperty(host, "errorReportValveClass", ProblemReportValve.class.getName());
    host.getPipeline().addValve(new ProblemReportValve(json));
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return; // not an error, or Spring (or another writer) already answered with a body
    }
    AtomicBoolean ioAllowed = new AtomicBoolean(true);
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    ProblemDetail problem = describe(request, status, response.getMessage(), throwable);
    if (log.isDebugEnabled()) {
      log.debug("refused before the application: {} {}", status, problem.getDetail());
    }
    try {
      String body = json.writeValueAsString(problem);
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the client is gone, or the response was committed meanwhile: nothing more to say
    }
  }

  static ProblemDetail describe(Request request, int status, String message, Throwable throwable) {
    HttpStatusCode code = HttpStatusCode.valueOf(status);
    String error = throwable != null ? throwable.getMessage() : null;
    if (matches(error, PARSER, "iib.requestheadertoolarge.error")) {
      return Problems.problem(code, "RequestHeaderTooLarge",
          "request header too large: the request line and headers together may take at most " + headerLimit(request)
              + " bytes (server.max-http-request-header-size); send a shorter URI or fewer and smaller headers");
    }
    if (matches(error, PARSER, "iib.invalidRequestTarget") || matches(error, PARSER, "http11processor.request.invalidUri")) {
      return Problems.problem(code, "InvalidPath",
          "the request target contains characters a URI may not hold (RFC 3986); percent-encode them");
    }
    if (matches(error, PARSER, "iib.invalidmethod")) {
      return Problems.problem(code, "InvalidRequest", "the request line is malformed: the method must be a token such as GET or POST");
    }
    if (matches(error, PARSER, "iib.invalidHttpProtocol") || matches(error, PARSER, "http11processor.request.unsupportedVersion")
        || status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED.value()) {
      return Problems.problem(code, "UnsupportedHttpVersion", "the request line names an HTTP version Gantry does not speak; use HTTP/1.1");
    }
    // Tomcat refuses these without an exception: the headers say which
    org.apache.tomcat.util.http.MimeHeaders headers = request.getCoyoteRequest().getMimeHeaders();
    boolean http11 = "HTTP/1.1".equals(request.getCoyoteRequest().protocol().toString());
    if (status == HttpStatus.BAD_REQUEST.value() && throwable == null && http11 && count(headers, "host") != 1) {
      return Problems.problem(code, "InvalidRequest", "an HTTP/1.1 request needs exactly one Host header");
    }
    if (status == HttpStatus.BAD_REQUEST.value() && throwable == null && !validContentLength(headers)) {
      return Problems.problem(code, "InvalidRequest", "the Content-Length header must appear once, as a decimal number of bytes");
    }
    if (matches(error, PARSER, "http11processor.request.noHostHeader") || matches(error, PARSER, "http11processor.request.multipleHosts")
        || matches(error, PARSER, "http11processor.request.inconsistentHosts")) {
      return Problems.problem(code, "InvalidRequest", "an HTTP/1.1 request needs exactly one Host header, agreeing with the request line");
    }
    if (matches(error, PARSER, "http11processor.request.nonNumericContentLength")
        || matches(error, PARSER, "http11processor.request.multipleContentLength")) {
      return Problems.problem(code, "InvalidRequest", "the Content-Length header must appear once, as a decimal number of bytes");
    }
    if (matches(error, PARSER, "http11processor.request.invalidTransferEncoding")
        || matches(error, PARSER, "http11processor.request.unsupportedEncoding")
        || matches(error, PARSER, "http11processor.request.alreadyChunked")
        || matches(error, PARSER, "http11processor.request.transferEncodingWithHttp10")) {
      return Problems.problem(code, "InvalidRequest", "the Transfer-Encoding header is not one Gantry accepts; send Content-Length or Transfer-Encoding: chunked");
    }
    if (matches(message, ADAPTER, "coyoteAdapter.invalidURI") || matches(message, ADAPTER, "coyoteAdapter.invalidURIWithMessage")) {
      return Problems.problem(code, "InvalidPath", pathProblem(rawPath(request)));
    }
    if (status == HttpStatus.BAD_REQUEST.value()) {
      return Problems.problem(code, "InvalidRequest",
          "the request is malformed (request line, headers or path) and was refused before Gantry read it; check it against RFC 9112");
    }
    HttpStatus known = HttpStatus.resolve(status);
    String reason = known == null ? "error " + status : known.getReasonPhrase();
    return status >= 500
        ? Problems.problem(code, "InternalError", "an unexpected error occurred (" + reason + "); it has been logged")
        : Problems.problem(code, "InvalidRequest", "the request was refused: " + reason);
  }

  /** What is wrong with a path Tomcat would not decode, from the raw bytes (never echoed). */
  static String pathProblem(String raw) {
    if (raw != null) {
      String lower = raw.toLowerCase(java.util.Locale.ROOT);
      if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
        return "the path contains an encoded slash (%2F), backslash (%5C) or NUL (%00); Gantry refuses such paths: "
            + "name resources with plain path segments";
      }
      if (badPercent(raw)) {
        return "the path has malformed percent-encoding: every % must be followed by two hexadecimal digits";
      }
      if (raw.contains("\\")) {
        return "the path contains a backslash; Gantry refuses such paths";
      }
    }
    return "the path cannot be decoded or normalised (an encoded slash, a NUL, malformed percent-encoding or a .. above the root); Gantry refuses such paths";
  }

  private static boolean badPercent(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) == '%') {
        if (i + 2 >= raw.length() || !hex(raw.charAt(i + 1)) || !hex(raw.charAt(i + 2))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int count(org.apache.tomcat.util.http.MimeHeaders headers, String name) {
    int n = 0;
    for (int i = 0; i < headers.size(); i++) {
      if (headers.getName(i).equalsIgnoreCase(name)) {
        n++;
      }
    }
    return n;
  }

  private static boolean validContentLength(org.apache.tomcat.util.http.MimeHeaders headers) {
    int n = count(headers, "content-length");
    if (n == 0) {
      return true;
    }
    if (n > 1) {
      return false;
    }
    String v = headers.getHeader("content-length");
    return v != null && !v.isBlank() && v.strip().chars().allMatch(Character::isDigit);
  }

  private static String rawPath(Request request) {
    MessageBytes uri = request.getCoyoteRequest().requestURI();
    return uri == null ? null : uri.toString();
  }

  private static int headerLimit(Request request) {
    ProtocolHandler handler = request.getConnector() == null ? null : request.getConnector().getProtocolHandler();
    return handler instanceof AbstractHttp11Protocol<?> http ? http.getMaxHttpRequestHeaderSize() : 8192;
  }

  /**
   * Whether a Tomcat message is the one under {@code key}, compared in Tomcat's own (default
   * locale) wording, parameters ({@code {0}}) matching anything.
   */
  static boolean matches(String text, StringManager strings, String key) {
    if (text == null) {
      return false;
    }
    String pattern;
    try {
      pattern = strings.getString(key);
    } catch (RuntimeException missing) {
      return false;
    }
    if (pattern == null || pattern.equals(key)) {
      return false;
    }
    int param = pattern.indexOf("{0}");
    if (param < 0) {
      return text.equals(pattern);
    }
    String head = pattern.substring(0, param).replace("''", "'");
    String tail = pattern.substring(param + 3).replace("''", "'");
    return text.length() >= head.length() + tail.length() && text.startsWith(head) && text.endsWith(tail);
  }
}
