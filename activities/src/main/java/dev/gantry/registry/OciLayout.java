package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** An OCI image layout directory: {@code oci-layout}, {@code index.json}, {@code blobs/sha256/}. */
final class OciLayout {
  static final String LAYOUT_FILE = "oci-layout";
  static final String INDEX_FILE = "index.json";
  static final String LAYOUT_VERSION = "1.0.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ObjectNode index;

  private OciLayout(Path dir, ObjectNode index) {
    this.dir = dir;
    this.index = index;
  }

  /** Reads an existing layout; a missing or malformed one is a non-retryable failure. */
  static OciLayout open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw RegistryFailures.layout("OCI image layout directory " + dir + " does not exist");
    }
    JsonNode marker = readJson(dir.resolve(LAYOUT_FILE), "OCI image layout " + dir);
    if (!marker.path("imageLayoutVersion").isTextual()) {
      throw RegistryFailures.layout(
          dir.resolve(LAYOUT_FILE) + " has no imageLayoutVersion: not an OCI image layout");
    }
    JsonNode index = readJson(dir.resolve(INDEX_FILE), "OCI image layout " + dir);
    if (!index.isObject()
        || index.path("schemaVersion").asInt() != 2
        || !index.path("manifests").isArray()) {
      throw RegistryFailures.layout(
          dir.resolve(INDEX_FILE) + " is not an OCI image index (schemaVersion 2 with manifests)");
    }
    return new OciLayout(dir, (ObjectNode) index);
  }

  /** Opens the layout, creating an empty one when the directory holds none yet. */
  static OciLayout openOrCreate(Path dir) {
    try {
      Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
      if (!Files.exists(dir.resolve(LAYOUT_FILE))) {
        writeAtomically(
            dir.resolve(LAYOUT_FILE),
            ("{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8));
      }
      if (!Files.exists(dir.resolve(INDEX_FILE))) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OciMedia.OCI_INDEX);
        index.putArray("manifests");
        writeAtomically(dir.resolve(INDEX_FILE), JSON.writeValueAsBytes(index));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create OCI image layout in " + dir, e);
    }
    return open(dir);
  }

  Path dir() {
    return dir;
  }

  /** The distinct manifest digests the tag names in {@code index.json}. */
  List<String> digestsTagged(String tag) {
    List<String> digests = new ArrayList<>();
    for (JsonNode entry : index.path("manifests")) {
      if (tag.equals(entry.path("annotations").path(OciMedia.REF_NAME).asText(null))) {
        String digest = entry.path("digest").asText("");
        if (!Digests.isDigest(digest)) {
          throw RegistryFailures.layout(
              dir.resolve(INDEX_FILE) + " names tag " + tag + " with an invalid digest '"
                  + digest + "'");
        }
        if (!digests.contains(digest)) {
          digests.add(digest);
        }
      }
    }
    return digests;
  }

  /** The descriptors {@code index.json} lists, tagged or not. */
  List<JsonNode> entries() {
    List<JsonNode> entries = new ArrayList<>();
    index.path("manifests").forEach(entries::add);
    return entries;
  }

  /**
   * Lists an untagged manifest (a referrer) in {@code index.json}, once: an entry without a tag
   * and with the same digest already lists it.
   */
  void add(ObjectNode descriptor) {
    String digest = descriptor.path("digest").asText();
    for (JsonNode entry : index.path("manifests")) {
      if (digest.equals(entry.path("digest").asText())
          && entry.path("annotations").path(OciMedia.REF_NAME).isMissingNode()) {
        return;
      }
    }
    ((ArrayNode) index.path("manifests")).add(descriptor);
    try {
      writeAtomically(dir.resolve(INDEX_FILE), JSON.writeValueAsBytes(index));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(INDEX_FILE), e);
    }
  }

  Path blob(String digest) {
    return dir.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
  }

  /**
   * The manifest or index stored under {@code digest}, or null when no such blob exists or it is
   * not a manifest. A blob whose content does not hash to its name is a corrupt layout.
   */
  byte[] manifest(String digest) {
    Path blob = blob(digest);
    try {
      if (!Files.isRegularFile(blob) || Files.size(blob) > OciMedia.MAX_MANIFEST_BYTES) {
        return null;
      }
      byte[] content = Files.readAllBytes(blob);
      if (!OciMedia.sha256(content).equals(digest)) {
        throw RegistryFailures.layout("blob " + blob + " does not match its digest: corrupt layout");
      }
      JsonNode json;
      try {
        json = JSON.readTree(content);
      } catch (IOException notJson) {
        return null;
      }
      return OciMedia.isManifest(json) ? content : null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw RegistryFailures.layout("cannot read blob " + blob + ": " + e);
    }
  }

  void writeBlob(byte[] content) {
    Path blob = blob(OciMedia.sha256(content));
    try {
      // content-addressed: an existing blob already holds these bytes
      if (!Files.exists(blob)) {
        writeAtomically(blob, content);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write blob " + blob, e);
    }
  }

  /** Points {@code tag} at a manifest: replaces that tag's entries, keeps every other entry. */
  void tag(String tag, String mediaType, String digest, long size) {
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode entry : index.path("manifests")) {
      if (!tag.equals(entry.path("annotations").path(OciMedia.REF_NAME).asText(null))) {
        kept.add(entry);
      }
    }
    ObjectNode entry = kept.addObject();
    entry.put("mediaType", mediaType);
    entry.put("digest", digest);
    entry.put("size", size);
    entry.putObject("annotations").put(OciMedia.REF_NAME, tag);
    index.set("manifests", kept);
    try {
      writeAtomically(dir.resolve(INDEX_FILE), JSON.writeValueAsBytes(index));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(INDEX_FILE), e);
    }
  }

  private static JsonNode readJson(Path file, String what) {
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw RegistryFailures.layout(what + " has no " + file.getFileName() + ": not an OCI image layout");
    } catch (IOException e) {
      throw RegistryFailures.layout("cannot read " + file + ": " + e.getMessage());
    }
  }

  // readers never see a half-written index.json
  private static void writeAtomically(Path target, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
