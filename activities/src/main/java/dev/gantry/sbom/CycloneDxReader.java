package dev.gantry.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import dev.gantry.evidence.EvidenceException;
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
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;

/** CycloneDX 1.5–1.7 JSON: schema-validated, its components walked depth first, its subjects read from metadata. */
final class CycloneDxReader {
  private CycloneDxReader() {}

  private static final int SCHEMA_ERRORS_SHOWN = 3;
  /** Loading a schema costs far more than validating; a loaded one is thread-safe. */
  private static final Map<Version, Schema> SCHEMAS = new ConcurrentHashMap<>();
  private static final ObjectMapper SCHEMA_READER = new ObjectMapper();


  static Sbom sbom(JsonNode bom, SbomPolicy policy, String id) {
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
        throw SbomParser.tooMany(id, policy);
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
        SbomParser.blankToNull(Json.text(c, "purl")), Json.text(c, "name"), SbomParser.blankToNull(Json.text(c, "version")), Json.text(c, "type"),
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
    SbomParser.purlDigest(Json.text(mc, "purl"), digests);
    String bomRef = Json.text(mc, "bom-ref");
    if (bomRef != null) {
      Matcher m = SbomParser.DIGEST.matcher(bomRef);
      while (m.find()) {
        digests.add(SbomParser.digest(m.group(1)));
      }
    }
    if ("container".equals(Json.text(mc, "type"))) {
      for (JsonNode h : mc.path("hashes")) {
        String content = Json.text(h, "content");
        if ("SHA-256".equals(Json.text(h, "alg")) && content != null && content.matches("[0-9a-fA-F]{64}")) {
          digests.add(SbomParser.digest(content));
        }
      }
      SbomParser.wholeDigest(Json.text(mc, "version"), digests);
    }
    for (JsonNode p : mc.path("properties")) {
      String value = Json.text(p, "value");
      if ("aquasecurity:trivy:RepoDigest".equals(Json.text(p, "name")) && value != null) {
        int at = value.lastIndexOf('@');
        SbomParser.wholeDigest(at < 0 ? null : value.substring(at + 1), digests);
      }
    }
    return List.copyOf(digests);
  }
}
