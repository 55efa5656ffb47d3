package dev.gantry.server;

import com.sun.net.httpserver.HttpServer;
import dev.gantry.gitops.YamlDigestEditor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A cluster stand-in for Gantry run without the demo: on {@code /health/<service>} it answers
 * {@code {"digest": …, "healthy": true}} with the digest the service's values file pins on the
 * bare GitOps repository's main branch now, as a synced, ready deployment would.
 */
final class PinnedHealth implements AutoCloseable {
  private final Repository repo;
  private final List<String> services;
  private final Function<String, String> valuesFile;
  private final HttpServer server;
  private ObjectId tip;
  private Map<String, String> pins = Map.of();

  /** @param valuesFile the values file of a service, relative to the repository root */
  PinnedHealth(Path bare, List<String> services, Function<String, String> valuesFile) throws IOException {
    this.repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    this.services = List.copyOf(services);
    this.valuesFile = valuesFile;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/health/", ex -> {
      String service = ex.getRequestURI().getPath().substring("/health/".length());
      String body;
      int status;
      try {
        String digest = pinned().get(service);
        status = digest == null ? 404 : 200;
        body = digest == null ? "{\"error\":\"no such service\"}" : "{\"digest\":\"" + digest + "\",\"healthy\":true}";
      } catch (Exception e) {
        status = 500;
        body = "{\"error\":\"" + e.getClass().getSimpleName() + "\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  String url(String service) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/health/" + service;
  }

  /** What main pins per service now (re-read only when main moved). */
  synchronized Map<String, String> pinned() throws IOException {
    Ref main = repo.exactRef("refs/heads/main");
    if (main == null) {
      throw new IOException("the GitOps repository has no main");
    }
    if (!main.getObjectId().equals(tip)) {
      Map<String, String> now = new HashMap<>();
      try (RevWalk walk = new RevWalk(repo)) {
        RevCommit head = walk.parseCommit(main.getObjectId());
        for (String s : services) {
          try (TreeWalk tree = TreeWalk.forPath(repo, valuesFile.apply(s), head.getTree())) {
            if (tree != null) {
              now.put(s, YamlDigestEditor.read(new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8), "image.digest"));
            }
          }
        }
      }
      pins = Map.copyOf(now);
      tip = main.getObjectId();
    }
    return pins;
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
    repo.close();
  }
}
