package dev.gantry.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A peer process the tests started: waiting for it to answer over HTTP, reading its log, stopping it. */
final class PeerProcess {
  private PeerProcess() {}

  /**
   * Polls {@code probe} until it answers one of {@code ready}; stops the peer ({@code close}) and
   * fails with its log when it exits, is interrupted or does not answer within {@code startup}.
   */
  static void awaitHttp(String name, Process process, URI probe, Set<Integer> ready, Duration startup, Duration pause,
      Supplier<String> log, Runnable close) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + startup.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new AssertionError(name + " exited with " + process.exitValue() + " before serving:\n" + log.get());
        }
        try {
          HttpResponse<Void> r = client.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
          if (ready.contains(r.statusCode())) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(pause.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close.run();
      throw new AssertionError("interrupted while waiting for " + name, e);
    }
    close.run();
    throw new AssertionError(name + " did not answer on " + probe + " within " + startup + ":\n" + log.get());
  }

  /** The peer's log file, or why there is none (for failure messages). */
  static String readLog(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
