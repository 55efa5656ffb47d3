package dev.gantry.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads VEX documents, raw or attested ({@code predicateType https://openvex.dev/ns}, CycloneDX):
 * OpenVEX 0.2 and CycloneDX 1.4+ {@code vulnerabilities[].analysis}. A document that breaks its
 * spec in a way that matters to a gate (a {@code not_affected} without any reason) is refused as a
 * whole, so it suppresses nothing.
 */
public final class Vex {
  private Vex() {}

  public static final String OPENVEX = "OpenVEX";
  public static final String CYCLONEDX = "CycloneDX VEX";
  public static final String OPENVEX_CONTEXT = "https://openvex.dev/ns/v0.2.0";

  private static final Set<String> OPENVEX_STATUSES =
      Set.of(VexStatement.NOT_AFFECTED, VexStatement.AFFECTED, VexStatement.FIXED, VexStatement.UNDER_INVESTIGATION);
  private static final Set<String> OPENVEX_JUSTIFICATIONS =
      Set.of(
          "component_not_present",
          "vulnerable_code_not_present",
          "vulnerable_code_not_in_execute_path",
          "vulnerable_code_cannot_be_controlled_by_adversary",
          "inline_mitigations_already_exist");
  /** CycloneDX analysis.state onto the OpenVEX statuses. */
  private static final Map<String, String> CYCLONEDX_STATES =
      Map.of(
          "not_affected", VexStatement.NOT_AFFECTED,
          "false_positive", VexStatement.NOT_AFFECTED,
          "resolved", VexStatement.FIXED,
          "resolved_with_pedigree", VexStatement.FIXED,
          "exploitable", VexStatement.AFFECTED,
          "in_triage", VexStatement.UNDER_INVESTIGATION);
  private static final Set<String> CYCLONEDX_JUSTIFICATIONS =
      Set.of(
          "code_not_present",
          "code_not_reachable",
          "requires_configuration",
          "requires_dependency",
          "requires_environment",
          "protected_by_compiler",
          "protected_at_runtime",
          "protected_at_perimeter",
          "protected_by_mitigating_control");

  /** @throws EvidenceException naming the document and, where one is at fault, the statement */
  public static List<VexStatement> parse(EvidenceDocument doc) {
    InTotoStatement statement = doc.statement();
    JsonNode body = statement == null ? doc.json() : statement.predicate();
    List<String> subjects = statement == null ? List.of() : statement.subjectDigests();
    String what = "VEX " + doc.sha256();
    if (body == null || !body.isObject()) {
      throw new EvidenceException(what + " is not a JSON object");
    }
    String context = Json.text(body, "@context");
    if (context != null && context.startsWith("https://openvex.dev/ns")) {
      return openVex(body, context, subjects, doc.sha256(), what);
    }
    if ("CycloneDX".equals(Json.text(body, "bomFormat"))) {
      return cycloneDx(body, subjects, doc.sha256(), what);
    }
    throw new EvidenceException(
        what + " is neither OpenVEX (@context " + OPENVEX_CONTEXT + ") nor CycloneDX with vulnerabilities[].analysis");
  }

  // ---- OpenVEX ----

  private static List<VexStatement> openVex(JsonNode body, String context, List<String> subjects, String sha256, String what) {
    // The unversioned context is what the spec's own examples and attestations use for 0.2.
    if (!OPENVEX_CONTEXT.equals(context) && !"https://openvex.dev/ns".equals(context)) {
      throw new EvidenceException(what + ": OpenVEX @context is " + context + "; Gantry reads " + OPENVEX_CONTEXT);
    }
    Instant documentTime = ScanReports.time(Json.text(body, "timestamp"), what + " timestamp");
    JsonNode statements = body.get("statements");
    if (statements == null || !statements.isArray()) {
      throw new EvidenceException(what + " has no statements array");
    }
    List<VexStatement> out = new ArrayList<>();
    for (int i = 0; i < statements.size(); i++) {
      JsonNode s = statements.get(i);
      JsonNode vuln = s.get("vulnerability");
      if (vuln == null || !vuln.isObject()) {
        throw new EvidenceException(
            what + ": statement " + (i + 1) + " has no vulnerability object {name, aliases} (OpenVEX 0.2)");
      }
      String name = Json.text(vuln, "name");
      if (name == null || name.isBlank()) {
        throw new EvidenceException(what + ": statement " + (i + 1) + " has no vulnerability.name");
      }
      String label = what + ": statement " + (i + 1) + " (" + name + ")";
      String status = Json.text(s, "status");
      if (status == null || !OPENVEX_STATUSES.contains(status)) {
        throw new EvidenceException(label + " has status '" + status + "'; expected one of " + sorted(OPENVEX_STATUSES));
      }
      String justification = blankToNull(Json.text(s, "justification"));
      if (justification != null && !OPENVEX_JUSTIFICATIONS.contains(justification)) {
        throw new EvidenceException(
            label + " has justification '" + justification + "'; expected one of " + sorted(OPENVEX_JUSTIFICATIONS));
      }
      String impact = blankToNull(Json.text(s, "impact_statement"));
      if (VexStatement.NOT_AFFECTED.equals(status) && justification == null && impact == null) {
        throw new EvidenceException(
            label + " is not_affected without a justification or impact_statement, which OpenVEX requires;"
                + " the document is refused and suppresses nothing");
      }
      Instant time = firstNonNull(
          ScanReports.time(Json.text(s, "last_updated"), label + " last_updated"),
          ScanReports.time(Json.text(s, "timestamp"), label + " timestamp"),
          documentTime);
      if (time == null) {
        throw new EvidenceException(label + " has no timestamp and the document has none to inherit");
      }
      List<String> aliases = texts(vuln.get("aliases"));
      String reason = justification != null ? justification : impact;
      List<Scope> scopes = openVexScopes(s.get("products"), subjects);
      if (scopes == null) {
        throw new EvidenceException(label + " names no product, and no attestation subject gives one");
      }
      for (Scope scope : scopes) {
        out.add(new VexStatement(name, aliases, scope.products(), status, reason, sha256, time, OPENVEX, scope.images()));
      }
    }
    return out;
  }

  /** What one product entry binds a statement to. */
  private record Scope(List<String> products, List<String> images) {}

  /** The scopes of a statement's products; null when it names none at all and nothing is inherited. */
  private static List<Scope> openVexScopes(JsonNode products, List<String> subjects) {
    if (products == null || !products.isArray() || products.isEmpty()) {
      // OpenVEX lets the encapsulating attestation name the product: its subjects are the images.
      return subjects.isEmpty() ? null : List.of(new Scope(List.of(), subjects));
    }
    List<Scope> scopes = new ArrayList<>();
    for (JsonNode product : products) {
      String purl = componentPurl(product);
      List<String> subcomponents = new ArrayList<>();
      for (JsonNode sub : product.path("subcomponents")) {
        String p = componentPurl(sub);
        if (p != null) {
          subcomponents.add(p);
        }
      }
      Purl parsed = Purl.parse(purl);
      String imageDigest = parsed != null ? parsed.imageDigest() : hashDigest(product.path("hashes"), "sha-256");
      if ((parsed != null && "oci".equals(parsed.type())) || (parsed == null && imageDigest != null)) {
        // An image product binds to its digest; without one it cannot be tied to any release.
        if (imageDigest != null) {
          scopes.add(new Scope(subcomponents, List.of(imageDigest)));
        }
      } else if (parsed != null) {
        scopes.add(new Scope(subcomponents.isEmpty() ? List.of(purl) : subcomponents, subjects));
      }
      // A product identified only by a CPE or name cannot be matched to a scanned package: it suppresses nothing.
    }
    return scopes;
  }

  private static String componentPurl(JsonNode component) {
    String id = Json.text(component, "@id");
    if (Purl.parse(id) != null) {
      return id.trim();
    }
    String purl = Json.text(component.path("identifiers"), "purl");
    return Purl.parse(purl) != null ? purl.trim() : null;
  }

  // ---- CycloneDX ----

  private static List<VexStatement> cycloneDx(JsonNode body, List<String> subjects, String sha256, String what) {
    String spec = Json.text(body, "specVersion");
    if (spec == null || !spec.matches("1\\.([4-9]|\\d{2,})")) {
      throw new EvidenceException(what + ": CycloneDX specVersion is " + spec + "; VEX needs 1.4 or later");
    }
    JsonNode vulnerabilities = body.get("vulnerabilities");
    if (vulnerabilities == null || !vulnerabilities.isArray()) {
      throw new EvidenceException(what + " is a CycloneDX document without vulnerabilities: an SBOM, not VEX");
    }
    JsonNode subject = body.path("metadata").path("component");
    Map<String, JsonNode> components = new HashMap<>();
    index(subject, components);
    for (JsonNode c : body.path("components")) {
      index(c, components);
    }
    // A BOM about an image binds its statements to that image, as an attestation's subjects do.
    String subjectDigest = imageDigest(subject);
    List<String> documentImages = subjectDigest != null ? List.of(subjectDigest) : subjects;
    Instant documentTime = ScanReports.time(Json.text(body.path("metadata"), "timestamp"), what + " metadata.timestamp");
    List<VexStatement> out = new ArrayList<>();
    for (int i = 0; i < vulnerabilities.size(); i++) {
      JsonNode v = vulnerabilities.get(i);
      String id = Json.text(v, "id");
      if (id == null || id.isBlank()) {
        throw new EvidenceException(what + ": vulnerabilities[" + i + "] has no id");
      }
      String label = what + ": vulnerabilities[" + i + "] (" + id + ")";
      JsonNode analysis = v.get("analysis");
      String state = analysis == null ? null : Json.text(analysis, "state");
      if (state == null) {
        continue; // a vulnerability without analysis reports a finding; it states nothing about exploitability
      }
      String status = CYCLONEDX_STATES.get(state);
      if (status == null) {
        throw new EvidenceException(label + " has analysis.state '" + state + "'; expected one of " + sorted(CYCLONEDX_STATES.keySet()));
      }
      String justification = blankToNull(Json.text(analysis, "justification"));
      if (justification != null && !CYCLONEDX_JUSTIFICATIONS.contains(justification)) {
        throw new EvidenceException(
            label + " has analysis.justification '" + justification + "'; expected one of " + sorted(CYCLONEDX_JUSTIFICATIONS));
      }
      if (justification == null && (state.equals("false_positive") || state.equals("resolved_with_pedigree"))) {
        justification = state; // false_positive, resolved_with_pedigree: the state is the reason
      }
      Instant time = firstNonNull(
          ScanReports.time(Json.text(analysis, "lastUpdated"), label + " analysis.lastUpdated"),
          ScanReports.time(Json.text(analysis, "firstIssued"), label + " analysis.firstIssued"),
          ScanReports.time(Json.text(v, "updated"), label + " updated"),
          documentTime);
      List<String> aliases = new ArrayList<>();
      for (JsonNode ref : v.path("references")) {
        String alias = Json.text(ref, "id");
        if (alias != null && !alias.equals(id)) {
          aliases.add(alias);
        }
      }
      JsonNode affects = v.get("affects");
      if (affects == null || !affects.isArray() || affects.isEmpty()) {
        if (!documentImages.isEmpty()) {
          out.add(new VexStatement(id, aliases, List.of(), status, justification, sha256, time, CYCLONEDX, documentImages));
        }
        continue;
      }
      for (JsonNode affect : affects) {
        String ref = Json.text(affect, "ref");
        if (ref == null) {
          continue;
        }
        if (ref.startsWith("urn:cdx:") && ref.indexOf('#') > 0) {
          ref = Purl.decode(ref.substring(ref.indexOf('#') + 1)); // BOM-Link to a component of another BOM
        }
        JsonNode component = components.get(ref);
        String purl = component != null && blankToNull(Json.text(component, "purl")) != null ? Json.text(component, "purl") : ref;
        Purl parsed = Purl.parse(purl);
        boolean image = component == subject && component != null
            || (parsed != null && "oci".equals(parsed.type()))
            || (component != null && "container".equals(Json.text(component, "type")));
        if (image) {
          String digest = component != null ? imageDigest(component) : parsed.imageDigest();
          List<String> images = digest != null ? List.of(digest) : component == subject ? subjects : List.of();
          if (!images.isEmpty()) {
            out.add(new VexStatement(id, aliases, List.of(), status, justification, sha256, time, CYCLONEDX, images));
          }
        } else if (parsed != null) {
          out.add(new VexStatement(id, aliases, List.of(purl.trim()), status, justification, sha256, time, CYCLONEDX, documentImages));
        }
        // a ref that resolves to no package URL cannot be matched to a scanned package
      }
    }
    return out;
  }

  private static void index(JsonNode component, Map<String, JsonNode> components) {
    if (component == null || !component.isObject()) {
      return;
    }
    String ref = Json.text(component, "bom-ref");
    if (ref != null) {
      components.putIfAbsent(ref, component);
    }
    for (JsonNode nested : component.path("components")) {
      index(nested, components);
    }
  }

  /** The digest a CycloneDX image component names: its oci purl's version, else its SHA-256 hash. */
  private static String imageDigest(JsonNode component) {
    if (component == null || !component.isObject()) {
      return null;
    }
    Purl purl = Purl.parse(Json.text(component, "purl"));
    if (purl != null && purl.imageDigest() != null) {
      return purl.imageDigest();
    }
    if (!"container".equals(Json.text(component, "type"))) {
      return null;
    }
    for (JsonNode h : component.path("hashes")) {
      if ("SHA-256".equalsIgnoreCase(Json.text(h, "alg"))) {
        String digest = "sha256:" + String.valueOf(Json.text(h, "content")).toLowerCase(Locale.ROOT);
        return ScanReports.isDigest(digest) ? digest : null;
      }
    }
    return null;
  }

  private static String hashDigest(JsonNode hashes, String algorithm) {
    String hex = Json.text(hashes, algorithm);
    if (hex == null) {
      return null;
    }
    String digest = "sha256:" + hex.toLowerCase(Locale.ROOT);
    return ScanReports.isDigest(digest) ? digest : null;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (JsonNode n : array) {
        if (n.isTextual() && !n.asText().isBlank()) {
          out.add(n.asText());
        }
      }
    }
    return out;
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  private static String sorted(Set<String> values) {
    return String.join(", ", new TreeSet<>(values));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
