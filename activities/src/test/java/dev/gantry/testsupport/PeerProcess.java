package dev.gantry.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/** Waiting for a peer process the tests started to answer over HTTP. */
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
}
