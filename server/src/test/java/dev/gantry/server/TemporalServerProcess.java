package dev.gantry.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real Temporal server (1.32.1, SQLite file) started through {@code deploy/temporal/run.sh}, as
 * a user starts it. The binary comes from {@code deploy/temporal/install.sh}; without it the
 * test fails and says so, it does not skip.
 */
final class TemporalServerProcess implements AutoCloseable {
  static final String VERSION = "1.32.1";
  // run.sh derives the other ports from the frontend's; all must be free
  private static final List<Integer> PORT_OFFSETS = List.of(0, 1, 2, 6, 10, -300, -299, -298, -294);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Path dataDir;
  final Path log;
  final int port;
  private Process process;
  private final java.util.Map<String, String> env = new java.util.HashMap<>();

  TemporalServerProcess(Path dataDir, Path log) throws IOException {
    this.dataDir = dataDir;
    this.log = log;
    this.port = freePortBlock();
  }

  static Path binary() {
    String given = System.getProperty("gantry.temporal.server", System.getenv("TEMPORAL_SERVER"));
    return given != null
        ? Path.of(given)
        : Path.of(System.getProperty("user.home"), ".cache", "gantry", "temporal-server-" + VERSION, "server");
  }

  static Path runScript() {
    return Path.of(System.getProperty("gantry.temporal.run", "../deploy/temporal/run.sh")).toAbsolutePath().normalize();
  }

  /** An environment variable for deploy/temporal/run.sh, e.g. {@code TEMPORAL_SQLITE_SYNCHRONOUS}. */
  TemporalServerProcess withEnv(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Serves the frontend with mTLS from the files in {@code dir} (see deploy/temporal/run.sh). */
  TemporalServerProcess withTls(Path dir, String serverName) {
    env.put("TEMPORAL_TLS_DIR", dir.toString());
    env.put("TEMPORAL_TLS_SERVER_NAME", serverName);
    return this;
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  /** Starts the server and returns once its frontend answers; the elapsed time is the caller's figure. */
  TemporalServerProcess start() throws Exception {
    Path bin = binary();
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException(
          "no Temporal server binary at " + bin + ": run deploy/temporal/install.sh (go install of server v" + VERSION
              + ", 4-11 minutes; .ci/run does it) or point -Dgantry.temporal.server / TEMPORAL_SERVER at one");
    }
    ProcessBuilder pb = new ProcessBuilder("bash", runScript().toString(), dataDir.toString(), Integer.toString(port))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("TEMPORAL_SERVER", bin.toString());
    pb.environment().putAll(env);
    process = pb.start(); // run.sh execs the server: this pid is the server's
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("temporal server exited with " + process.exitValue() + " during start; see " + log);
      }
      if (answers()) {
        return this;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("temporal server did not answer on " + target() + " within 60 s; see " + log);
  }

  private boolean answers() throws InterruptedException {
    if (env.containsKey("TEMPORAL_TLS_DIR")) {
      // the HTTP API speaks TLS too: a listening frontend is the sign here, clients wait for the rest
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException notYet) {
        return false;
      }
    }
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (port + 10) + "/api/v1/system-info"))
          .timeout(Duration.ofSeconds(2)).build();
      return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** SIGKILL: no shutdown hooks, no flush beyond what SQLite already committed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("temporal server did not die within 30 s of SIGKILL");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static int freePortBlock() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 60_000);
      if (PORT_OFFSETS.stream().allMatch(o -> free(p + o))) {
        return p;
      }
    }
    throw new IOException("no block of free ports for a Temporal server found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
