package dev.gantry.scan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A package URL taken apart just enough to compare two of them: percent-decoded, type lower-cased,
 * qualifiers sorted. Scanners and VEX authors spell the same package differently ({@code
 * ?distro=3.18&arch=x86_64} vs {@code ?arch=x86_64&distro=3.18}, {@code +} vs {@code %2B}).
 */
record Purl(String type, String namespace, String name, String version, SortedMap<String, String> qualifiers, String subpath) {

  /** The parts, or null when the text is not a package URL. */
  static Purl parse(String text) {
    if (text == null) {
      return null;
    }
    String s = text.trim();
    if (s.length() < 5 || !s.regionMatches(true, 0, "pkg:", 0, 4)) {
      return null;
    }
    s = s.substring(4);
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    String subpath = null;
    int hash = s.indexOf('#');
    if (hash >= 0) {
      subpath = trimSlashes(decode(s.substring(hash + 1)));
      s = s.substring(0, hash);
    }
    SortedMap<String, String> qualifiers = new TreeMap<>();
    int q = s.indexOf('?');
    if (q >= 0) {
      for (String pair : s.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && eq < pair.length() - 1) {
          qualifiers.put(pair.substring(0, eq).toLowerCase(Locale.ROOT), decode(pair.substring(eq + 1)));
        }
      }
      s = s.substring(0, q);
    }
    int slash = s.indexOf('/');
    if (slash <= 0) {
      return null;
    }
    String type = s.substring(0, slash).toLowerCase(Locale.ROOT);
    String path = trimSlashes(s.substring(slash + 1));
    String version = null;
    int at = path.lastIndexOf('@');
    if (at > path.lastIndexOf('/')) { // an npm scope (@angular/core) is not a version
      version = decode(path.substring(at + 1));
      path = path.substring(0, at);
    }
    int last = path.lastIndexOf('/');
    String name = decode(path.substring(last + 1));
    String namespace = last < 0 ? null : decode(path.substring(0, last));
    if (name.isEmpty()) {
      return null;
    }
    // the purl spec's per-type rules for the types scanners report with mixed case
    switch (type) {
      case "pypi" -> name = name.toLowerCase(Locale.ROOT).replace('_', '-');
      case "github", "bitbucket" -> {
        name = name.toLowerCase(Locale.ROOT);
        namespace = namespace == null ? null : namespace.toLowerCase(Locale.ROOT);
      }
      case "oci" -> version = version == null ? null : version.toLowerCase(Locale.ROOT);
      default -> {}
    }
    return new Purl(
        type, namespace, name, emptyToNull(version), Collections.unmodifiableSortedMap(qualifiers), emptyToNull(subpath));
  }

  /** A form where two spellings of the same package URL are equal; the raw text when it does not parse. */
  static String key(String text) {
    Purl p = parse(text);
    return p == null ? (text == null ? null : text.trim()) : p.key();
  }

  String key() {
    StringBuilder b = new StringBuilder(type).append('/');
    if (namespace != null) {
      b.append(namespace).append('/');
    }
    b.append(name);
    if (version != null) {
      b.append('@').append(version);
    }
    if (!qualifiers.isEmpty()) {
      b.append('?');
      qualifiers.forEach((k, v) -> b.append(k).append('=').append(v).append('&'));
      b.setLength(b.length() - 1);
    }
    if (subpath != null) {
      b.append('#').append(subpath);
    }
    return b.toString();
  }

  /**
   * Whether this (a VEX product, the more general) covers {@code specific} (a scanned package), as
   * OpenVEX tools match: no version covers every version, and every qualifier given here must hold
   * there; qualifiers left out are unconstrained.
   */
  boolean covers(Purl specific) {
    if (specific == null
        || !type.equals(specific.type)
        || !Objects.equals(namespace, specific.namespace)
        || !name.equals(specific.name)) {
      return false;
    }
    if (version != null && !version.equals(specific.version)) {
      return false;
    }
    for (Map.Entry<String, String> q : qualifiers.entrySet()) {
      if (!q.getValue().equals(specific.qualifiers.get(q.getKey()))) {
        return false;
      }
    }
    return subpath == null || subpath.equals(specific.subpath);
  }

  /** For an {@code oci} package URL, the image digest its version names; else null. */
  String imageDigest() {
    return "oci".equals(type) && version != null && ScanReports.isDigest(version) ? version : null;
  }

  /** Percent-decoding only: a literal {@code +} stays a plus (Debian versions have them). */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  private static String trimSlashes(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && s.charAt(b) == '/') {
      b++;
    }
    while (e > b && s.charAt(e - 1) == '/') {
      e--;
    }
    return s.substring(b, e);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
