package dev.gantry.sbom;

import static dev.gantry.sbom.SbomFixtures.OTHER_DIGEST;
import static dev.gantry.sbom.SbomFixtures.RELEASE_DIGEST;
import static dev.gantry.sbom.SbomFixtures.attested;
import static dev.gantry.sbom.SbomFixtures.load;
import static dev.gantry.sbom.SbomFixtures.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.SbomPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SbomParserTest {
  private static final SbomPolicy DEFAULTS = SbomPolicy.defaults();

  private static Component named(Sbom sbom, String name) {
    return sbom.components().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void readsSyftCycloneDx16() {
    EvidenceDocument doc = raw(load("syft-cyclonedx-1.6.json"));
    Sbom sbom = SbomParser.parse(doc, DEFAULTS);

    assertThat(sbom.format()).isEqualTo("CycloneDX");
    assertThat(sbom.specVersion()).isEqualTo("1.6");
    assertThat(sbom.sha256()).isEqualTo(doc.sha256());
    // syft writes the manifest digest as the container's version
    assertThat(sbom.subjectDigests()).containsExactly(RELEASE_DIGEST);
    assertThat(sbom.components()).hasSize(8).extracting(Component::name)
        .containsExactly("express", "lodash", "@types/node", "argparse", "snakeyaml", "libc6", "tzdata", "debian");
    assertThat(named(sbom, "express"))
        .isEqualTo(new Component("pkg:npm/express@4.18.2", "express", "4.18.2", "library", List.of("MIT"), Map.of()));
    assertThat(named(sbom, "snakeyaml").hashes()).containsExactly(Map.entry("SHA-1", "c5996c90a17a4ec67f49de691301137f7523c034"));
    assertThat(named(sbom, "libc6").licenses()).containsExactly("GPL-2.0-only", "LGPL-2.1-only");
    assertThat(named(sbom, "tzdata").licenses()).containsExactly("public-domain"); // license.name
    Component os = named(sbom, "debian");
    assertThat(os.type()).isEqualTo("operating-system");
    assertThat(os.purl()).isNull();
    assertThat(os.key()).isEqualTo("operating-system:debian@12");
  }

  @Test
  void readsTrivyCycloneDx15WithDigestFromPurlAndRepoDigest() {
    Sbom sbom = SbomParser.parse(raw(load("trivy-cyclonedx-1.5.json")), DEFAULTS);

    assertThat(sbom.specVersion()).isEqualTo("1.5");
    assertThat(sbom.subjectDigests()).containsExactly(RELEASE_DIGEST); // purl, bom-ref and RepoDigest agree: listed once
    Component cobra = named(sbom, "github.com/spf13/cobra");
    assertThat(cobra.licenses()).containsExactly("Apache-2.0"); // from an expression
    assertThat(cobra.hashes()).containsEntry("SHA-256", "ee6bae4334ac408831f47c8a80f9924ce34988bf1b74be6d9de096590fdbe510");
    assertThat(cobra.version()).isEqualTo("v1.8.0");
  }

  @Test
  void readsSyftSpdx23WithoutTheDescribedImage() {
    Sbom sbom = SbomParser.parse(raw(load("syft-spdx-2.3.json")), DEFAULTS);

    assertThat(sbom.format()).isEqualTo("SPDX");
    assertThat(sbom.specVersion()).isEqualTo("SPDX-2.3");
    assertThat(sbom.subjectDigests()).containsExactly(RELEASE_DIGEST);
    assertThat(sbom.components()).extracting(Component::name).containsExactly("express", "snakeyaml", "libc6", "tzdata");
    assertThat(named(sbom, "express").licenses()).containsExactly("MIT"); // licenseConcluded NOASSERTION skipped
    assertThat(named(sbom, "express").purl()).isEqualTo("pkg:npm/express@4.18.2");
    assertThat(named(sbom, "libc6").licenses()).containsExactly("GPL-2.0-only AND LGPL-2.1-only");
    assertThat(named(sbom, "tzdata").licenses()).isEmpty(); // NONE and NOASSERTION
    assertThat(named(sbom, "snakeyaml").hashes()).containsExactly(Map.entry("SHA-1", "c5996c90a17a4ec67f49de691301137f7523c034"));
  }

  @Test
  void spdxDescribedPackageFoundThroughDocumentDescribesToo() {
    ObjectNode spdx = load("syft-spdx-2.3.json");
    ArrayNode relationships = (ArrayNode) spdx.get("relationships");
    relationships.remove(relationships.size() - 1); // drop DESCRIBES
    spdx.putArray("documentDescribes").add("SPDXRef-DocumentRoot-Image-registry.example.com-shop-checkout");

    Sbom sbom = SbomParser.parse(raw(spdx), DEFAULTS);

    assertThat(sbom.subjectDigests()).containsExactly(RELEASE_DIGEST);
    assertThat(sbom.components()).hasSize(4);
  }

  @Test
  void readsTheCycloneDxPredicateOfAnAttestation() {
    EvidenceDocument doc = attested(load("syft-cyclonedx-1.6.json"), "https://cyclonedx.org/bom", RELEASE_DIGEST);

    Sbom sbom = SbomParser.parse(doc, DEFAULTS);

    assertThat(sbom.components()).hasSize(8);
    assertThat(sbom.sha256()).isEqualTo(doc.sha256());
  }

  @Test
  void readsAnSpdxPredicateUnderAVersionedPredicateType() {
    EvidenceDocument doc = attested(load("syft-spdx-2.3.json"), "https://spdx.dev/Document/v2.3", RELEASE_DIGEST);

    assertThat(SbomParser.parse(doc, DEFAULTS).format()).isEqualTo("SPDX");
  }

  @Test
  void walksNestedComponentsAndCountsThemAgainstTheLimit() {
    ObjectNode bom = load("syft-cyclonedx-1.6.json");
    ArrayNode components = bom.putArray("components");
    ObjectNode app = components.addObject().put("type", "application").put("name", "checkout").put("version", "3.4.0");
    ObjectNode lib = app.putArray("components").addObject().put("type", "library").put("name", "shaded-guava").put("version", "33.0.0");
    lib.putArray("components").addObject().put("type", "library").put("name", "failureaccess").put("version", "1.0.2");
    components.addObject().put("type", "library").put("name", "left-pad").put("version", "1.3.0");

    Sbom sbom = SbomParser.parse(raw(bom), DEFAULTS);
    assertThat(sbom.components()).extracting(Component::name).containsExactly("checkout", "shaded-guava", "failureaccess", "left-pad");

    assertThatThrownBy(() -> SbomParser.parse(raw(bom), new SbomPolicy(DEFAULTS.maxBytes(), 3)))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("more than 3 components");
  }

  // --- hostile input

  @Test
  void refusesSchemaInvalidCycloneDxNamingTheError() {
    ObjectNode bom = load("syft-cyclonedx-1.6.json");
    ((ObjectNode) bom.get("components").get(1)).put("type", "libary");
    ((ObjectNode) bom.get("components").get(4).get("hashes").get(0)).put("content", "not-hex");

    assertThatThrownBy(() -> SbomParser.parse(raw(bom), DEFAULTS))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("does not conform to the CycloneDX 1.6 schema")
        .hasMessageContaining("components")
        .hasMessageContaining("enumeration")
        .hasMessageContaining("pattern");
  }

  @Test
  void validatesAgainstTheSchemaOfTheDocumentsOwnVersion() {
    // "cryptographic-asset" is a component type only since 1.6: valid as 1.6, invalid as 1.5
    ObjectNode bom = load("trivy-cyclonedx-1.5.json");
    ((ObjectNode) bom.get("components").get(1)).put("type", "cryptographic-asset");
    assertThatThrownBy(() -> SbomParser.parse(raw(bom), DEFAULTS))
        .hasMessageContaining("CycloneDX 1.5 schema")
        .hasMessageContaining("enumeration");

    bom.put("specVersion", "1.6").put("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
    assertThat(SbomParser.parse(raw(bom), DEFAULTS).specVersion()).isEqualTo("1.6");
  }

  @Test
  void refusesUnsupportedCycloneDxVersions() {
    ObjectNode bom = load("syft-cyclonedx-1.6.json").put("specVersion", "1.2");
    assertThatThrownBy(() -> SbomParser.parse(raw(bom), DEFAULTS))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("specVersion 1.2")
        .hasMessageContaining("accepts CycloneDX 1.5 and 1.6");

    bom.remove("specVersion");
    assertThatThrownBy(() -> SbomParser.parse(raw(bom), DEFAULTS)).hasMessageContaining("has no specVersion");
  }

  @Test
  void refusesSpdx22() {
    ObjectNode spdx = load("syft-spdx-2.3.json").put("spdxVersion", "SPDX-2.2");
    assertThatThrownBy(() -> SbomParser.parse(raw(spdx), DEFAULTS))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("spdxVersion SPDX-2.2")
        .hasMessageContaining("accepts SPDX-2.3");
  }

  @Test
  void refusesSpdxWithoutRequiredFields() {
    ObjectNode noSpdxId = load("syft-spdx-2.3.json");
    ((ObjectNode) noSpdxId.get("packages").get(1)).remove("SPDXID");
    assertThatThrownBy(() -> SbomParser.parse(raw(noSpdxId), DEFAULTS)).hasMessageContaining("packages[1] has no SPDXID");

    ObjectNode noName = load("syft-spdx-2.3.json");
    ((ObjectNode) noName.get("packages").get(2)).put("name", " ");
    assertThatThrownBy(() -> SbomParser.parse(raw(noName), DEFAULTS))
        .hasMessageContaining("packages[2] (SPDXRef-Package-deb-libc6-2f8b6c1d0e9a7354) has no name");

    ObjectNode noDataLicense = load("syft-spdx-2.3.json");
    noDataLicense.remove("dataLicense");
    assertThatThrownBy(() -> SbomParser.parse(raw(noDataLicense), DEFAULTS)).hasMessageContaining("dataLicense \"CC0-1.0\"");

    ObjectNode noCreationInfo = load("syft-spdx-2.3.json");
    noCreationInfo.remove("creationInfo");
    assertThatThrownBy(() -> SbomParser.parse(raw(noCreationInfo), DEFAULTS)).hasMessageContaining("has no creationInfo");

    ObjectNode wrongId = load("syft-spdx-2.3.json").put("SPDXID", "SPDXRef-Image");
    assertThatThrownBy(() -> SbomParser.parse(raw(wrongId), DEFAULTS)).hasMessageContaining("SPDXID \"SPDXRef-DOCUMENT\"");

    ObjectNode noPackages = load("syft-spdx-2.3.json");
    noPackages.remove("packages");
    assertThatThrownBy(() -> SbomParser.parse(raw(noPackages), DEFAULTS)).hasMessageContaining("has no packages array");
  }

  @Test
  void refuses100MegabyteSbomBySizeBeforeReadingComponents() {
    ObjectNode bom = load("syft-cyclonedx-1.6.json");
    ArrayNode components = bom.putArray("components");
    String megabyte = "x".repeat(1024 * 1024);
    for (int i = 0; i < 100; i++) {
      // an invalid type in every component: had they been read, the refusal would name the schema
      components.addObject().put("type", "libary").put("name", "padding-" + i).put("description", megabyte);
    }
    EvidenceDocument doc = new EvidenceDocument("sha256:" + "0".repeat(64), EvidenceType.SBOM, "application/vnd.cyclonedx+json", "upload:ci", bom);

    assertThatThrownBy(() -> SbomParser.parse(doc, new SbomPolicy(SbomPolicy.DEFAULT_MAX_BYTES, 10)))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("the limit is " + SbomPolicy.DEFAULT_MAX_BYTES + " bytes")
        .hasMessageNotContaining("schema")
        .hasMessageNotContaining("components");
  }

  @Test
  void refusesTooManyComponents() {
    assertThatThrownBy(() -> SbomParser.parse(raw(load("syft-cyclonedx-1.6.json")), new SbomPolicy(DEFAULTS.maxBytes(), 5)))
        .hasMessageContaining("lists more than 5 components; the limit is 5");
    assertThatThrownBy(() -> SbomParser.parse(raw(load("syft-spdx-2.3.json")), new SbomPolicy(DEFAULTS.maxBytes(), 4)))
        .hasMessageContaining("more than 4 components");
  }

  @Test
  void refusesDeeplyNestedJsonThroughTheJsonLimits() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    String statement =
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://cyclonedx.org/bom\","
            + "\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\"" + RELEASE_DIGEST.substring(7) + "\"}}],"
            + "\"predicate\":{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":" + deep + "}}";
    EvidenceDocument doc = SbomFixtures.envelope(statement.getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> SbomParser.parse(doc, DEFAULTS))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("nesting depth");
    // the same document uploaded raw never becomes a record
    assertThatThrownBy(() -> Json.read(("{\"bomFormat\":\"CycloneDX\",\"components\":" + deep + "}").getBytes(StandardCharsets.UTF_8), "SBOM upload"))
        .hasMessageContaining("nesting depth");
  }

  @Test
  void refusesDuplicateKeys() {
    String statement =
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://cyclonedx.org/bom\","
            + "\"subject\":[{\"name\":\"x\",\"digest\":{\"sha256\":\"" + RELEASE_DIGEST.substring(7) + "\"}}],"
            + "\"predicate\":{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"specVersion\":\"1.2\"}}";
    assertThatThrownBy(() -> SbomParser.parse(SbomFixtures.envelope(statement.getBytes(StandardCharsets.UTF_8)), DEFAULTS))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("Duplicate field 'specVersion'");

    String upload = load("syft-cyclonedx-1.6.json").toString().replace("\"version\":1,", "\"version\":1,\"version\":2,");
    assertThatThrownBy(() -> Json.read(upload.getBytes(StandardCharsets.UTF_8), "SBOM upload")).hasMessageContaining("Duplicate field 'version'");
  }

  @Test
  void refusesPredicatesThatAreNotWhatTheirTypeSays() {
    assertThatThrownBy(() -> SbomParser.parse(attested(load("syft-spdx-2.3.json"), "https://cyclonedx.org/bom", RELEASE_DIGEST), DEFAULTS))
        .hasMessageContaining("has predicateType https://cyclonedx.org/bom but its predicate is SPDX");
    assertThatThrownBy(() -> SbomParser.parse(attested(load("syft-cyclonedx-1.6.json"), "https://slsa.dev/provenance/v1", OTHER_DIGEST), DEFAULTS))
        .hasMessageContaining("predicateType https://slsa.dev/provenance/v1; an SBOM attestation has");
    ObjectNode tagValue = Json.WRITER.createObjectNode();
    EvidenceDocument stringPredicate = attested(Json.WRITER.getNodeFactory().textNode("SPDXVersion: SPDX-2.3"), "https://spdx.dev/Document", RELEASE_DIGEST);
    assertThatThrownBy(() -> SbomParser.parse(stringPredicate, DEFAULTS)).hasMessageContaining("predicate is not a JSON object");
    assertThatThrownBy(() -> SbomParser.parse(raw(tagValue.put("foo", 1)), DEFAULTS))
        .hasMessageContaining("neither CycloneDX JSON")
        .hasMessageContaining("nor SPDX JSON");
  }
}
