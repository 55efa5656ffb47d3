package dev.gantry.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A real evaluation endpoint on 127.0.0.1: {@code POST /evaluate} and {@code GET /status/...}
 * answer from scripts indexed by how many such requests came before (the last entry repeats).
 */
final class FakeEvaluator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the endpoint answers; {@code location} null = no Location header. */
  record Reply(int status, String location, String body) {
    static Reply metrics(String json) {
      return new Reply(200, null, "{\"metrics\": " + json + "}");
    }

    static Reply accepted() {
      return new Reply(202, null, "{\"status\": \"queued\"}");
    }

    static Reply acceptedAt(String location) {
      return new Reply(202, location, "{\"status\": \"queued\"}");
    }

    static Reply status(int status, String body) {
      return new Reply(status, null, body);
    }
  }

  /** A POST as received: its JSON body and the idempotency key header. */
  record Post(JsonNode body, String idempotencyKey, String contentType) {
    String token() {
      return body.get("token").asText();
    }

    String commit() {
      return body.get("commit").asText();
    }
  }

  private final HttpServer server;
  private final LinkedBlockingQueue<Post> posts = new LinkedBlockingQueue<>();
  private final List<Post> allPosts = new CopyOnWriteArrayList<>();
  private final List<String> statusGets = new CopyOnWriteArrayList<>();
  volatile IntFunction<Reply> onPost = n -> Reply.accepted();
  volatile IntFunction<Reply> onStatus = n -> Reply.accepted();

  FakeEvaluator() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/evaluate",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          Post post = new Post(
              JSON.readTree(body),
              exchange.getRequestHeaders().getFirst("Idempotency-Key"),
              exchange.getRequestHeaders().getFirst("Content-Type"));
          int n = allPosts.size();
          allPosts.add(post);
          posts.add(post);
          reply(exchange, onPost.apply(n));
        });
    server.createContext(
        "/status/",
        exchange -> {
          int n = statusGets.size();
          statusGets.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
          reply(exchange, onStatus.apply(n));
        });
    server.start();
  }

  private static void reply(HttpExchange exchange, Reply r) throws IOException {
    byte[] bytes = r.body() == null ? new byte[0] : r.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (r.location() != null) {
      exchange.getResponseHeaders().set("Location", r.location());
    }
    exchange.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/evaluate";
  }

  /** The next POST about this commit, waiting for it; earlier tests' requests are skipped. */
  Post nextPost(String commit, Duration wait) throws InterruptedException {
    long end = System.nanoTime() + wait.toNanos();
    while (true) {
      Post p = posts.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (p == null) {
        throw new AssertionError("the evaluation endpoint received no request about " + commit + " within " + wait);
      }
      if (p.commit().equals(commit)) {
        return p;
      }
    }
  }

  /** Every POST about this commit so far. */
  List<Post> posts(String commit) {
    return allPosts.stream().filter(p -> p.commit().equals(commit)).toList();
  }

  List<String> statusGets() {
    return List.copyOf(statusGets);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
