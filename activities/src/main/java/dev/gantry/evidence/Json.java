package dev.gantry.evidence;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.gantry.model.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * Reads untrusted evidence JSON with hard limits, so no document can exhaust memory or the stack:
 * bounded size, nesting depth and string length, duplicate keys refused (two parsers would
 * disagree on which value counts).
 */
public final class Json {
  private Json() {}

  /** Deeper than any real SBOM or report; deep enough to refuse nesting bombs early. */
  public static final int MAX_DEPTH = 128;
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  private static final ObjectMapper STRICT =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_DEPTH)
                          .maxStringLength(32 * 1024 * 1024)
                          .maxNumberLength(100)
                          .maxDocumentLength(DEFAULT_MAX_BYTES)
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** For writing Gantry's own documents (dates as ISO-8601 strings). */
  public static final ObjectMapper WRITER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  public static ObjectMapper strict() {
    return STRICT;
  }

  /** Parses a JSON document of at most {@code maxBytes}; {@code what} names it in the refusal. */
  public static JsonNode read(byte[] content, long maxBytes, String what) {
    if (content == null || content.length == 0) {
      throw new EvidenceException(what + " is empty");
    }
    if (content.length > maxBytes) {
      throw new EvidenceException(what + " is " + content.length + " bytes; the limit is " + maxBytes);
    }
    try (JsonParser p = STRICT.createParser(content)) {
      JsonNode node = STRICT.readTree(p);
      if (node == null || node.isMissingNode()) {
        throw new EvidenceException(what + " is empty");
      }
      return node;
    } catch (IOException e) {
      throw new EvidenceException(what + " is not valid JSON: " + firstLine(e.getMessage()), e);
    }
  }

  public static JsonNode read(byte[] content, String what) {
    return read(content, DEFAULT_MAX_BYTES, what);
  }

  /** RFC 8785 canonical form. */
  public static byte[] canonical(JsonNode node) {
    return canonical(node.toString());
  }

  public static byte[] canonical(Object value) {
    try {
      return canonical(WRITER.writeValueAsString(value));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  private static byte[] canonical(String json) {
    try {
      return new JsonCanonicalizer(json).getEncodedString().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new EvidenceException("cannot canonicalise JSON: " + firstLine(e.getMessage()), e);
    }
  }

  /** {@code sha256:<hex>} of the canonical form: an evidence record's identity. */
  public static String contentId(JsonNode node) {
    return "sha256:" + ObjectStore.sha256(canonical(node));
  }

  /** Text of a field, or null when absent, null or not a string. */
  public static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
