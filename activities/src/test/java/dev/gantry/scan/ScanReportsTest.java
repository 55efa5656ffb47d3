package dev.gantry.scan;

import static dev.gantry.scan.Fixtures.CART;
import static dev.gantry.scan.Fixtures.CART_CONFIG;
import static dev.gantry.scan.Fixtures.ORDERS;
import static dev.gantry.scan.Fixtures.ORDERS_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScanReportsTest {

  @Test
  void trivyReportGivesManifestDigestsTimeAndFindings() {
    ScanReport report = ScanReports.parse(Fixtures.scan("trivy-orders.json"));

    assertThat(report.format()).isEqualTo("Trivy");
    assertThat(report.subjectDigests()).containsExactly(ORDERS).doesNotContain(ORDERS_CONFIG);
    assertThat(report.createdAt()).isEqualTo(Instant.parse("2026-03-02T10:04:19.774152038Z"));
    assertThat(report.findings()).hasSize(8);
    assertThat(report.findings())
        .filteredOn(f -> f.vulnerability().equals("CVE-2022-42003"))
        .singleElement()
        .satisfies(f -> {
          assertThat(f.purl()).isEqualTo("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4");
          assertThat(f.pkgName()).isEqualTo("com.fasterxml.jackson.core:jackson-databind");
          assertThat(f.installedVersion()).isEqualTo("2.13.4");
          assertThat(f.fixedVersion()).isEqualTo("2.12.7.1, 2.13.4.2");
          assertThat(f.severity()).isEqualTo("HIGH");
          assertThat(f.status()).isEqualTo("fixed");
        });
    assertThat(report.findings())
        .filteredOn(f -> f.vulnerability().equals("CVE-2023-45853"))
        .singleElement()
        .satisfies(f -> {
          assertThat(f.fixedVersion()).isNull();
          assertThat(f.status()).isEqualTo("will_not_fix");
          assertThat(f.severity()).isEqualTo("CRITICAL");
        });
    assertThat(report.findings()).filteredOn(f -> f.vulnerability().equals("CVE-2023-4911")).singleElement()
        .satisfies(f -> assertThat(f.aliases()).containsExactly("DSA-5514-1"));
    assertThat(report.sha256()).startsWith("sha256:");
  }

  @Test
  void trivyImageIdIsAConfigDigestAndNeverASubject() {
    ObjectNode json = (ObjectNode) Fixtures.json("trivy-cart.json");
    json.put("ArtifactName", "cart.tar");
    ((ObjectNode) json.get("Metadata")).remove("RepoDigests");

    ScanReport report = ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, json));

    assertThat(Json.text(json.get("Metadata"), "ImageID")).isEqualTo(CART_CONFIG);
    assertThat(report.subjectDigests()).isEmpty();
  }

  @Test
  void grypeReportNormalisesSeveritiesAndKeepsRelatedIdsAsAliases() {
    ScanReport report = ScanReports.parse(Fixtures.scan("grype-orders.json"));

    assertThat(report.format()).isEqualTo("Grype");
    assertThat(report.subjectDigests()).containsExactly(ORDERS);
    assertThat(report.createdAt()).isEqualTo(Instant.parse("2026-03-02T10:20:05.412937Z"));
    assertThat(report.findings())
        .extracting(Finding::vulnerability, Finding::severity, Finding::fixedVersion, Finding::status)
        .containsExactly(
            tuple("GHSA-jjjh-jjxp-wpff", "HIGH", "2.13.4.2", "fixed"),
            tuple("CVE-2023-4911", "HIGH", "2.36-9+deb12u3", "fixed"),
            tuple("CVE-2023-45853", "CRITICAL", null, "wont-fix"),
            tuple("CVE-2011-3374", "NEGLIGIBLE", null, "not-fixed"),
            tuple("CVE-2023-50495", "MEDIUM", null, "unknown"),
            // ignored by the scanner's own configuration: the policy still judges it
            tuple("CVE-2005-2541", "NEGLIGIBLE", null, "not-fixed"));
    assertThat(report.findings().getFirst().aliases()).containsExactly("CVE-2022-42003");
    assertThat(report.findings().get(1).aliases()).as("a related id equal to the id is no alias").isEmpty();
  }

  @Test
  void signedCosignVulnAttestationTakesSubjectsFromTheStatementAndTimeFromScanFinishedOn() {
    var doc = Fixtures.attested(EvidenceType.SCAN, ScanReports.COSIGN_VULN_PREDICATE, Fixtures.json("cosign-vuln-cart.json"), CART);

    ScanReport report = ScanReports.parse(doc);

    assertThat(report.format()).isEqualTo("cosign-vuln");
    assertThat(report.subjectDigests()).containsExactly(CART);
    assertThat(report.createdAt()).isEqualTo(Instant.parse("2026-03-02T09:12:40.102938475Z"));
    assertThat(report.findings()).extracting(Finding::vulnerability).containsExactly("CVE-2023-5363", "CVE-2023-42366");
    assertThat(report.sha256()).isEqualTo(doc.sha256());
  }

  @Test
  void attestationSubjectsWinOverWhatTheReportInsideClaims() {
    // The inner Trivy report names the cart image; the signed statement binds it to orders.
    var doc = Fixtures.attested(EvidenceType.SCAN, ScanReports.COSIGN_VULN_PREDICATE, Fixtures.json("cosign-vuln-cart.json"), ORDERS);

    assertThat(ScanReports.parse(doc).subjectDigests()).containsExactly(ORDERS);
  }

  @Test
  void rawCosignVulnPredicateAroundGrypeOutput() {
    ObjectNode predicate = (ObjectNode) Fixtures.json("cosign-vuln-cart.json");
    ((ObjectNode) predicate.get("scanner")).set("result", Fixtures.json("grype-orders.json"));
    ((ObjectNode) predicate.get("scanner")).put("uri", "pkg:github/anchore/grype@v0.74.7");
    ((ObjectNode) predicate.get("metadata")).remove("scanFinishedOn");

    ScanReport report = ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, predicate));

    assertThat(report.format()).isEqualTo("cosign-vuln");
    assertThat(report.subjectDigests()).containsExactly(ORDERS);
    assertThat(report.createdAt()).as("falls back to the report's own time").isEqualTo(Instant.parse("2026-03-02T10:20:05.412937Z"));
    assertThat(report.findings()).hasSize(6);
  }

  @Test
  void trivySchemaVersionOneIsRefused() {
    ObjectNode json = (ObjectNode) Fixtures.json("trivy-cart.json");
    json.put("SchemaVersion", 1);

    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, json)))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("Trivy SchemaVersion is 1; Gantry reads SchemaVersion 2");
  }

  @Test
  void legacyTrivyArrayIsRefused() {
    ArrayNode legacy = Json.WRITER.createArrayNode();
    legacy.add(Fixtures.json("trivy-cart.json").get("Results").get(0));

    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, legacy)))
        .hasMessageContaining("pre-SchemaVersion 2 Trivy format");
  }

  @Test
  void aSeverityThatIsNotOneIsRefusedNamingTheFinding() {
    ObjectNode json = (ObjectNode) Fixtures.json("grype-orders.json");
    ((ObjectNode) json.get("matches").get(2).get("vulnerability")).put("severity", "Severe");

    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, json)))
        .hasMessageContaining("matches[2]")
        .hasMessageContaining("CVE-2023-45853")
        .hasMessageContaining("severity 'Severe' is not one of");
  }

  @Test
  void malformedJsonNeverBecomesADocument() {
    byte[] truncated = "{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"x\"".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Json.read(truncated, "scan report")).isInstanceOf(EvidenceException.class)
        .hasMessageContaining("scan report is not valid JSON");
  }

  @Test
  void structurallyBrokenReportsAreRefusedWithWhereTheyBreak() {
    ObjectNode notArray = (ObjectNode) Fixtures.json("trivy-cart.json");
    notArray.put("Results", "none");
    ObjectNode noId = (ObjectNode) Fixtures.json("trivy-cart.json");
    ((ObjectNode) noId.get("Results").get(0).get("Vulnerabilities").get(1)).remove("VulnerabilityID");
    ObjectNode badTime = (ObjectNode) Fixtures.json("trivy-cart.json");
    badTime.put("CreatedAt", "yesterday");

    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, notArray))).hasMessageContaining("Results is not an array");
    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, noId)))
        .hasMessageContaining("Results[0].Vulnerabilities[1] has no VulnerabilityID");
    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, badTime)))
        .hasMessageContaining("CreatedAt 'yesterday' is not an RFC 3339 time");
  }

  @Test
  void anSbomOrAnUnsignedStatementIsNotAScanReport() {
    JsonNode sbom = Fixtures.parse("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}");
    JsonNode statement = Fixtures.parse("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"x\",\"predicate\":{}}");

    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, sbom)))
        .hasMessageContaining("is neither a Trivy JSON report (SchemaVersion 2), a Grype JSON report (matches) nor a cosign vuln predicate");
    assertThatThrownBy(() -> ScanReports.parse(Fixtures.doc(EvidenceType.SCAN, statement)))
        .hasMessageContaining("in-toto statement without a DSSE envelope");
  }

  @Test
  void purlsCompareAcrossSpellings() {
    assertThat(Purl.key("pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?distro=debian-12&arch=amd64"))
        .isEqualTo(Purl.key("pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12"));
    assertThat(Purl.parse("pkg:npm/%40angular/core@16.2.0").namespace()).isEqualTo("@angular");
    assertThat(Purl.parse("pkg:npm/@angular/core").version()).isNull();
    assertThat(Purl.parse("pkg:oci/orders@sha256%3A" + ORDERS.substring(7) + "?repository_url=r").imageDigest()).isEqualTo(ORDERS);
    assertThat(Purl.parse("pkg:maven/io.netty/netty-codec-http2")
            .covers(Purl.parse("pkg:maven/io.netty/netty-codec-http2@4.1.94.Final")))
        .isTrue();
    assertThat(Purl.parse("pkg:deb/debian/libc6@2.36-9?arch=arm64")
            .covers(Purl.parse("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12")))
        .isFalse();
    assertThat(Purl.parse("not a purl")).isNull();
  }
}
