package dev.gantry.scan;

import static dev.gantry.scan.Fixtures.CART;
import static dev.gantry.scan.Fixtures.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VexTest {

  @Test
  void openVexStatementsKeepTheirProductsImageAndInheritedTimes() {
    var doc = Fixtures.vex("openvex-orders.json");

    List<VexStatement> statements = Vex.parse(doc);

    assertThat(statements)
        .extracting(VexStatement::vulnerability, VexStatement::status, VexStatement::products, VexStatement::imageDigests, VexStatement::timestamp)
        .containsExactly(
            tuple("CVE-2022-42003", "not_affected", List.of("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4"),
                List.of(ORDERS), Instant.parse("2026-02-20T10:00:00Z")),
            tuple("CVE-2023-44487", "affected", List.of("pkg:maven/io.netty/netty-codec-http2"), List.of(),
                Instant.parse("2026-02-21T08:30:00Z")),
            tuple("CVE-2023-4911", "under_investigation", List.of("pkg:deb/debian/libc6"), List.of(ORDERS),
                Instant.parse("2026-02-20T10:00:00Z")),
            tuple("CVE-2016-1000027", "not_affected", List.of("pkg:maven/org.springframework/spring-web@5.3.27"), List.of(),
                Instant.parse("2026-02-22T14:00:00Z")));
    assertThat(statements.getFirst().aliases()).containsExactly("GHSA-jjjh-jjxp-wpff");
    assertThat(statements.getFirst().justification()).isEqualTo("vulnerable_code_not_in_execute_path");
    assertThat(statements).allSatisfy(s -> {
      assertThat(s.sourceSha256()).isEqualTo(doc.sha256());
      assertThat(s.format()).isEqualTo("OpenVEX");
    });
  }

  @Test
  void openVexNotAffectedWithoutJustificationRefusesTheWholeDocument() {
    assertThatThrownBy(() -> Vex.parse(Fixtures.vex("openvex-no-justification.json")))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("statement 2 (CVE-2022-42003) is not_affected without a justification or impact_statement");
  }

  @Test
  void anImpactStatementAloneIsEnoughForNotAffected() {
    JsonNode json = Fixtures.parse("""
        {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://openvex.dev/docs/public/vex-1",
         "author": "orders team", "timestamp": "2026-02-25T16:45:00Z", "version": 1,
         "statements": [{"vulnerability": {"name": "CVE-2023-44487"},
           "products": [{"identifiers": {"purl": "pkg:maven/io.netty/netty-codec-http2@4.1.94.Final"}}],
           "status": "not_affected", "impact_statement": "HTTP/2 is terminated at the ingress; orders speaks HTTP/1.1"}]}
        """);

    VexStatement s = Vex.parse(Fixtures.doc(EvidenceType.VEX, json)).getFirst();

    assertThat(s.products()).containsExactly("pkg:maven/io.netty/netty-codec-http2@4.1.94.Final");
    assertThat(s.justification()).isEqualTo("HTTP/2 is terminated at the ingress; orders speaks HTTP/1.1");
  }

  @Test
  void openVexThatIsNotVersionTwoOrHasUnknownLabelsIsRefused() {
    ObjectNode old = (ObjectNode) Fixtures.json("openvex-orders.json");
    old.put("@context", "https://openvex.dev/ns/v0.0.1");
    ObjectNode status = (ObjectNode) Fixtures.json("openvex-orders.json");
    ((ObjectNode) status.get("statements").get(1)).put("status", "exploitable");
    ObjectNode justification = (ObjectNode) Fixtures.json("openvex-orders.json");
    ((ObjectNode) justification.get("statements").get(0)).put("justification", "not_used");
    ObjectNode stringVuln = (ObjectNode) Fixtures.json("openvex-orders.json");
    ((ObjectNode) stringVuln.get("statements").get(0)).put("vulnerability", "CVE-2022-42003");

    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, old))).hasMessageContaining("Gantry reads https://openvex.dev/ns/v0.2.0");
    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, status)))
        .hasMessageContaining("statement 2 (CVE-2023-44487) has status 'exploitable'");
    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, justification)))
        .hasMessageContaining("has justification 'not_used'");
    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, stringVuln)))
        .hasMessageContaining("statement 1 has no vulnerability object");
  }

  @Test
  void attestedOpenVexIsLimitedToTheAttestationSubject() {
    JsonNode predicate = Fixtures.parse("""
        {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://openvex.dev/docs/public/vex-2",
         "author": "cart team", "timestamp": "2026-02-27T09:00:00Z", "version": 1,
         "statements": [
           {"vulnerability": {"name": "CVE-2023-5363"}, "products": [{"@id": "pkg:apk/alpine/libcrypto3"}],
            "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
           {"vulnerability": {"name": "CVE-2023-42366"}, "status": "not_affected", "justification": "component_not_present"}]}
        """);

    List<VexStatement> statements = Vex.parse(Fixtures.attested(EvidenceType.VEX, "https://openvex.dev/ns", predicate, CART));

    assertThat(statements).extracting(VexStatement::products, VexStatement::imageDigests)
        .containsExactly(tuple(List.of("pkg:apk/alpine/libcrypto3"), List.of(CART)),
            tuple(List.of(), List.of(CART))); // no products: the attestation's subject is the product
  }

  @Test
  void aRawOpenVexStatementWithNoProductIsRefused() {
    ObjectNode json = (ObjectNode) Fixtures.json("openvex-orders.json");
    ((ObjectNode) json.get("statements").get(3)).remove("products");

    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, json)))
        .hasMessageContaining("statement 4 (CVE-2016-1000027) names no product");
  }

  @Test
  void cycloneDxVexResolvesRefsAndMapsStates() {
    var doc = Fixtures.vex("cyclonedx-vex-orders.json");

    List<VexStatement> statements = Vex.parse(doc);

    assertThat(statements)
        .extracting(VexStatement::vulnerability, VexStatement::status, VexStatement::justification, VexStatement::products, VexStatement::imageDigests)
        .containsExactly(
            tuple("CVE-2016-1000027", "not_affected", "code_not_reachable", List.of("pkg:maven/org.springframework/spring-web@5.3.27"), List.of(ORDERS)),
            tuple("CVE-2023-4911", "affected", null, List.of("pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12.1"), List.of(ORDERS)),
            tuple("CVE-2023-44487", "under_investigation", null, List.of("pkg:maven/io.netty/netty-codec-http2@4.1.94.Final"), List.of(ORDERS)),
            tuple("CVE-2023-45853", "not_affected", "false_positive", List.of(), List.of(ORDERS)));
    assertThat(statements.getFirst().aliases()).containsExactly("GHSA-4wrc-f8pq-fpqp");
    assertThat(statements.getFirst().timestamp()).isEqualTo(Instant.parse("2026-02-26T11:55:00Z"));
    assertThat(statements.get(1).timestamp()).as("inherits metadata.timestamp").isEqualTo(Instant.parse("2026-02-26T12:00:00Z"));
    assertThat(statements).allSatisfy(s -> assertThat(s.format()).isEqualTo("CycloneDX VEX"));
  }

  @Test
  void cycloneDxWithoutVulnerabilitiesOrWithUnknownStateIsRefused() {
    JsonNode sbom = Fixtures.parse("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}");
    ObjectNode state = (ObjectNode) Fixtures.json("cyclonedx-vex-orders.json");
    ((ObjectNode) state.get("vulnerabilities").get(2).get("analysis")).put("state", "wontfix");

    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, sbom))).hasMessageContaining("an SBOM, not VEX");
    assertThatThrownBy(() -> Vex.parse(Fixtures.doc(EvidenceType.VEX, state)))
        .hasMessageContaining("vulnerabilities[2] (CVE-2023-44487) has analysis.state 'wontfix'");
  }
}
