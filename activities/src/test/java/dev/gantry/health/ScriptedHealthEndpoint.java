package dev.gantry.health;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP health endpoint on 127.0.0.1 that answers from a script, one response per request;
 * the last response repeats once the script runs out.
 */
final class ScriptedHealthEndpoint implements AutoCloseable {

  record Response(int status, String body) {}

  static Response report(String digest, boolean healthy) {
    return new Response(200, "{\"digest\":\"" + digest + "\",\"healthy\":" + healthy + "}");
  }

  static Response status(int status) {
    return new Response(status, "{\"error\":\"unavailable\"}");
  }

  static Response body(String body) {
    return new Response(200, body);
  }

  private final HttpServer server;
  private final List<Response> script;
  private final AtomicInteger requests = new AtomicInteger();

  ScriptedHealthEndpoint(Response... script) throws IOException {
    this.script = new ArrayList<>(List.of(script));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/health",
        exchange -> {
          int n = requests.getAndIncrement();
          Response r = this.script.get(Math.min(n, this.script.size() - 1));
          byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(r.status(), bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
