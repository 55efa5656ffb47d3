package dev.gantry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI registry (Debian's {@code docker-registry}, distribution 2.8) on a free loopback port
 * with its own storage directory. Fails, never skips, when the binary is missing.
 *
 * <pre>{@code
 * try (var registry = DockerRegistryProcess.start()) {
 *   String host = registry.host(); // 127.0.0.1:PORT, plain http
 * }
 * }</pre>
 */
public final class DockerRegistryProcess implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path workDir;
  private final Path log;

  private DockerRegistryProcess(Process process, int port, Path workDir, Path log) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
    this.log = log;
  }

  /** A registry without authentication. */
  public static DockerRegistryProcess start() {
    return start("");
  }

  /**
   * A registry whose configuration gets {@code extraYaml} appended as top-level keys, e.g. an
   * {@code auth:} section.
   */
  public static DockerRegistryProcess start(String extraYaml) {
    return start(BINARY, extraYaml);
  }

  static DockerRegistryProcess start(Path binary, String extraYaml) {
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(
          "docker-registry not found: install it with 'apt-get install -y docker-registry'");
    }
    try {
      Path workDir = Files.createTempDirectory("gantry-registry-");
      Path storage = Files.createDirectories(workDir.resolve("storage"));
      int port = freePort();
      String config =
          """
          version: 0.1
          log:
            level: info
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
            secret: gantry-test-secret
          """
              .formatted(storage, port)
              + extraYaml;
      Path configFile = Files.writeString(workDir.resolve("config.yml"), config);
      Path log = workDir.resolve("registry.log");
      Process process =
          new ProcessBuilder(binary.toString(), "serve", configFile.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      DockerRegistryProcess registry = new DockerRegistryProcess(process, port, workDir, log);
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      registry.awaitReady();
      return registry;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start docker-registry", e);
    }
  }

  /** {@code 127.0.0.1:PORT}: the registry part of image references; speak plain http to it. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public URI baseUri() {
    return URI.create("http://" + host());
  }

  /** A directory that lives as long as this registry, for auth files and the like. */
  public Path workDir() {
    return workDir;
  }

  public String log() {
    return PeerProcess.readLog(log);
  }

  /** Any answer from {@code /v2/} (200, or 401 when auth is on) means it serves requests. */
  private void awaitReady() {
    PeerProcess.awaitHttp("docker-registry", process, baseUri().resolve("/v2/"), java.util.Set.of(200, 401), STARTUP,
        Duration.ofMillis(50), this::log, this::close);
  }

  @Override
  public void close() {
    PeerProcess.stop(process);
    deleteTree(workDir);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Runs a command and returns its standard output; fails with its output when it exits non-zero. */
  public static String run(List<String> command, Duration timeout) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out;
      try (var in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + timeout);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new AssertionError(command + " exited with " + p.exitValue() + ":\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
