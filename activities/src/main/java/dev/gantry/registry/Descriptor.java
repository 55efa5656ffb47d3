package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.Digests;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor as manifests and indexes list them.
 *
 * @param artifactType null when the descriptor names none
 * @param annotations never null, possibly empty
 */
record Descriptor(
    String mediaType, String digest, long size, String artifactType, Map<String, String> annotations) {

  Descriptor {
    annotations = Map.copyOf(annotations == null ? Map.of() : annotations);
  }

  String annotation(String key) {
    return annotations.get(key);
  }

  /**
   * Parses a descriptor; anything but a sha256 digest, a non-negative size and string annotations
   * is refused, naming {@code where} it was found.
   */
  static Descriptor parse(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw RegistryFailures.attachment(where + " is not a descriptor object");
    }
    String digest = node.path("digest").asText("");
    if (!Digests.isDigest(digest)) {
      throw RegistryFailures.attachment(
          where + " has digest '" + shorten(node.path("digest").asText("")) + "': only sha256:<64 lowercase hex> is read");
    }
    JsonNode size = node.path("size");
    if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
      throw RegistryFailures.attachment(where + " (" + digest + ") has no valid size");
    }
    JsonNode mediaType = node.path("mediaType");
    if (!mediaType.isTextual()) {
      throw RegistryFailures.attachment(where + " (" + digest + ") has no mediaType");
    }
    JsonNode artifactType = node.path("artifactType");
    Map<String, String> annotations = annotations(node.path("annotations"), where + " (" + digest + ")");
    return new Descriptor(
        mediaType.asText(), digest, size.asLong(),
        artifactType.isTextual() ? artifactType.asText() : null, annotations);
  }

  /** A manifest's or descriptor's annotations; refused unless a map of strings. */
  static Map<String, String> annotations(JsonNode node, String where) {
    if (node.isMissingNode() || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw RegistryFailures.attachment(where + " has annotations that are not an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var field : node.properties()) {
      if (!field.getValue().isTextual()) {
        throw RegistryFailures.attachment(
            where + " has annotation " + field.getKey() + " whose value is not a string");
      }
      out.put(field.getKey(), field.getValue().asText());
    }
    return out;
  }

  ObjectNode toJson() {
    ObjectNode node = OciJson.MAPPER.createObjectNode();
    node.put("mediaType", mediaType);
    node.put("digest", digest);
    node.put("size", size);
    if (artifactType != null) {
      node.put("artifactType", artifactType);
    }
    if (!annotations.isEmpty()) {
      ObjectNode a = node.putObject("annotations");
      new TreeMap<>(annotations).forEach(a::put);
    }
    return node;
  }

  static Descriptor of(String mediaType, byte[] content) {
    return new Descriptor(mediaType, OciMedia.sha256(content), content.length, null, Map.of());
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
