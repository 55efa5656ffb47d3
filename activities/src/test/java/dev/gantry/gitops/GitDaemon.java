package dev.gantry.gitops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The system's {@code git daemon} serving a directory of bare repositories on loopback. Pushes go
 * through the real {@code git receive-pack}, so server-side hooks run: JGit's in-process local
 * transport does not run them.
 */
final class GitDaemon implements AutoCloseable {
  private final Process process;
  private final int port;

  private GitDaemon(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static GitDaemon serve(Path baseDir) throws IOException, InterruptedException {
    try {
      Process probe = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
      if (probe.waitFor() != 0) {
        throw new IllegalStateException("`git --version` failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "these tests need the system git (for `git daemon`); install git (.ci/run does)", e);
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile("git-daemon", ".log");
    Process process =
        new ProcessBuilder(
                List.of(
                    "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + port,
                    "--base-path=" + baseDir, "--export-all", "--enable=receive-pack",
                    "--informative-errors", baseDir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("git daemon exited: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new GitDaemon(process, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("git daemon did not listen on " + port + ": " + Files.readString(log));
  }

  String url(String repository) {
    return "git://127.0.0.1:" + port + "/" + repository;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
