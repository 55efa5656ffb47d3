package dev.gantry.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.SbomPolicy;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an SBOM evidence record: CycloneDX 1.5/1.6 JSON (validated against its schema with
 * cyclonedx-core-java, the version taken from the document and passed explicitly) or SPDX 2.3
 * JSON (required fields checked by hand), raw or as the predicate of an in-toto statement. Size
 * and component count are checked before any component is read, so no SBOM can exhaust memory or
 * time.
 */
public final class SbomParser {
  private SbomParser() {}

  public static final String CYCLONEDX_PREDICATE = "https://cyclonedx.org/bom";
  public static final String SPDX_PREDICATE = "https://spdx.dev/Document";
  static final String SPDX_VERSION = "SPDX-2.3";


  static final Pattern DIGEST = Pattern.compile("sha256(?::|%3[aA])([0-9a-fA-F]{64})(?![0-9a-fA-F])");
  static final Pattern WHOLE_DIGEST = Pattern.compile("sha256:([0-9a-fA-F]{64})");

  /**
   * @throws EvidenceException with the reason when the record is too large, not a supported SBOM,
   *     schema-invalid, or lists too many components
   */
  public static Sbom parse(EvidenceDocument doc, SbomPolicy policy) {
    return read(doc, policy, null).sbom();
  }

  /** An SBOM and the in-toto statement it came in; null for a raw document. */
  record Read(Sbom sbom, InTotoStatement statement) {}

  /**
   * {@link #parse}, and when {@code subject} is given, an attestation must name it among its
   * statement's subjects; checked right after the size, before the SBOM is read.
   */
  static Read read(EvidenceDocument doc, SbomPolicy policy, String subject) {
    String id = doc.sha256();
    if (CanonicalSize.of(doc.json(), policy.maxBytes()) > policy.maxBytes()) {
      throw new EvidenceException(
          "SBOM " + id + " is larger than " + policy.maxBytes() + " bytes (canonical JSON); the limit is " + policy.maxBytes() + " bytes");
    }
    InTotoStatement statement = doc.statement();
    if (statement != null && subject != null && !statement.isAbout(subject)) {
      throw new EvidenceException(
          "SBOM attestation " + id + " is about " + String.join(", ", statement.subjectDigests()) + ", not the release's " + subject);
    }
    String declared = statement == null ? null : formatOfPredicate(statement.predicateType(), id);
    JsonNode body = statement == null ? doc.json() : statement.predicate();
    if (body == null || !body.isObject()) {
      throw new EvidenceException(
          "SBOM " + id + (statement == null ? " is not a JSON object" : "'s predicate is not a JSON object (only JSON SBOMs are read)"));
    }
    String format = formatOf(body, id);
    if (declared != null && !declared.equals(format)) {
      throw new EvidenceException(
          "SBOM attestation " + id + " has predicateType " + statement.predicateType() + " but its predicate is " + format);
    }
    return new Read(Sbom.CYCLONEDX.equals(format) ? CycloneDxReader.sbom(body, policy, id) : SpdxReader.sbom(body, policy, id), statement);
  }

  private static String formatOfPredicate(String predicateType, String id) {
    if (isPredicate(predicateType, CYCLONEDX_PREDICATE)) {
      return Sbom.CYCLONEDX;
    }
    if (isPredicate(predicateType, SPDX_PREDICATE)) {
      return Sbom.SPDX;
    }
    throw new EvidenceException(
        "attestation " + id + " has predicateType " + predicateType + "; an SBOM attestation has "
            + CYCLONEDX_PREDICATE + " or " + SPDX_PREDICATE);
  }

  /** The bare type or a versioned one ({@code https://cyclonedx.org/bom/v1.6}). */
  private static boolean isPredicate(String type, String base) {
    return type.equals(base) || type.startsWith(base + "/v");
  }

  private static String formatOf(JsonNode body, String id) {
    if ("CycloneDX".equals(Json.text(body, "bomFormat"))) {
      return Sbom.CYCLONEDX;
    }
    if (body.has("spdxVersion")) {
      return Sbom.SPDX;
    }
    throw new EvidenceException(
        "SBOM " + id + " is neither CycloneDX JSON (bomFormat \"CycloneDX\") nor SPDX JSON (spdxVersion)");
  }

  static EvidenceException tooMany(String id, SbomPolicy policy) {
    return new EvidenceException(
        "SBOM " + id + " lists more than " + policy.maxComponents() + " components; the limit is " + policy.maxComponents());
  }

  /** A digest as a purl's version: {@code pkg:oci/app@sha256%3A<hex>?…} or {@code @sha256:<hex>}. */
  static void purlDigest(String purl, Set<String> into) {
    if (purl == null || !purl.startsWith("pkg:")) {
      return;
    }
    int end = purl.length();
    for (char stop : new char[] {'?', '#'}) {
      int i = purl.indexOf(stop);
      end = i >= 0 ? Math.min(end, i) : end;
    }
    String head = purl.substring(0, end);
    int at = head.lastIndexOf('@');
    if (at > head.lastIndexOf('/')) {
      wholeDigest(head.substring(at + 1).replace("%3A", ":").replace("%3a", ":"), into);
    }
  }

  static void wholeDigest(String text, Set<String> into) {
    if (text != null) {
      Matcher m = WHOLE_DIGEST.matcher(text);
      if (m.matches()) {
        into.add(digest(m.group(1)));
      }
    }
  }

  static String digest(String hex) {
    return "sha256:" + hex.toLowerCase(Locale.ROOT);
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  static String blankToNull(String s) {
    return isBlank(s) ? null : s;
  }
}
