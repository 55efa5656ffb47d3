package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.demo.DemoEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors as a client and an operator meet them, through the packaged jar: requests Tomcat refuses
 * before Spring sees them still answer RFC 9457 problem documents (sent as raw bytes, since an
 * HTTP client refuses to send most of them), and a refused approval is one INFO line, not a stack.
 */
class ErrorAnswersIT {
  private static final String C1 = DemoEnvironment.commitOf(1);

  @TempDir static Path data;
  static GantryProcess gantry;

  @BeforeAll
  static void start() throws Exception {
    gantry = new GantryProcess(data, GantryProcess.freshLog("error-answers-gantry.log")).start();
  }

  @AfterAll
  static void stop() {
    if (gantry != null) {
      gantry.close();
    }
  }

  record Answer(int status, String contentType, String body) {}

  /** One request as raw bytes on its own connection; the whole answer, read until the server closes. */
  static Answer raw(byte[] request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gantry.port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; !complete(all.toString(StandardCharsets.ISO_8859_1)) && (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n); // until the answer is whole: the server may keep reading a body it refused
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as("an HTTP answer: %s", text).isPositive();
      String[] head = text.substring(0, end).split("\r\n");
      int status = Integer.parseInt(head[0].split(" ")[1]);
      String type = null;
      boolean chunked = false;
      for (String h : head) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-type:")) {
          type = h.substring("content-type:".length()).strip();
        }
        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      String body = text.substring(end + 4);
      return new Answer(status, type, chunked ? dechunk(body) : body);
    }
  }

  static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase(Locale.ROOT);
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(head);
    if (length.find()) {
      return text.length() - end - 4 >= Integer.parseInt(length.group(1));
    }
    if (head.contains("transfer-encoding: chunked")) {
      return text.endsWith("\r\n0\r\n\r\n");
    }
    return false; // delimited by the end of the connection
  }

  static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int eol = body.indexOf("\r\n", i);
      int size = Integer.parseInt(body.substring(i, eol).strip(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }

  static byte[] request(String requestLine, String... headers) {
    StringBuilder b = new StringBuilder(requestLine).append("\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static String basic(String user) {
    return "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
  }

  /** A problem document with the given status: the content type, the four fields, no HTML, no stack. */
  static JsonNode problem(Answer a, int status, String what) throws Exception {
    assertThat(a.status()).as("%s: %s", what, a.body()).isEqualTo(status);
    assertThat(a.contentType()).as(what).startsWith("application/problem+json");
    assertThat(a.body()).as(what).doesNotContainIgnoringCase("<html").doesNotContain("\tat ").doesNotContain("Exception");
    JsonNode p = GantryProcess.JSON.readTree(a.body());
    assertThat(p.get("status").asInt()).as(what).isEqualTo(status);
    assertThat(p.get("type").asText()).as(what).startsWith("https://gantry.dev/problems/");
    assertThat(p.get("title").asText()).as(what).isNotBlank();
    assertThat(p.get("detail").asText()).as(what).isNotBlank();
    return p;
  }

  record Hostile(String what, byte[] bytes, int status, String type, String detail) {}

  @Test
  void requestsTomcatRefusesAnswerProblemDocumentsThatSayWhatToChange() throws Exception {
    String host = "Host: 127.0.0.1";
    List<Hostile> cases = List.of(
        new Hostile("encoded slash", request("GET /api/v1/releases/..%2f..%2fetc/passwd HTTP/1.1", host), 400, "InvalidPath", "encoded slash (%2F)"),
        new Hostile("encoded NUL", request("GET /api/v1/releases/storefront%00 HTTP/1.1", host), 400, "InvalidPath", "NUL (%00)"),
        new Hostile("encoded backslash", request("GET /api/v1/releases/a%5cb HTTP/1.1", host), 400, "InvalidPath", "backslash"),
        new Hostile("bad percent-encoding", request("GET /api/v1/releases/%zz HTTP/1.1", host), 400, "InvalidPath", "two hexadecimal digits"),
        new Hostile("invalid characters in the request line", request("GET /api/v1/rel<eases>\"{} HTTP/1.1", host), 400, "InvalidPath", "percent-encode"),
        new Hostile("a method that is no token", request("G(T /api/v1/releases HTTP/1.1", host), 400, "InvalidRequest", "method"),
        new Hostile("a 30 kB Authorization header", request("GET /api/v1/releases HTTP/1.1", host, "Authorization: Basic " + "A".repeat(30_000)),
            400, "RequestHeaderTooLarge", "at most 8192 bytes"),
        new Hostile("a 20 kB URI", request("GET /api/v1/releases/" + "a".repeat(20_000) + " HTTP/1.1", host), 400, "RequestHeaderTooLarge", "8192"),
        new Hostile("no Host header", request("GET /api/v1/releases HTTP/1.1"), 400, "InvalidRequest", "Host header"),
        new Hostile("a Content-Length that is no number", request("POST /api/v1/releases HTTP/1.1", host, "Content-Length: ten"), 400, "InvalidRequest", "Content-Length"),
        new Hostile("an HTTP version from the future", request("GET /api/v1/releases HTTP/9.9", host), 505, "UnsupportedHttpVersion", "HTTP/1.1"),
        new Hostile("a control character in a header name", request("GET /api/v1/releases HTTP/1.1", host, "X-A\u0001: b"), 400, "InvalidRequest", "malformed"),
        new Hostile("an encoded slash outside the API", request("GET /demo/%2f HTTP/1.1", host), 400, "InvalidPath", "encoded slash"));
    for (Hostile h : cases) {
      JsonNode p = problem(raw(h.bytes()), h.status(), h.what());
      assertThat(p.get("type").asText()).as(h.what()).endsWith("/" + h.type());
      assertThat(p.get("detail").asText()).as(h.what()).contains(h.detail());
      // the refused input is not repeated back
      assertThat(p.toString()).as(h.what()).doesNotContain("etc/passwd").doesNotContain("AAAA").doesNotContain("<eases>").doesNotContain("%zz");
      System.out.printf("FIGURE: hostile %s -> %d %s%n", h.what(), p.get("status").asInt(), p.get("title").asText());
    }
  }

  @Test
  void errorsSpringAnswersUnderTheApiAreProblemDocumentsToo() throws Exception {
    String host = "Host: 127.0.0.1";
    problem(raw(request("GET /api/v1/no-such-thing HTTP/1.1", host, basic("alice"))), 404, "unknown path");
    problem(raw(request("GET /no-such-thing HTTP/1.1", host)), 404, "unknown path outside the API");
    problem(raw(request("PATCH /api/v1/releases HTTP/1.1", host, basic("alice"))), 405, "unsupported method");
    problem(raw(request("GET /api/v1/releases HTTP/1.1", host, basic("alice"), "Accept: image/png")), 406, "unacceptable media type");
    problem(raw(request("POST /api/v1/releases HTTP/1.1", host, basic("ci"), "Content-Type: text/plain", "Content-Length: 0")), 415, "unsupported media type");
    problem(raw(request("POST /api/v1/releases/storefront/" + C1 + "/evidence HTTP/1.1", host, basic("ci"),
        "Content-Type: application/json", "Content-Length: 100000000")), 413, "an upload over the limit");
    problem(raw(request("GET /api/v1/releases/../../etc/passwd HTTP/1.1", host)), 400, "dot segments above the root");
  }

  @Test
  void aRefusedApprovalIsOneInfoLineWithWhoWhatAndWhy() throws Exception {
    gantry.awaitState(C1, "staging", "WAITING_FOR_APPROVAL", Duration.ofSeconds(90));
    var refused = gantry.send("POST", "/api/v1/releases/storefront/" + C1 + "/environments/staging/approvals", "carol", "{}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    String expected = "INFO .*approval refused: service=storefront release=" + C1
        + " environment=staging by=carol reason=NotApprover: carol is not in group approvers, which decides for staging";
    List<String> lines = logOnceHas(expected);
    // nothing else about it: no SDK "Workflow execution failure" with the ApplicationFailure and its stack
    assertThat(lines).filteredOn(l -> l.contains("carol is not in group approvers")).hasSize(1);
    assertThat(lines).noneMatch(l -> l.contains("at dev.gantry.release.ReleaseWorkflowImpl.validateApprove"));
    assertThat(lines).noneMatch(l -> l.contains("Workflow execution failure") && l.contains(C1));
  }

  @Test
  void aRefusedReleaseIsOneInfoLineWithWhoWhatAndWhyAndNoStack() throws Exception {
    String missing = "f".repeat(40);
    var refused = gantry.send("POST", "/api/v1/releases", "ci",
        "{\"service\":\"storefront\",\"commit\":\"" + missing + "\",\"author\":\"dave\"}");
    assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 499);
    assertThat(refused.body()).contains("TagNotFound");
    String expected = "INFO .*release refused: service=storefront commit=" + missing + " tag=sha-" + missing
        + " by=ci reason=TagNotFound: .*not found.*";
    List<String> lines = logOnceHas(expected);
    // the SDK's activity, update and workflow failures for it are not logged with their stacks
    assertThat(lines).noneMatch(l -> l.contains("type='TagNotFound'"));
    assertThat(lines).noneMatch(l -> l.contains("at dev.gantry.registry.RegistryFailures"));
    assertThat(lines).noneMatch(l -> l.contains("Workflow execution failure") && l.contains(missing));
  }

  /** The server's log once a line matches {@code expected} (up to 10 s), asserting exactly one does. */
  private static List<String> logOnceHas(String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> lines;
    do {
      Thread.sleep(100);
      lines = Files.readAllLines(gantry.log);
    } while (lines.stream().noneMatch(l -> l.matches(".*" + expected)) && System.nanoTime() < deadline);
    assertThat(lines).as("the refusal in %s", gantry.log).filteredOn(l -> l.matches(".*" + expected)).hasSize(1);
    return lines;
  }
}
