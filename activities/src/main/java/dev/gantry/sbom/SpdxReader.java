package dev.gantry.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.SbomPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** SPDX 2.3 JSON: its packages as components, the described image from its relationships and checksums. */
final class SpdxReader {
  private SpdxReader() {}


  static Sbom sbom(JsonNode doc, SbomPolicy policy, String id) {
    String version = Json.text(doc, "spdxVersion");
    if (!SbomParser.SPDX_VERSION.equals(version)) {
      throw new EvidenceException(
          "SPDX SBOM " + id + " has spdxVersion " + (version == null ? "that is not a string" : version) + "; Gantry accepts " + SbomParser.SPDX_VERSION);
    }
    String prefix = "SPDX SBOM " + id + " ";
    if (!"SPDXRef-DOCUMENT".equals(Json.text(doc, "SPDXID"))) {
      throw new EvidenceException(prefix + "must have SPDXID \"SPDXRef-DOCUMENT\", has " + doc.get("SPDXID"));
    }
    if (SbomParser.isBlank(Json.text(doc, "name"))) {
      throw new EvidenceException(prefix + "has no name");
    }
    if (!"CC0-1.0".equals(Json.text(doc, "dataLicense"))) {
      throw new EvidenceException(prefix + "must have dataLicense \"CC0-1.0\", has " + doc.get("dataLicense"));
    }
    JsonNode creation = doc.get("creationInfo");
    if (creation == null || !creation.isObject()) {
      throw new EvidenceException(prefix + "has no creationInfo");
    }
    if (SbomParser.isBlank(Json.text(creation, "created")) || !creation.path("creators").isArray() || creation.path("creators").isEmpty()) {
      throw new EvidenceException(prefix + "creationInfo needs created and at least one creator");
    }
    JsonNode packages = doc.get("packages");
    if (packages == null || !packages.isArray()) {
      throw new EvidenceException(prefix + "has no packages array");
    }
    if (packages.size() > policy.maxComponents()) {
      throw SbomParser.tooMany(id, policy);
    }
    for (int i = 0; i < packages.size(); i++) {
      JsonNode p = packages.get(i);
      if (SbomParser.isBlank(Json.text(p, "SPDXID"))) {
        throw new EvidenceException(prefix + "packages[" + i + "] has no SPDXID");
      }
      if (SbomParser.isBlank(Json.text(p, "name"))) {
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
          purl = SbomParser.blankToNull(Json.text(ref, "referenceLocator"));
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
          subjects.add(SbomParser.digest(sha256));
        }
        SbomParser.purlDigest(purl, subjects);
        continue; // the described image is the subject, not one of its components
      }
      Set<String> licenses = new LinkedHashSet<>();
      for (String field : List.of("licenseConcluded", "licenseDeclared")) {
        String l = Json.text(p, field);
        if (!SbomParser.isBlank(l) && !l.equals("NOASSERTION") && !l.equals("NONE")) {
          licenses.add(l);
        }
      }
      String purpose = Json.text(p, "primaryPackagePurpose");
      components.add(
          new Component(
              purl, Json.text(p, "name"), SbomParser.blankToNull(Json.text(p, "versionInfo")),
              purpose == null ? null : purpose.toLowerCase(Locale.ROOT).replace('_', '-'), List.copyOf(licenses), hashes));
    }
    return new Sbom(Sbom.SPDX, version, List.copyOf(subjects), components, id);
  }

  /** SPDX spells {@code SHA256}; the catalog keeps CycloneDX's {@code SHA-256}. */
  private static String spdxAlgorithm(String alg) {
    return alg.matches("SHA\\d+") ? "SHA-" + alg.substring(3) : alg;
  }

  // --- shared
}
