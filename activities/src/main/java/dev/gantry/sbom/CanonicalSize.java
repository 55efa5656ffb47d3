package dev.gantry.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * The byte length of a JSON tree's RFC 8785 canonical form ({@code Json.canonical(node).length}),
 * counted without writing it and abandoned as soon as it passes a limit: a 100 MB SBOM is refused
 * after reading about as much of it as the limit allows, and without a second copy in memory.
 */
final class CanonicalSize {
  private CanonicalSize() {}

  /** The exact size, or some size above {@code limit} once the count passes it. */
  static long of(JsonNode root, long limit) {
    long size = 0;
    Deque<JsonNode> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      JsonNode n = stack.pop();
      switch (n.getNodeType()) {
        case OBJECT -> {
          size += 2 + Math.max(0, n.size() - 1); // braces and commas
          for (Map.Entry<String, JsonNode> e : n.properties()) {
            size += string(e.getKey()) + 1; // name and colon
            stack.push(e.getValue());
          }
        }
        case ARRAY -> {
          size += 2 + Math.max(0, n.size() - 1);
          n.forEach(stack::push);
        }
        case STRING -> size += string(n.textValue());
        case NUMBER -> size += number(n.doubleValue()); // RFC 8785 reads every number as a double
        case BOOLEAN -> size += n.booleanValue() ? 4 : 5;
        case NULL -> size += 4;
        default -> throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
      }
      if (size > limit) {
        return size;
      }
    }
    return size;
  }

  /** Quoted and escaped as ECMAScript JSON.stringify does, in UTF-8 bytes. */
  private static long string(String s) {
    long n = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
        n += 2;
      } else if (c < 0x20) {
        n += 6; // backslash, u and four hex digits
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1; // a lone surrogate is encoded as '?'
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static long number(double d) {
    try {
      return NumberToJSON.serializeNumber(d).length();
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON number: " + d, e);
    }
  }
}
