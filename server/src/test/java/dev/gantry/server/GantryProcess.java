package dev.gantry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;

/** The server jar started as a separate process, as a user starts it, and an HTTP client for it. */
final class GantryProcess implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final int port;
  final int temporalPort;
  final Path dataDir;
  final Path log;
  private Process process;
  private final List<String> jvmArgs = new ArrayList<>();
  private String service = "storefront";
  private String reader = "alice";

  GantryProcess(Path dataDir, Path log) throws IOException {
    this(dataDir, log, freePort());
  }

  /** On a given HTTP port: a restarted demo must answer where its releases' health URLs point. */
  GantryProcess(Path dataDir, Path log, int port) throws IOException {
    this.port = port;
    this.temporalPort = freePort();
    this.dataDir = dataDir;
    this.log = log;
  }

  /** A fresh log file under target/, for one process of one test class. */
  static Path freshLog(String name) throws IOException {
    Path log = Path.of("target", name);
    Files.createDirectories(log.getParent());
    Files.deleteIfExists(log);
    return log;
  }

  /** The arguments that point Gantry (running the demo) at a real Temporal server. */
  static String[] againstRealServer(TemporalServerProcess temporal, String namespace, String liveTimeout) {
    return new String[] {
      "--gantry.temporal.embedded=false",
      "--gantry.temporal.target=" + temporal.target(),
      "--gantry.temporal.namespace=" + namespace,
      "--gantry.demo.live-timeout=" + liveTimeout,
      "--gantry.demo.soak-time=1s"
    };
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  GantryProcess start(String... extraArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--spring.profiles.active=demo",
        "--gantry.temporal.port=" + temporalPort,
        "--gantry.data-dir=" + dataDir));
    args.addAll(List.of(extraArgs));
    return launch(args);
  }

  /** JVM options for the next start, e.g. {@code -Xmx1g}. */
  GantryProcess withJvmArgs(String... args) {
    jvmArgs.addAll(List.of(args));
    return this;
  }

  long pid() {
    return process.pid();
  }

  /** Without the demo profile: the arguments (a configuration file, Temporal, PostgreSQL) say everything. */
  GantryProcess startServer(String... args) throws Exception {
    return launch(List.of(args));
  }

  private GantryProcess launch(List<String> args) throws Exception {
    String jar = System.getProperty("gantry.jar", "target/gantry.jar");
    if (!Files.exists(Path.of(jar))) {
      throw new IllegalStateException("server jar " + jar + " not found: build it with ./mvnw -DskipTests install (./gantry test does)");
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", jar, "--server.port=" + port));
    cmd.addAll(args);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gantry exited with " + process.exitValue() + " during start; see " + log);
      }
      try {
        if (get("/v3/api-docs", null).statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("gantry did not answer within 120 s; see " + log);
  }

  /** SIGTERM, as a service manager stops it; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("gantry did not stop within 90 s of SIGTERM; see " + log);
    }
    return process.exitValue();
  }

  /**
   * SIGKILL, as a crash or the OOM killer ends it. The embedded PostgreSQL it started runs as its
   * own process and is left running, as after a real crash: the next start must cope with it.
   */
  void kill() throws Exception {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gantry did not die within 30 s of SIGKILL");
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      // SIGTERM first, so Gantry stops its embedded PostgreSQL instead of leaving it behind
      process.destroy();
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path, String user) throws IOException, InterruptedException {
    return send("GET", path, user, null);
  }

  HttpResponse<String> send(String method, String path, String user, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Whose releases {@link #release}, {@link #environment} and {@link #await} read, and as whom:
   * the demo's {@code storefront} as {@code alice} unless told otherwise.
   */
  GantryProcess viewing(String service, String user) {
    this.service = service;
    this.reader = user;
    return this;
  }

  /** A release (of the demo's service unless {@link #viewing} says another) as the reader sees it through the API. */
  JsonNode release(String commit) throws Exception {
    HttpResponse<String> r = get("/api/v1/releases/" + service + "/" + commit, reader);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET release " + commit + " answered " + r.statusCode() + ": " + r.body());
    }
    return json(r);
  }

  JsonNode environment(String commit, String name) throws Exception {
    for (JsonNode e : release(commit).get("environments")) {
      if (e.get("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("release " + commit + " has no environment " + name);
  }

  /** An approval body naming the evidence bundle the environment shows now, as a reviewer's client sends it. */
  String approval(String commit, String env, String comment) throws Exception {
    String bundle = environment(commit, env).get("evidenceBundle").asText();
    return "{\"comment\":" + (comment == null ? "null" : "\"" + comment + "\"") + ",\"evidenceBundle\":\"" + bundle + "\"}";
  }

  /** Polls the release view until the environment satisfies the condition (a bound, not a timing assertion). */
  JsonNode await(String commit, String env, Predicate<JsonNode> condition, String what, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = environment(commit, env);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(commit.substring(0, 8) + " " + env + " never reached " + what + " within " + within + "; last: " + last);
  }

  JsonNode awaitState(String commit, String env, String state, Duration within) throws Exception {
    return await(commit, env, e -> e.get("state").asText().equals(state), state, within);
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }
}
