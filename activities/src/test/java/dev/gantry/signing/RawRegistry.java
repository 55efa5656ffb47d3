package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A docker-registry on loopback plus the raw distribution-API writes the hostile tests need
 * (manifests no Gantry code would write), over plain http.
 */
final class RawRegistry implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";

  final DockerRegistryProcess process;
  final RegistrySettings settings;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  RawRegistry() {
    process = DockerRegistryProcess.start();
    settings =
        RegistrySettings.allowing(process.host()).withInsecure(process.host()).withTimeout(Duration.ofSeconds(10));
  }

  String host() {
    return process.host();
  }

  ImageRef ref(String name, String reference) {
    return new ImageRef(host() + "/" + name, reference);
  }

  /** Pushes a fresh image (its content differs per {@code version}) and returns it by digest. */
  ImageRef image(String name, String version) {
    String digest =
        new OciImageWriter().file("app/version", version).label("version", version).push(ref(name, "v1"), settings);
    return ref(name, digest);
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String tagOf(String digest, String suffix) {
    return digest.replace(':', '-') + suffix;
  }

  /** Uploads a blob (monolithic) and returns its digest. */
  String putBlob(String name, byte[] content) {
    String digest = sha256(content);
    HttpResponse<String> start =
        send(HttpRequest.newBuilder(uri("/v2/" + name + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(start.statusCode()).as(start.body()).isEqualTo(202);
    URI location = uri("/").resolve(start.headers().firstValue("Location").orElseThrow());
    String sep = location.getQuery() == null ? "?" : "&";
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(URI.create(location + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    return digest;
  }

  /** Puts a manifest under a tag or digest; returns its digest. */
  String putManifest(String name, String reference, byte[] manifest, String mediaType) {
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(uri("/v2/" + name + "/manifests/" + reference))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    return sha256(manifest);
  }

  byte[] manifest(String name, String reference) {
    HttpResponse<byte[]> get =
        sendBytes(
            HttpRequest.newBuilder(uri("/v2/" + name + "/manifests/" + reference))
                .header("Accept", OCI_MANIFEST + ", " + OCI_INDEX)
                .GET());
    assertThat(get.statusCode()).isEqualTo(200);
    return get.body();
  }

  boolean hasManifest(String name, String reference) {
    return sendBytes(
                HttpRequest.newBuilder(uri("/v2/" + name + "/manifests/" + reference))
                    .header("Accept", OCI_MANIFEST + ", " + OCI_INDEX)
                    .GET())
            .statusCode()
        == 200;
  }

  void deleteManifest(String name, String digest) {
    HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/v2/" + name + "/manifests/" + digest)).DELETE());
    assertThat(delete.statusCode()).as(delete.body()).isEqualTo(202);
  }

  /**
   * Writes a cosign-style {@code .sig} manifest with these layers (each: media type, content,
   * annotations) under {@code sha256-<hex>.sig} of {@code image}.
   */
  String putSigManifest(ImageRef image, List<Layer> layers) {
    String name = image.name();
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OCI_MANIFEST);
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "");
    config.put("os", "");
    ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    ArrayNode ls = manifest.putArray("layers");
    for (Layer l : layers) {
      String digest = putBlob(name, l.content());
      diffIds.add(digest);
      ObjectNode d = ls.addObject();
      d.put("mediaType", l.mediaType());
      d.put("size", l.content().length);
      d.put("digest", digest);
      if (!l.annotations().isEmpty()) {
        ObjectNode a = d.putObject("annotations");
        l.annotations().forEach(a::put);
      }
    }
    byte[] configBytes = bytes(config);
    ObjectNode c = manifest.putObject("config");
    c.put("mediaType", OCI_CONFIG);
    c.put("size", configBytes.length);
    c.put("digest", putBlob(name, configBytes));
    ((ObjectNode) manifest).set("layers", manifest.remove("layers"));
    return putManifest(name, tagOf(image.reference(), ".sig"), bytes(manifest), OCI_MANIFEST);
  }

  record Layer(String mediaType, byte[] content, Map<String, String> annotations) {}

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode bytesToTree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private URI uri(String path) {
    return process.baseUri().resolve(path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    http.close();
    process.close();
  }

  /**
   * A cosign signature referrer holding {@code bundle} (any content), with the tag-schema fallback
   * index listing it, as a registry without the referrers API holds one.
   */
  void putBundleReferrer(ImageRef image, byte[] bundle) {
    String name = image.name();
    String bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json";
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", OCI_MANIFEST);
    m.put("artifactType", bundleType);
    ObjectNode config = m.putObject("config");
    config.put("mediaType", "application/vnd.oci.empty.v1+json");
    config.put("digest", putBlob(name, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    config.put("size", 2);
    ObjectNode layer = m.putArray("layers").addObject();
    layer.put("mediaType", bundleType);
    layer.put("digest", putBlob(name, bundle));
    layer.put("size", bundle.length);
    ObjectNode subject = m.putObject("subject");
    subject.put("mediaType", OCI_MANIFEST);
    subject.put("digest", image.reference());
    subject.put("size", manifest(name, image.reference()).length);
    m.putObject("annotations").put("dev.sigstore.bundle.predicateType", CosignPayloads.SIGN_PREDICATE_TYPE);
    byte[] manifest = bytes(m);
    String digest = putManifest(name, sha256(manifest), manifest, OCI_MANIFEST);
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OCI_INDEX);
    ObjectNode e = index.putArray("manifests").addObject();
    e.put("mediaType", OCI_MANIFEST);
    e.put("digest", digest);
    e.put("size", manifest.length);
    e.put("artifactType", bundleType);
    putManifest(name, tagOf(image.reference(), ""), bytes(index), OCI_INDEX);
  }
}
