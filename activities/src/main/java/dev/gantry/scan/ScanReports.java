package dev.gantry.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the scan reports CI produces: {@code trivy image --format json} (SchemaVersion 2), {@code
 * grype -o json}, and cosign vuln predicates ({@code trivy --format cosign-vuln}, {@code cosign
 * attest --type vuln}) around either. The format is told by content, not by media type, since
 * uploads and registries label the same JSON differently.
 */
public final class ScanReports {
  private ScanReports() {}

  public static final String TRIVY = "Trivy";
  public static final String GRYPE = "Grype";
  public static final String COSIGN_VULN = "cosign-vuln";
  public static final String COSIGN_VULN_PREDICATE = "https://cosign.sigstore.dev/attestation/vuln/v1";

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  /** The parts of a native report; digests are the ones the report itself names. */
  private record Native(String format, List<String> digests, Instant createdAt, List<Finding> findings) {}

  /**
   * @throws EvidenceException naming what is wrong: not a scan report, an unsupported Trivy
   *     SchemaVersion, a finding without an id, a severity that is not one, a bad timestamp
   */
  public static ScanReport parse(EvidenceDocument doc) {
    InTotoStatement statement = doc.statement();
    JsonNode body = statement == null ? doc.json() : statement.predicate();
    String what = "scan report " + doc.sha256();
    if (body == null || !body.isObject()) {
      throw new EvidenceException(what + " is not a JSON object" + (body != null && body.isArray() ? " (a bare array is the pre-SchemaVersion 2 Trivy format)" : ""));
    }
    boolean vulnPredicate = statement != null && isCosignVulnType(statement.predicateType());
    Native report;
    String format;
    Instant createdAt;
    if (vulnPredicate || looksLikeCosignVuln(body)) {
      JsonNode result = body.path("scanner").get("result");
      if (result == null || !result.isObject()) {
        throw new EvidenceException(what + ": cosign vuln predicate has no scanner.result holding the scanner's report");
      }
      report = nativeReport(result, what + " (scanner.result)");
      format = COSIGN_VULN;
      Instant finished = time(Json.text(body.path("metadata"), "scanFinishedOn"), what + " metadata.scanFinishedOn");
      createdAt = finished != null ? finished : report.createdAt();
    } else {
      report = nativeReport(body, what);
      format = report.format();
      createdAt = report.createdAt();
    }
    // An attestation is bound to its subjects by the signature; what the report says inside is not.
    List<String> digests = statement != null ? statement.subjectDigests() : report.digests();
    return new ScanReport(format, digests, createdAt, report.findings(), doc.sha256());
  }

  private static boolean isCosignVulnType(String predicateType) {
    return COSIGN_VULN_PREDICATE.equals(predicateType) || "cosign.sigstore.dev/attestation/vuln/v1".equals(predicateType);
  }

  private static boolean looksLikeCosignVuln(JsonNode body) {
    return body.path("scanner").isObject() && body.path("scanner").has("result") && body.has("metadata");
  }

  private static Native nativeReport(JsonNode body, String what) {
    if (body.has("SchemaVersion")) {
      return trivy(body, what);
    }
    if (body.has("matches")) {
      return grype(body, what);
    }
    if (body.has("_type") && body.has("predicate")) {
      throw new EvidenceException(
          what + " is an in-toto statement without a DSSE envelope; attach it signed (cosign attest) or upload the report itself");
    }
    throw new EvidenceException(
        what + " is neither a Trivy JSON report (SchemaVersion 2), a Grype JSON report (matches) nor a cosign vuln predicate");
  }

  private static Native trivy(JsonNode body, String what) {
    JsonNode version = body.get("SchemaVersion");
    if (!version.isIntegralNumber() || version.asInt() != 2) {
      throw new EvidenceException(
          what + ": Trivy SchemaVersion is " + version + "; Gantry reads SchemaVersion 2 (trivy --format json since v0.20)");
    }
    Set<String> digests = new LinkedHashSet<>();
    // ArtifactName carries the digest when the image was scanned by digest (repo@sha256:…).
    addReferenceDigest(digests, Json.text(body, "ArtifactName"));
    JsonNode repoDigests = body.path("Metadata").path("RepoDigests");
    for (JsonNode d : repoDigests) {
      addReferenceDigest(digests, d.asText(null));
    }
    // Metadata.ImageID is the config blob's digest, not the manifest's: it never identifies a release.
    Instant createdAt = time(Json.text(body, "CreatedAt"), what + " CreatedAt");
    List<Finding> findings = new ArrayList<>();
    JsonNode results = body.get("Results");
    if (results != null && !results.isNull()) {
      if (!results.isArray()) {
        throw new EvidenceException(what + ": Results is not an array");
      }
      for (int r = 0; r < results.size(); r++) {
        JsonNode vulns = results.get(r).get("Vulnerabilities");
        if (vulns == null || vulns.isNull()) {
          continue;
        }
        if (!vulns.isArray()) {
          throw new EvidenceException(what + ": Results[" + r + "].Vulnerabilities is not an array");
        }
        for (int i = 0; i < vulns.size(); i++) {
          findings.add(trivyFinding(vulns.get(i), what + " Results[" + r + "].Vulnerabilities[" + i + "]"));
        }
      }
    }
    return new Native(TRIVY, List.copyOf(digests), createdAt, dedupe(findings));
  }

