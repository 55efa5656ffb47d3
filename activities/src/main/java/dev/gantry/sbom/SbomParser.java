package dev.gantry.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.SbomPolicy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;

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
  private static final int SCHEMA_ERRORS_SHOWN = 3;

  /** Loading a schema costs far more than validating; a loaded one is thread-safe. */
  private static final Map<Version, Schema> SCHEMAS = new ConcurrentHashMap<>();
  private static final ObjectMapper SCHEMA_READER = new ObjectMapper();

  private static final Pattern DIGEST = Pattern.compile("sha256(?::|%3[aA])([0-9a-fA-F]{64})(?![0-9a-fA-F])");
  private static final Pattern WHOLE_DIGEST = Pattern.compile("sha256:([0-9a-fA-F]{64})");

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
    return new Read(Sbom.CYCLONEDX.equals(format) ? cycloneDx(body, policy, id) : spdx(body, policy, id), statement);
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

  // --- CycloneDX

  private static Sbom cycloneDx(JsonNode bom, SbomPolicy policy, String id) {
    String specVersion = Json.text(bom, "specVersion");
    Version version =
        switch (specVersion == null ? "" : specVersion) {
          case "1.5" -> Version.VERSION_15;
          case "1.6" -> Version.VERSION_16;
          default ->
              throw new EvidenceException(
                  "CycloneDX SBOM " + id + (specVersion == null ? " has no specVersion" : " has specVersion " + specVersion)
                      + "; Gantry accepts CycloneDX 1.5 and 1.6");
        };
    // count first: schema validation and extraction both cost in proportion to the components
    int[] count = {0};
    walkCycloneDx(bom.path("components"), c -> {
      if (++count[0] > policy.maxComponents()) {
        throw tooMany(id, policy);
      }
    });
    List<String> errors = schemaErrors(bom, version);
    if (!errors.isEmpty()) {
      int shown = Math.min(SCHEMA_ERRORS_SHOWN, errors.size());
      throw new EvidenceException(
          "CycloneDX " + specVersion + " SBOM " + id + " does not conform to the CycloneDX " + specVersion + " schema: "
              + String.join("; ", errors.subList(0, shown))
              + (errors.size() > shown ? " (and " + (errors.size() - shown) + " more)" : ""));
    }
    List<Component> components = new ArrayList<>(count[0]);
    walkCycloneDx(bom.path("components"), c -> components.add(cycloneDxComponent(c)));
    return new Sbom(Sbom.CYCLONEDX, specVersion, cycloneDxSubjects(bom.path("metadata").path("component")), components, id);
  }

  /** Components and their nested components, depth first in document order, without recursion. */
  private static void walkCycloneDx(JsonNode components, Consumer<JsonNode> visit) {
    Deque<Iterator<JsonNode>> stack = new ArrayDeque<>();
    if (components.isArray()) {
      stack.push(components.iterator());
    }
    while (!stack.isEmpty()) {
      Iterator<JsonNode> it = stack.peek();
      if (!it.hasNext()) {
        stack.pop();
        continue;
      }
      JsonNode c = it.next();
      visit.accept(c);
      JsonNode nested = c.get("components");
      if (nested != null && nested.isArray() && !nested.isEmpty()) {
        stack.push(nested.iterator());
      }
    }
  }

  private static List<String> schemaErrors(JsonNode bom, Version version) {
    Schema schema =
        SCHEMAS.computeIfAbsent(version, v -> {
          try {
            return new JsonParser().getJsonSchema(v, SCHEMA_READER);
          } catch (IOException e) {
            throw new IllegalStateException("cannot load the bundled CycloneDX " + v.getVersionString() + " schema", e);
          }
        });
    List<String> out = new ArrayList<>();
    for (com.networknt.schema.Error e : schema.validate(bom)) {
      String message = e.getMessage();
      JsonNode value = e.getInstanceNode();
      String shown = value != null && value.isValueNode() && value.toString().length() <= 80 ? " " + value : "";
      out.add(e.getInstanceLocation() + shown + ": " + (message.length() > 200 ? message.substring(0, 200) + "…" : message));
    }
    return out;
  }

  private static Component cycloneDxComponent(JsonNode c) {
    Set<String> licenses = new LinkedHashSet<>();
    for (JsonNode l : c.path("licenses")) {
      String expression = Json.text(l, "expression");
      if (expression != null) {
        licenses.add(expression);
      } else {
        JsonNode license = l.path("license");
        String idOrName = Json.text(license, "id") != null ? Json.text(license, "id") : Json.text(license, "name");
        if (idOrName != null && !idOrName.isBlank()) {
          licenses.add(idOrName);
        }
      }
    }
    Map<String, String> hashes = new LinkedHashMap<>();
    for (JsonNode h : c.path("hashes")) {
      String alg = Json.text(h, "alg");
      String content = Json.text(h, "content");
      if (alg != null && content != null) {
        hashes.put(alg, content.toLowerCase(Locale.ROOT));
      }
    }
    return new Component(
        blankToNull(Json.text(c, "purl")), Json.text(c, "name"), blankToNull(Json.text(c, "version")), Json.text(c, "type"),
        List.copyOf(licenses), hashes);
  }

  /**
   * What {@code metadata.component} says the BOM is about: the digest in its purl ({@code
   * pkg:oci/app@sha256%3A…}), its bom-ref, a container's SHA-256 hash or digest version (syft writes
   * the manifest digest there), or Trivy's RepoDigest properties.
   */
  private static List<String> cycloneDxSubjects(JsonNode mc) {
    Set<String> digests = new LinkedHashSet<>();
    if (!mc.isObject()) {
      return List.of();
    }
    purlDigest(Json.text(mc, "purl"), digests);
    String bomRef = Json.text(mc, "bom-ref");
    if (bomRef != null) {
      Matcher m = DIGEST.matcher(bomRef);
      while (m.find()) {
        digests.add(digest(m.group(1)));
      }
    }
    if ("container".equals(Json.text(mc, "type"))) {
      for (JsonNode h : mc.path("hashes")) {
        String content = Json.text(h, "content");
        if ("SHA-256".equals(Json.text(h, "alg")) && content != null && content.matches("[0-9a-fA-F]{64}")) {
          digests.add(digest(content));
        }
      }
      wholeDigest(Json.text(mc, "version"), digests);
    }
    for (JsonNode p : mc.path("properties")) {
      String value = Json.text(p, "value");
      if ("aquasecurity:trivy:RepoDigest".equals(Json.text(p, "name")) && value != null) {
        int at = value.lastIndexOf('@');
        wholeDigest(at < 0 ? null : value.substring(at + 1), digests);
      }
    }
    return List.copyOf(digests);
  }

  // --- SPDX

  private static Sbom spdx(JsonNode doc, SbomPolicy policy, String id) {
    String version = Json.text(doc, "spdxVersion");
    if (!SPDX_VERSION.equals(version)) {
      throw new EvidenceException(
          "SPDX SBOM " + id + " has spdxVersion " + (version == null ? "that is not a string" : version) + "; Gantry accepts " + SPDX_VERSION);
    }
    String prefix = "SPDX SBOM " + id + " ";
    if (!"SPDXRef-DOCUMENT".equals(Json.text(doc, "SPDXID"))) {
      throw new EvidenceException(prefix + "must have SPDXID \"SPDXRef-DOCUMENT\", has " + doc.get("SPDXID"));
    }
    if (isBlank(Json.text(doc, "name"))) {
      throw new EvidenceException(prefix + "has no name");
    }
    if (!"CC0-1.0".equals(Json.text(doc, "dataLicense"))) {
      throw new EvidenceException(prefix + "must have dataLicense \"CC0-1.0\", has " + doc.get("dataLicense"));
    }
    JsonNode creation = doc.get("creationInfo");
    if (creation == null || !creation.isObject()) {
      throw new EvidenceException(prefix + "has no creationInfo");
    }
    if (isBlank(Json.text(creation, "created")) || !creation.path("creators").isArray() || creation.path("creators").isEmpty()) {
      throw new EvidenceException(prefix + "creationInfo needs created and at least one creator");
    }
    JsonNode packages = doc.get("packages");
    if (packages == null || !packages.isArray()) {
      throw new EvidenceException(prefix + "has no packages array");
    }
    if (packages.size() > policy.maxComponents()) {
      throw tooMany(id, policy);
    }
    for (int i = 0; i < packages.size(); i++) {
      JsonNode p = packages.get(i);
      if (isBlank(Json.text(p, "SPDXID"))) {
        throw new EvidenceException(prefix + "packages[" + i + "] has no SPDXID");
      }
      if (isBlank(Json.text(p, "name"))) {
        throw new EvidenceException(prefix + "packages[" + i + "] (" + Json.text(p, "SPDXID") + ") has no name");
      }
    }

    Set<String> described = new LinkedHashSet<>();
    for (JsonNode d : doc.path("documentDescribes")) {
      if (d.isTextual()) {
        described.add(d.asText());
      }
    }
    for (JsonNode r : doc.path("relationships")) {
      String type = Json.text(r, "relationshipType");
      if ("DESCRIBES".equals(type) && "SPDXRef-DOCUMENT".equals(Json.text(r, "spdxElementId"))) {
        described.add(Json.text(r, "relatedSpdxElement"));
      } else if ("DESCRIBED_BY".equals(type) && "SPDXRef-DOCUMENT".equals(Json.text(r, "relatedSpdxElement"))) {
        described.add(Json.text(r, "spdxElementId"));
      }
    }

    Set<String> subjects = new LinkedHashSet<>();
    List<Component> components = new ArrayList<>(packages.size());
    for (JsonNode p : packages) {
      String purl = null;
      for (JsonNode ref : p.path("externalRefs")) {
        if ("purl".equals(Json.text(ref, "referenceType")) && purl == null) {
          purl = blankToNull(Json.text(ref, "referenceLocator"));
        }
      }
      Map<String, String> hashes = new LinkedHashMap<>();
      for (JsonNode c : p.path("checksums")) {
        String alg = Json.text(c, "algorithm");
        String value = Json.text(c, "checksumValue");
        if (alg != null && value != null) {
          hashes.put(spdxAlgorithm(alg), value.toLowerCase(Locale.ROOT));
        }
      }
      if (described.contains(Json.text(p, "SPDXID"))) {
        String sha256 = hashes.get("SHA-256");
        if (sha256 != null && sha256.matches("[0-9a-f]{64}")) {
          subjects.add(digest(sha256));
        }
        purlDigest(purl, subjects);
        continue; // the described image is the subject, not one of its components
      }
      Set<String> licenses = new LinkedHashSet<>();
      for (String field : List.of("licenseConcluded", "licenseDeclared")) {
        String l = Json.text(p, field);
        if (!isBlank(l) && !l.equals("NOASSERTION") && !l.equals("NONE")) {
          licenses.add(l);
        }
      }
      String purpose = Json.text(p, "primaryPackagePurpose");
      components.add(
          new Component(
              purl, Json.text(p, "name"), blankToNull(Json.text(p, "versionInfo")),
              purpose == null ? null : purpose.toLowerCase(Locale.ROOT).replace('_', '-'), List.copyOf(licenses), hashes));
    }
    return new Sbom(Sbom.SPDX, version, List.copyOf(subjects), components, id);
  }

  /** SPDX spells {@code SHA256}; the catalog keeps CycloneDX's {@code SHA-256}. */
  private static String spdxAlgorithm(String alg) {
    return alg.matches("SHA\\d+") ? "SHA-" + alg.substring(3) : alg;
  }

  // --- shared

  private static EvidenceException tooMany(String id, SbomPolicy policy) {
    return new EvidenceException(
        "SBOM " + id + " lists more than " + policy.maxComponents() + " components; the limit is " + policy.maxComponents());
  }

  /** A digest as a purl's version: {@code pkg:oci/app@sha256%3A<hex>?…} or {@code @sha256:<hex>}. */
  private static void purlDigest(String purl, Set<String> into) {
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

  private static void wholeDigest(String text, Set<String> into) {
    if (text != null) {
      Matcher m = WHOLE_DIGEST.matcher(text);
      if (m.matches()) {
        into.add(digest(m.group(1)));
      }
    }
  }

  private static String digest(String hex) {
    return "sha256:" + hex.toLowerCase(Locale.ROOT);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static String blankToNull(String s) {
    return isBlank(s) ? null : s;
  }
}
