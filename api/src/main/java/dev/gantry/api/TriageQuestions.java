package dev.gantry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import dev.gantry.sbom.VersionOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A triage question, read from the request's parameters: one package (a purl with or without a
 * version), a component name with an optional version range, or a vulnerability. Parsing refuses
 * with a 400 and the reason; {@link TriageQueries} answers what parses.
 */
public final class TriageQuestions {
  private static final int MAX_PURL = 2000;
  private static final int MAX_NAME = 500;
  private static final int MAX_VULNERABILITY = 200;
  private static final int MAX_COMPARATORS = 16;
  private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|==|!=|>|<|=)?\\s*(\\S+)");
  private static final Pattern CVE = Pattern.compile("(?i)cve-\\d{4}-\\d{4,}");

  private TriageQuestions() {}

  /** What a triage answers: one package (exact or every version), a name and range, or a vulnerability. */
  public sealed interface Question permits ExactPurl, AnyVersion, NameRange, Vulnerability {
    Query echo();
  }

  /**
   * One version of a package. Without qualifiers in the question, every stored qualifier set matches
   * ({@code pkg:deb/debian/curl@7.88.1-10} finds the amd64 and the arm64 one); with qualifiers, only
   * the identical canonical purl.
   */
  public record ExactPurl(String canonical, boolean anyQualifiers, String base) implements Question {
    public Query echo() {
      return new Query("purl", canonical, null, null, null);
    }
  }

  /** Every version of a package: {@code base} is the canonical purl without version or qualifiers. */
  public record AnyVersion(String base) implements Question {
    public Query echo() {
      return new Query("package", base, null, null, null);
    }
  }

  /** Components of this name whose version is in the range (every version when range is null). */
  public record NameRange(String name, VersionRange range) implements Question {
    public Query echo() {
      return new Query("name", null, name, range == null ? null : range.text(), null);
    }
  }

  public record Vulnerability(String id) implements Question {
    public Query echo() {
      return new Query("vulnerability", null, null, null, id);
    }
  }

  /** The question as understood: {@code kind} is purl, package (every version), name or vulnerability. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Query(String kind, String purl, String name, String version, String vulnerability) {}

  /** Comma-separated comparators, all of which a version must satisfy. */
  public record VersionRange(String text, List<Bound> bounds) {
    public boolean contains(String version) {
      if (version == null) {
        return false;
      }
      for (Bound b : bounds) {
        int c = VersionOrder.INSTANCE.compareWithBuild(version, b.version());
        boolean ok = switch (b.operator()) {
          case "<" -> c < 0;
          case "<=" -> c <= 0;
          case ">" -> c > 0;
          case ">=" -> c >= 0;
          case "!=" -> c != 0;
          default -> c == 0;
        };
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  }

  public record Bound(String operator, String version) {}

  /**
   * Reads the request's parameters: exactly one of purl, name (with an optional version range) or
   * vulnerability.
   *
   * @throws ApiProblem 400 with the reason when the question is not one of those or does not parse
   */
  public static Question question(String purl, String name, String version, String vulnerability) {
    int given = (purl != null ? 1 : 0) + (name != null ? 1 : 0) + (vulnerability != null ? 1 : 0);
    if (given != 1) {
      throw ApiProblem.badRequest("InvalidQuery",
          "give exactly one of purl, name (with version, optional) or vulnerability, e.g. ?purl=pkg:npm/express@4.17.1, "
              + "?name=express&version=>=4.0.0,<4.18.2 or ?vulnerability=CVE-2024-1234; got "
              + (given == 0 ? "none" : given));
    }
    if (version != null && name == null) {
      throw ApiProblem.badRequest("InvalidQuery", "version is a range for name; for a purl put the version in it (pkg:npm/express@4.17.1)");
    }
    if (purl != null) {
      return purl(purl);
    }
    if (name != null) {
      String n = name.strip();
      if (n.isEmpty() || n.length() > MAX_NAME || n.chars().anyMatch(Character::isISOControl)) {
        throw ApiProblem.badRequest("InvalidQuery", "name must be 1 to " + MAX_NAME + " characters without control characters");
      }
      return new NameRange(n, version == null ? null : range(version));
    }
    String id = vulnerability.strip();
    if (id.isEmpty() || id.length() > MAX_VULNERABILITY || id.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw ApiProblem.badRequest("InvalidQuery",
          "vulnerability must be an identifier such as CVE-2024-1234 or GHSA-xxxx-xxxx-xxxx (1 to " + MAX_VULNERABILITY + " characters, no spaces)");
    }
    // CVE ids are upper case in every scanner's report; a lower-case question means the same one
    return new Vulnerability(CVE.matcher(id).matches() ? id.toUpperCase(Locale.ROOT) : id);
  }

  /** A purl with a version is one version of the package; without one, every version. */
  public static Question purl(String purl) {
    String p = purl.strip();
    if (p.length() > MAX_PURL) {
      throw ApiProblem.badRequest("InvalidPurl", "purl is " + p.length() + " characters; at most " + MAX_PURL);
    }
    if (p.chars().anyMatch(Character::isISOControl)) {
      throw ApiProblem.badRequest("InvalidPurl", "purl contains a control character; percent-encode it (%00) if the package's name has one");
    }
    PackageURL parsed;
    try {
      parsed = new PackageURL(p);
    } catch (MalformedPackageURLException | RuntimeException e) {
      throw ApiProblem.badRequest("InvalidPurl",
          "'" + p + "' is not a package URL (" + e.getMessage() + "); expected pkg:<type>/<namespace>/<name>@<version>, e.g. pkg:npm/express@4.17.1");
    }
    String base = canonical(parsed, null);
    if (parsed.getVersion() == null) {
      if (parsed.getQualifiers() != null && !parsed.getQualifiers().isEmpty() || parsed.getSubpath() != null) {
        throw ApiProblem.badRequest("InvalidPurl",
            "'" + p + "' has qualifiers or a subpath but no version; ask for " + base + " (every version) or name the version");
      }
      return new AnyVersion(base);
    }
    if (parsed.getVersion().isBlank()) {
      throw ApiProblem.badRequest("InvalidPurl", "'" + p + "' ends its name with '@' but gives no version; leave the '@' out to find every version");
    }
    boolean anyQualifiers = (parsed.getQualifiers() == null || parsed.getQualifiers().isEmpty()) && parsed.getSubpath() == null;
    return new ExactPurl(anyQualifiers ? canonical(parsed, parsed.getVersion()) : parsed.canonicalize(), anyQualifiers, base);
  }

  /** {@code >=4.0.0,<4.18.2}, {@code =4.17.1} or {@code 4.17.1}; compared with {@link VersionOrder}. */
  public static VersionRange range(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      throw ApiProblem.badRequest("InvalidRange", "version is empty; give a version (4.17.1) or comparators (>=4.0.0,<4.18.2), or leave it out for every version");
    }
    String[] parts = t.split(",", -1);
    if (parts.length > MAX_COMPARATORS) {
      throw ApiProblem.badRequest("InvalidRange", "version range has " + parts.length + " comparators; at most " + MAX_COMPARATORS);
    }
    List<Bound> bounds = new ArrayList<>();
    for (String part : parts) {
      Matcher m = COMPARATOR.matcher(part.strip());
      if (!m.matches() || "<>=!".indexOf(m.group(2).charAt(0)) >= 0) {
        throw ApiProblem.badRequest("InvalidRange",
            "'" + part.strip() + "' in version range '" + t + "' is not a comparator: use >=, >, <=, <, = or != followed by a version, comma-separated (>=4.0.0,<4.18.2)");
      }
      String op = m.group(1) == null || m.group(1).equals("==") ? "=" : m.group(1);
      bounds.add(new Bound(op, m.group(2)));
    }
    return new VersionRange(t, List.copyOf(bounds));
  }

  /** The canonical purl of the package at a version, without qualifiers or subpath. */
  private static String canonical(PackageURL p, String version) {
    try {
      return new PackageURL(p.getType(), p.getNamespace(), p.getName(), version, null, null).canonicalize();
    } catch (MalformedPackageURLException e) {
      throw ApiProblem.badRequest("InvalidPurl", "'" + p + "' is not a package URL: " + e.getMessage());
    }
  }
}