  private static Finding trivyFinding(JsonNode v, String where) {
    String id = required(v, "VulnerabilityID", where);
    String pkg = required(v, "PkgName", where + " (" + id + ")");
    List<String> aliases = new ArrayList<>();
    for (JsonNode vendorId : v.path("VendorIDs")) {
      if (vendorId.isTextual() && !vendorId.asText().equals(id)) {
        aliases.add(vendorId.asText());
      }
    }
    return new Finding(
        id,
        blankToNull(Json.text(v.path("PkgIdentifier"), "PURL")),
        pkg,
        blankToNull(Json.text(v, "InstalledVersion")),
        blankToNull(Json.text(v, "FixedVersion")),
        severity(v.get("Severity"), where + " (" + id + ")"),
        blankToNull(Json.text(v, "Status")),
        aliases);
  }

  private static Native grype(JsonNode body, String what) {
    JsonNode matches = body.get("matches");
    if (!matches.isArray()) {
      throw new EvidenceException(what + ": Grype matches is not an array");
    }
    Set<String> digests = new LinkedHashSet<>();
    JsonNode target = body.path("source").path("target");
    String manifest = Json.text(target, "manifestDigest");
    if (manifest != null && isDigest(manifest.toLowerCase(Locale.ROOT))) {
      digests.add(manifest.toLowerCase(Locale.ROOT));
    }
    for (JsonNode d : target.path("repoDigests")) {
      addReferenceDigest(digests, d.asText(null));
    }
    addReferenceDigest(digests, Json.text(target, "userInput"));
    Instant createdAt = time(Json.text(body.path("descriptor"), "timestamp"), what + " descriptor.timestamp");
    List<Finding> findings = new ArrayList<>();
    for (int i = 0; i < matches.size(); i++) {
      findings.add(grypeFinding(matches.get(i), what + " matches[" + i + "]"));
    }
    // Matches the scanner was configured to ignore still face this policy: ignoring is Gantry's call.
    JsonNode ignored = body.get("ignoredMatches");
    if (ignored != null && ignored.isArray()) {
      for (int i = 0; i < ignored.size(); i++) {
        findings.add(grypeFinding(ignored.get(i), what + " ignoredMatches[" + i + "]"));
      }
    }
    return new Native(GRYPE, List.copyOf(digests), createdAt, dedupe(findings));
  }

  private static Finding grypeFinding(JsonNode m, String where) {
    JsonNode vuln = m.path("vulnerability");
    JsonNode artifact = m.path("artifact");
    String id = required(vuln, "id", where + ".vulnerability");
    String name = required(artifact, "name", where + ".artifact (" + id + ")");
    JsonNode fix = vuln.path("fix");
    List<String> fixed = new ArrayList<>();
    for (JsonNode f : fix.path("versions")) {
      if (f.isTextual() && !f.asText().isBlank()) {
        fixed.add(f.asText());
      }
    }
    List<String> aliases = new ArrayList<>();
    for (JsonNode related : m.path("relatedVulnerabilities")) {
      String rid = Json.text(related, "id");
      if (rid != null && !rid.equals(id) && !aliases.contains(rid)) {
        aliases.add(rid);
      }
    }
    return new Finding(
        id,
        blankToNull(Json.text(artifact, "purl")),
        name,
        blankToNull(Json.text(artifact, "version")),
        fixed.isEmpty() ? null : String.join(", ", fixed),
        severity(vuln.get("severity"), where + " (" + id + ")"),
        blankToNull(Json.text(fix, "state")),
        aliases);
  }

  /** Fail closed on a word that is not a severity: guessing UNKNOWN would let it pass a HIGH threshold. */
  private static String severity(JsonNode node, String where) {
    if (node != null && !node.isNull() && !node.isTextual()) {
      throw new EvidenceException(where + ": severity is " + node + ", not a string");
    }
    String text = node == null || node.isNull() ? null : node.asText();
    Severity s = Severity.of(text);
    if (s == null) {
      throw new EvidenceException(
          where + ": severity '" + text + "' is not one of CRITICAL, HIGH, MEDIUM, LOW, NEGLIGIBLE, UNKNOWN");
    }
    return s.name();
  }

  private static List<Finding> dedupe(List<Finding> findings) {
    return List.copyOf(new LinkedHashSet<>(findings));
  }

  private static String required(JsonNode node, String field, String where) {
    String value = Json.text(node, field);
    if (value == null || value.isBlank()) {
      throw new EvidenceException(where + " has no " + field);
    }
    return value;
  }

  /** Adds the digest of {@code repo@sha256:…}, if the reference has a well-formed one. */
  private static void addReferenceDigest(Set<String> digests, String reference) {
    if (reference == null) {
      return;
    }
    int at = reference.lastIndexOf('@');
    if (at >= 0) {
      String digest = reference.substring(at + 1).toLowerCase(Locale.ROOT);
      if (isDigest(digest)) {
        digests.add(digest);
      }
    }
  }

  static boolean isDigest(String s) {
    return s != null && DIGEST.matcher(s).matches();
  }

  /** An RFC 3339 time as scanners write it (any offset, up to nanoseconds); null when absent or empty. */
  static Instant time(String text, String what) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new EvidenceException(what + " '" + text + "' is not an RFC 3339 time");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
