package dev.gantry.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry on a fixed loopback port with its storage in a directory, so it can be
 * stopped (an outage) and started again with everything it held.
 */
final class LocalRegistry implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/docker-registry");
  private final Path dir;
  private final int port;
  private Process process;

  LocalRegistry(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
  }

  String host() {
    return "127.0.0.1:" + port;
  }

  LocalRegistry start() throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException("docker-registry not found: apt-get install -y docker-registry");
    }
    Path config = Files.writeString(dir.resolve("registry.yml"), """
        version: 0.1
        log:
          level: error
        storage:
          filesystem:
            rootdirectory: %s
        http:
          addr: 127.0.0.1:%d
          secret: gantry-test
        """.formatted(Files.createDirectories(dir.resolve("storage")), port));
    process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile())).start();
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited with " + process.exitValue() + "; see " + dir.resolve("registry.log"));
      }
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    close();
    throw new IllegalStateException("docker-registry did not answer on " + host() + " within 30 s; see " + dir.resolve("registry.log"));
  }

  /** SIGKILL: the registry is gone until {@link #start()}; its storage stays. */
  void stop() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
