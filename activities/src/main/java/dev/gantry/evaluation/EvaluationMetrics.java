package dev.gantry.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An evaluation result: {@code {"metrics": {name: number}}}, at most {@value #MAX_METRICS} finite
 * numbers named {@code [A-Za-z0-9_.:-]}{1,100}. Whoever delivers it (the callback, the endpoint's
 * answer, its status location) is held to the same rules. Other top-level fields are ignored.
 */
public final class EvaluationMetrics {
  private EvaluationMetrics() {}

  public static final int MAX_METRICS = 100;
  public static final int MAX_NAME_LENGTH = 100;
  /** Far above 100 metrics with room for an evaluator's own fields; small enough to refuse floods. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_NAME_LENGTH + "}");
  private static final ObjectMapper WRITER = new ObjectMapper();

  /** Parses and validates a result document; {@code what} names its source in the refusal. */
  public static Map<String, Double> parse(byte[] body, String what) {
    JsonNode root;
    try {
      root = Json.read(body, MAX_BODY_BYTES, what);
    } catch (EvidenceException e) {
      throw new InvalidMetricsException(e.getMessage(), e);
    }
    if (!root.isObject()) {
      throw new InvalidMetricsException(what + " must be a JSON object {\"metrics\": {name: number}}, not " + kind(root));
    }
    JsonNode metrics = root.get("metrics");
    if (metrics == null || !metrics.isObject()) {
      throw new InvalidMetricsException(
          what + " has " + (metrics == null ? "no \"metrics\" field" : "\"metrics\" as " + kind(metrics))
              + "; expected {\"metrics\": {name: number}}");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = metrics.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (values.size() == MAX_METRICS) {
        throw tooMany(what, metrics.size());
      }
      checkName(what, e.getKey());
      if (!e.getValue().isNumber()) {
        throw new InvalidMetricsException(what + ": metric " + e.getKey() + " is " + kind(e.getValue()) + ", not a number");
      }
      values.put(e.getKey(), e.getValue().asDouble());
    }
    return validate(values, what);
  }

  /** Reads at most {@link #MAX_BODY_BYTES} (plus one, to tell a longer body apart) and parses it. */
  public static Map<String, Double> parse(InputStream body, String what) {
    return parse(read(body, what), what);
  }

  static byte[] read(InputStream body, String what) {
    try {
      byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new InvalidMetricsException(what + " is larger than the limit of " + MAX_BODY_BYTES + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new InvalidMetricsException(what + " could not be read: " + e.getMessage(), e);
    }
  }

  /**
   * Checks names and values; returns an unmodifiable copy in name order with {@code -0.0} as
   * {@code 0.0} (the two would otherwise make one result unequal to itself after a round trip).
   */
  public static Map<String, Double> validate(Map<String, Double> metrics, String what) {
    if (metrics == null || metrics.isEmpty()) {
      throw new InvalidMetricsException(what + " reports no metrics; expected {\"metrics\": {name: number}} with at least one");
    }
    if (metrics.size() > MAX_METRICS) {
      throw tooMany(what, metrics.size());
    }
    Map<String, Double> checked = new TreeMap<>();
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      checkName(what, e.getKey());
      Double v = e.getValue();
      if (v == null || !Double.isFinite(v)) {
        throw new InvalidMetricsException(what + ": metric " + e.getKey() + " is " + v + "; metrics must be finite numbers");
      }
      checked.put(e.getKey(), v + 0.0);
    }
    return java.util.Collections.unmodifiableMap(checked);
  }

  static String toJson(Map<String, Double> metrics) {
    try {
      return WRITER.writeValueAsString(metrics);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write metrics as JSON", e);
    }
  }

  /** Reads metrics Gantry itself stored (jsonb text). */
  static Map<String, Double> fromJson(String json) {
    try {
      JsonNode node = WRITER.readTree(json);
      Map<String, Double> values = new TreeMap<>();
      node.properties().forEach(e -> values.put(e.getKey(), e.getValue().asDouble() + 0.0));
      return java.util.Collections.unmodifiableMap(values);
    } catch (IOException e) {
      throw new IllegalStateException("stored metrics are not JSON: " + json, e);
    }
  }

  private static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      String shown = name == null ? "null" : name.length() > 40 ? name.substring(0, 40) + "…" : name;
      throw new InvalidMetricsException(
          what + ": metric name '" + shown + "' is not 1 to " + MAX_NAME_LENGTH + " characters of A-Z a-z 0-9 _ . : -");
    }
  }

  private static InvalidMetricsException tooMany(String what, int count) {
    return new InvalidMetricsException(what + " reports " + count + " metrics; the limit is " + MAX_METRICS);
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NUMBER -> "a number";
      default -> node.getNodeType().name().toLowerCase();
    };
  }
}
