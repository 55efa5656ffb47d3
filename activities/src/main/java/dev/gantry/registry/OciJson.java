package dev.gantry.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Strict JSON for what registries hand out: duplicate keys refused (two {@code subject}s could be
 * read differently by two tools), nesting bounded, exactly one document.
 */
final class OciJson {
  // manifests and envelopes are shallow; deeper nesting is an attack on the parser
  static final int MAX_DEPTH = 128;

  static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_DEPTH)
                          // the byte limits on manifests and blobs bound strings already
                          .maxStringLength(Integer.MAX_VALUE)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(SerializationFeature.INDENT_OUTPUT);

  private OciJson() {}

  /** The parsed document, or an AttachmentRejected failure saying why {@code what} is not JSON. */
  static JsonNode tree(byte[] json, String what) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw RegistryFailures.attachment(what + " is empty, not JSON");
      }
      return node;
    } catch (IOException e) {
      throw RegistryFailures.attachment(what + " is not valid JSON: " + firstLine(e));
    }
  }

  /** The top level of a JSON document: its string fields and the names of its object fields. */
  record Top(Map<String, String> strings, Set<String> objects) {}

  /**
   * Checks that a possibly large document is one well-formed JSON value without building it in
   * memory, and returns its top level (empty when the value is not an object).
   */
  static Top scan(byte[] json, String what) {
    Map<String, String> strings = new LinkedHashMap<>();
    Set<String> objects = new LinkedHashSet<>();
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw RegistryFailures.attachment(what + " is empty, not JSON");
      }
      if (first == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          if (value == JsonToken.VALUE_STRING) {
            strings.put(name, p.getText());
          } else {
            if (value == JsonToken.START_OBJECT) {
              objects.add(name);
            }
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
      if (p.nextToken() != null) {
        throw RegistryFailures.attachment(what + " has content after its JSON value");
      }
      return new Top(strings, objects);
    } catch (IOException e) {
      throw RegistryFailures.attachment(what + " is not valid JSON: " + firstLine(e));
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(IOException e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
