package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A small in-memory OCI registry on loopback that has the referrers API docker-registry lacks:
 * {@code GET /v2/<name>/referrers/<digest>} answers an index of the stored manifests whose subject
 * is that digest, paged by {@link #pageSize}, and a manifest PUT with a subject answers {@code
 * OCI-Subject}. Blobs can be served through a redirect to {@code /storage/}, as registries on
 * object storage do. Only for the referrers-API branch; everything else is tested against the
 * real docker-registry.
 */
final class ReferrersServer implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, String> tags = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> authorizationAtStorage = new CopyOnWriteArrayList<>();
  volatile int pageSize = 100;
  volatile boolean redirectBlobs;
  /** Rewrites every blob and manifest served by digest: a registry that hands out other bytes. */
  volatile UnaryOperator<byte[]> tamper = b -> b;
  /** When set, every /v2/ request needs this Basic Authorization header value. */
  volatile String requiredAuthorization;
  /** When set, the Link header of the first referrers page, whatever it points at. */
  volatile String forcedNextLink;

  ReferrersServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v2/", this::registry);
    server.createContext("/storage/", this::storage);
    server.start();
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  long count(String method, String pathPart) {
    return requests.stream().filter(r -> r.startsWith(method + " ") && r.contains(pathPart)).count();
  }

  boolean hasTag(String tag) {
    return tags.containsKey(tag);
  }

  private void registry(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    URI uri = ex.getRequestURI();
    requests.add(method + " " + uri);
    byte[] body = ex.getRequestBody().readAllBytes();
    String path = uri.getPath();
    if (requiredAuthorization != null
        && !requiredAuthorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
      send(ex, 401, null, new byte[0], method);
      return;
    }
    if (path.equals("/v2/")) {
      send(ex, 200, null, new byte[0], method);
      return;
    }
    int manifestsAt = path.indexOf("/manifests/");
    int blobsAt = path.indexOf("/blobs/");
    int referrersAt = path.indexOf("/referrers/");
    if (manifestsAt > 0) {
      String ref = path.substring(manifestsAt + "/manifests/".length());
      if (method.equals("PUT")) {
        String digest = OciMedia.sha256(body);
        manifests.put(digest, body);
        if (!ref.startsWith("sha256:")) {
          tags.put(ref, digest);
        }
        ex.getResponseHeaders().add("Docker-Content-Digest", digest);
        if (AttachFixtures.tree(body).has("subject")) {
          ex.getResponseHeaders().add("OCI-Subject", AttachFixtures.tree(body).path("subject").path("digest").asText());
        }
        send(ex, 201, null, new byte[0], method);
        return;
      }
      String digest = ref.startsWith("sha256:") ? ref : tags.get(ref);
      byte[] manifest = digest == null ? null : manifests.get(digest);
      if (manifest == null) {
        send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes(), method);
        return;
      }
      ex.getResponseHeaders().add("Docker-Content-Digest", digest);
      byte[] served = ref.startsWith("sha256:") ? tamper.apply(manifest) : manifest;
      send(ex, 200, OciMedia.mediaTypeOf(AttachFixtures.tree(manifest)), served, method);
    } else if (blobsAt > 0) {
      String rest = path.substring(blobsAt + "/blobs/".length());
      if (rest.startsWith("uploads")) {
        if (method.equals("POST")) {
          ex.getResponseHeaders().add("Location", path.substring(0, blobsAt) + "/blobs/uploads/" + UUID.randomUUID());
          send(ex, 202, null, new byte[0], method);
        } else {
          String query = uri.getRawQuery();
          String digest = URLDecoder.decode(query.substring(query.indexOf("digest=") + 7), StandardCharsets.UTF_8);
          blobs.put(digest, body);
          send(ex, 201, null, new byte[0], method);
        }
        return;
      }
      byte[] blob = blobs.get(rest);
      if (blob == null) {
        send(ex, 404, null, new byte[0], method);
      } else if (redirectBlobs && method.equals("GET")) {
        ex.getResponseHeaders().add("Location", "/storage/" + rest);
        send(ex, 307, null, new byte[0], method);
      } else {
        send(ex, 200, "application/octet-stream", tamper.apply(blob), method);
      }
    } else if (referrersAt > 0) {
      referrers(ex, path.substring(referrersAt + "/referrers/".length()), uri, method);
    } else {
      send(ex, 404, null, new byte[0], method);
    }
  }

  private void referrers(HttpExchange ex, String digest, URI uri, String method) throws IOException {
    List<ObjectNode> all = new ArrayList<>();
    manifests.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> {
          JsonNode m = AttachFixtures.tree(e.getValue());
          if (digest.equals(m.path("subject").path("digest").asText())) {
            ObjectNode d = AttachFixtures.JSON.createObjectNode();
            d.put("mediaType", OciMedia.mediaTypeOf(m));
            d.put("digest", e.getKey());
            d.put("size", e.getValue().length);
            String type = AttachmentRules.artifactType(m);
            if (type != null) {
              d.put("artifactType", type);
            }
            if (m.has("annotations")) {
              d.set("annotations", m.get("annotations"));
            }
            all.add(d);
          }
        });
    String query = uri.getRawQuery();
    int from = query != null && query.startsWith("page=") ? Integer.parseInt(query.substring(5)) : 0;
    int to = Math.min(all.size(), from + pageSize);
    ObjectNode index = AttachFixtures.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciMedia.OCI_INDEX);
    ArrayNode list = index.putArray("manifests");
    all.subList(from, to).forEach(list::add);
    if (forcedNextLink != null && from == 0) {
      ex.getResponseHeaders().add("Link", "<" + forcedNextLink + ">; rel=\"next\"");
    } else if (to < all.size()) {
      ex.getResponseHeaders().add("Link", "<" + uri.getPath() + "?page=" + to + ">; rel=\"next\"");
    }
    send(ex, 200, OciMedia.OCI_INDEX, AttachFixtures.bytes(index), method);
  }

  private void storage(HttpExchange ex) throws IOException {
    requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
    authorizationAtStorage.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    byte[] blob = blobs.get(ex.getRequestURI().getPath().substring("/storage/".length()));
    send(ex, blob == null ? 404 : 200, "application/octet-stream", blob == null ? new byte[0] : blob, ex.getRequestMethod());
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body, String method)
      throws IOException {
    if (type != null) {
      ex.getResponseHeaders().add("Content-Type", type);
    }
    boolean head = method.equals("HEAD");
    ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      ex.getResponseBody().write(body);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
