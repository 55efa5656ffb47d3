package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a small, real, single-layer OCI image and writes it into an OCI image layout or pushes it
 * to a distribution registry. Deterministic: the same files and labels always give the same
 * manifest digest (fixed mtimes, owners and modes, sorted entries, no timestamps in gzip).
 *
 * <pre>{@code
 * String digest = new OciImageWriter().file("app/version", "1.2.3").label("version", "1.2.3")
 *     .push(new ImageRef("127.0.0.1:5000/app", "v1"), settings);
 * }</pre>
 */
public final class OciImageWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  // a fixed, valid instant: image tools show it, and it must not vary between builds
  private static final String CREATED = "1970-01-01T00:00:00Z";

  private final SortedMap<String, byte[]> files = new TreeMap<>();
  private final SortedMap<String, String> labels = new TreeMap<>();

  /** The blobs of a built image and their digests. */
  public record Image(
      byte[] layer, String layerDigest, String diffId, byte[] config, String configDigest,
      byte[] manifest, String digest) {}

  /** Adds a regular file (mode 0644, owner 0:0) at a relative path such as {@code app/version}. */
  public OciImageWriter file(String path, byte[] content) {
    Objects.requireNonNull(content, "content");
    String p = Objects.requireNonNull(path, "path");
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    if (p.isEmpty() || p.endsWith("/") || p.contains("//") || Set.of(p.split("/")).contains("..")
        || p.getBytes(StandardCharsets.UTF_8).length > 100) {
      throw new IllegalArgumentException("unsupported file path in image: '" + path + "'");
    }
    files.put(p, content.clone());
    return this;
  }

  public OciImageWriter file(String path, String content) {
    return file(path, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds a label to the image config ({@code config.Labels}). */
  public OciImageWriter label(String key, String value) {
    labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Builds the layer, config and manifest. */
  public Image build() {
    byte[] tar = tar();
    byte[] layer = gzip(tar);
    String diffId = OciMedia.sha256(tar);
    String layerDigest = OciMedia.sha256(layer);

    ObjectNode config = JSON.createObjectNode();
    config.put("created", CREATED);
    config.put("architecture", "amd64");
    config.put("os", "linux");
    ObjectNode runtime = config.putObject("config");
    if (!labels.isEmpty()) {
      ObjectNode l = runtime.putObject("Labels");
      labels.forEach(l::put);
    }
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(diffId);
    ObjectNode history = config.putArray("history").addObject();
    history.put("created", CREATED);
    history.put("created_by", "gantry OciImageWriter");
    byte[] configBytes = bytes(config);
    String configDigest = OciMedia.sha256(configBytes);

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciMedia.OCI_MANIFEST);
    descriptor(manifest.putObject("config"), OciMedia.OCI_CONFIG, configDigest, configBytes.length);
    descriptor(manifest.putArray("layers").addObject(), OciMedia.OCI_LAYER_GZIP, layerDigest, layer.length);
    byte[] manifestBytes = bytes(manifest);
    return new Image(
        layer, layerDigest, diffId, configBytes, configDigest, manifestBytes,
        OciMedia.sha256(manifestBytes));
  }

  /** The manifest digest this image will have. */
  public String digest() {
    return build().digest();
  }

  /** Writes the image to {@code target}: an {@code oci:/dir} layout or a registry repository. */
  public String writeTo(ImageRef target, RegistrySettings settings) {
    return target.layout()
        ? writeLayout(layoutDir(target), target.reference())
        : push(target, settings);
  }

  /**
   * Writes the image into the OCI layout at {@code dir} (created if needed) under {@code tag};
   * other tags stay, an earlier entry of the same tag is replaced.
   *
   * @return the manifest digest
   */
  public String writeLayout(Path dir, String tag) {
    requireTag(tag);
    Image image = build();
    OciLayout layout = OciLayout.openOrCreate(dir.toAbsolutePath().normalize());
    layout.writeBlob(image.layer());
    layout.writeBlob(image.config());
    layout.writeBlob(image.manifest());
    layout.tag(tag, OciMedia.OCI_MANIFEST, image.digest(), image.manifest().length);
    return image.digest();
  }

  /**
   * Pushes the image to a distribution registry: blobs the registry lacks (monolithic upload),
   * then the manifest under {@code target.reference()}, a tag. Not subject to the allow-list.
   *
   * @return the manifest digest
   */
  public String push(ImageRef target, RegistrySettings settings) {
    requireTag(target.reference());
    References.validate(target);
    Image image = build();
    try (RegistryHttp http = new RegistryHttp(settings)) {
      Pusher pusher = new Pusher(http, target);
      pusher.blob(image.layer(), image.layerDigest());
      pusher.blob(image.config(), image.configDigest());
      pusher.manifest(target.reference(), image.manifest(), OciMedia.OCI_MANIFEST);
    }
    return image.digest();
  }

  /**
   * Points a tag at a manifest already in the same repository or layout (for instance to move a
   * tag back to an older image).
   */
  public static void tag(ImageRef target, String digest, RegistrySettings settings) {
    requireTag(target.reference());
    if (!Digests.isDigest(digest)) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    References.validate(target);
    if (target.layout()) {
      OciLayout layout = OciLayout.open(layoutDir(target));
      byte[] manifest = layout.manifest(digest);
      if (manifest == null) {
        throw RegistryFailures.notFound("manifest " + digest + " in " + target.repository(), true);
      }
      layout.tag(target.reference(), OciMedia.mediaTypeOf(readTree(manifest)), digest, manifest.length);
      return;
    }
    try (RegistryHttp http = new RegistryHttp(settings)) {
      Pusher pusher = new Pusher(http, target);
      HttpResponse<byte[]> get =
          pusher.send(
              () ->
                  HttpRequest.newBuilder(pusher.url("/manifests/" + digest))
                      .GET()
                      .header("Accept", OciMedia.ACCEPT));
      if (get.statusCode() == 404) {
        throw RegistryFailures.notFound("manifest " + digest + " in " + target.repository(), true);
      }
      pusher.expect(get, 200);
      String mediaType =
          get.headers()
              .firstValue("Content-Type")
              .orElseGet(() -> OciMedia.mediaTypeOf(readTree(get.body())));
      pusher.manifest(target.reference(), get.body(), mediaType);
    }
  }

  private static Path layoutDir(ImageRef target) {
    return RegistrySettings.layoutDir(target.repository())
        .orElseThrow(() -> new IllegalArgumentException(
            "image layout reference must name an absolute directory: " + target.repository()));
  }

  private static void requireTag(String tag) {
    if (!Digests.isTag(tag)) {
      throw new IllegalArgumentException("not a tag: " + tag);
    }
  }

  private static void descriptor(ObjectNode node, String mediaType, String digest, long size) {
    node.put("mediaType", mediaType);
    node.put("digest", digest);
    node.put("size", size);
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readTree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("manifest is not JSON", e);
    }
  }

  // ustar with parent directories first; every header field fixed except name, size and type
  private byte[] tar() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Set<String> dirs = new LinkedHashSet<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String path = f.getKey();
      for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
        String dir = path.substring(0, i + 1);
        if (dirs.add(dir)) {
          tarHeader(out, dir, 0, '5', 0755);
        }
      }
      tarHeader(out, path, f.getValue().length, '0', 0644);
      out.writeBytes(f.getValue());
      out.writeBytes(new byte[(512 - f.getValue().length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void tarHeader(ByteArrayOutputStream out, String name, long size, char type, int mode) {
    byte[] h = new byte[512];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0); // uid
    octal(h, 116, 8, 0); // gid
    octal(h, 124, 12, size);
    octal(h, 136, 12, 0); // mtime
    h[156] = (byte) type;
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    put(h, 265, 32, "root".getBytes(StandardCharsets.US_ASCII));
    put(h, 297, 32, "root".getBytes(StandardCharsets.US_ASCII));
    // the checksum is computed with its own field read as spaces
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    h[155] = ' ';
    out.writeBytes(h);
  }

  private static void put(byte[] h, int offset, int length, byte[] value) {
    if (value.length > length) {
      throw new IllegalArgumentException("tar field too long");
    }
    System.arraycopy(value, 0, h, offset, value.length);
  }

  // zero-padded octal followed by NUL, as ustar expects
  private static void octal(byte[] h, int offset, int length, long value) {
    String s = Long.toOctalString(value);
    if (s.length() > length - 1) {
      throw new IllegalArgumentException("tar field overflow: " + value);
    }
    s = "0".repeat(length - 1 - s.length()) + s;
    put(h, offset, length, (s + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // java.util.zip writes mtime 0 and no file name: the output depends on the data only
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The upload half of the distribution API, for one repository. */
  static final class Pusher {
    private final RegistryHttp http;
    private final ImageRef target;
    private final String scope;

    Pusher(RegistryHttp http, ImageRef target) {
      this.http = http;
      this.target = target;
      this.scope = "repository:" + target.name() + ":pull,push";
    }

    URI url(String suffix) {
      return http.url(target.registry(), "/v2/" + target.name() + suffix);
    }

    HttpResponse<byte[]> send(Supplier<HttpRequest.Builder> request) {
      return http.send(target.registry(), scope, request);
    }

    void blob(byte[] content, String digest) {
      HttpResponse<byte[]> head = send(() -> HttpRequest.newBuilder(url("/blobs/" + digest))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()));
      if (head.statusCode() == 200) {
        return;
      }
      HttpResponse<byte[]> start = send(() -> HttpRequest.newBuilder(url("/blobs/uploads/"))
          .POST(HttpRequest.BodyPublishers.noBody()));
      expect(start, 202);
      String location = start.headers().firstValue("Location").orElseThrow(
          () -> RegistryFailures.rejected("blob upload to " + target.repository() + " returned no Location"));
      URI upload = start.request().uri().resolve(location);
      String sep = upload.getRawQuery() == null ? "?" : "&";
      URI put = URI.create(upload + sep + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
      HttpResponse<byte[]> done = send(() -> HttpRequest.newBuilder(put)
          .header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
      expect(done, 201);
    }

    /** Puts a manifest under a tag or its digest; returns the registry's 201 response. */
    HttpResponse<byte[]> manifest(String reference, byte[] manifest, String mediaType) {
      HttpResponse<byte[]> put = send(() -> HttpRequest.newBuilder(url("/manifests/" + reference))
          .header("Content-Type", mediaType)
          .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
      expect(put, 201);
      return put;
    }

    void expect(HttpResponse<byte[]> response, int status) {
      if (response.statusCode() != status) {
        throw RegistryFailures.rejected("registry answered " + response.statusCode() + " to "
            + RegistryHttp.describe(response) + RegistryHttp.errorText(response.body()));
      }
    }
  }
}
