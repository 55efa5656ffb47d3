package dev.gantry.scan;

import static dev.gantry.scan.Fixtures.CART;
import static dev.gantry.scan.Fixtures.CART_RELEASE;
import static dev.gantry.scan.Fixtures.ORDERS;
import static dev.gantry.scan.Fixtures.ORDERS_RELEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.FindingVerdict;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.ScanException;
import dev.gantry.evidence.ScanPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScanGateTest {
  static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  static final String LIBCRYPTO = "pkg:apk/alpine/libcrypto3@3.1.3-r0?arch=x86_64&distro=3.18.4";

  static ScanPolicy seedRule(ScanException... exceptions) {
    return new ScanPolicy("HIGH", false, null, Arrays.asList(exceptions));
  }

  static ScanGate.Result evaluate(
      ReleaseRef release, ScanPolicy policy, List<EvidenceDocument> reports, List<EvidenceDocument> vex) {
    return ScanGate.evaluate(release, policy, reports, vex, NOW);
  }

  static FindingVerdict finding(GateVerdict verdict, String vulnerability) {
    return verdict.findings().stream().filter(f -> f.vulnerability().equals(vulnerability)).findFirst().orElseThrow();
  }

  @Test
  void seedRuleFailsOnTheOneHighFindingAndListsIt() {
    ScanGate.Result result = evaluate(CART_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-cart.json")), List.of());

    GateVerdict v = result.verdict();
    assertThat(v.gate()).isEqualTo("scan");
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).contains(
        "blocked: CVE-2023-5363 HIGH in libcrypto3 3.1.3-r0 (" + LIBCRYPTO + "), fixed in 3.1.4-r0");
    assertThat(v.reasons().getFirst()).contains("4 findings, 1 blocked, 0 suppressed, 3 ignored (fails on HIGH and above)");
    assertThat(v.findings()).extracting(FindingVerdict::vulnerability, FindingVerdict::disposition, FindingVerdict::by)
        .containsExactly(
            tuple("CVE-2023-5363", "BLOCKED", null),
            tuple("CVE-2023-5678", "IGNORED", "below HIGH"),
            tuple("CVE-2023-5678", "IGNORED", "below HIGH"),
            tuple("CVE-2023-42366", "IGNORED", "below HIGH"));
    assertThat(v.evidence()).containsExactly(result.report().sha256());
    assertThat(result.report().format()).isEqualTo("Trivy");
  }

  @Test
  void seedRulePassesWithAValidExceptionAndSaysWhoApprovedIt() {
    ScanException exception = new ScanException(
        "CVE-2023-5363", LIBCRYPTO, Instant.parse("2026-06-01T00:00:00Z"), "cart never uses the affected ciphers", "alice");

    GateVerdict v = evaluate(CART_RELEASE, seedRule(exception), List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
    String by = "exception approved by alice until 2026-06-01T00:00:00Z: cart never uses the affected ciphers";
    assertThat(finding(v, "CVE-2023-5363").disposition()).isEqualTo("SUPPRESSED");
    assertThat(finding(v, "CVE-2023-5363").by()).isEqualTo(by);
    assertThat(v.reasons()).contains("suppressed: CVE-2023-5363 HIGH in libcrypto3 3.1.3-r0 (" + LIBCRYPTO + ") by " + by);
  }

  @Test
  void anExpiredExceptionDoesNotSuppressAndTheVerdictSaysSo() {
    ScanException expired = new ScanException(
        "CVE-2023-5363", null, Instant.parse("2026-03-01T00:00:00Z"), "until the base image bump", "alice");

    GateVerdict v = evaluate(CART_RELEASE, seedRule(expired), List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding(v, "CVE-2023-5363").disposition()).isEqualTo("BLOCKED");
    assertThat(v.reasons()).anyMatch(r -> r.startsWith("exception for CVE-2023-5363 expired at 2026-03-01T00:00:00Z"));
  }

  @Test
  void anExceptionExpiringExactlyNowNoLongerApplies() {
    ScanException edge = new ScanException("CVE-2023-5363", null, NOW, "until noon", "alice");

    GateVerdict v = evaluate(CART_RELEASE, seedRule(edge), List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void anExceptionForAnotherPackageDoesNotApplyButQualifierOrderDoesNotMatter() {
    Instant later = Instant.parse("2026-06-01T00:00:00Z");
    ScanException libssl = new ScanException(
        "CVE-2023-5363", "pkg:apk/alpine/libssl3@3.1.3-r0?arch=x86_64&distro=3.18.4", later, "libssl only", "bob");
    ScanException reordered = new ScanException(
        "CVE-2023-5363", "pkg:apk/alpine/libcrypto3@3.1.3-r0?distro=3.18.4&arch=x86_64", later, "same package", "bob");

    assertThat(evaluate(CART_RELEASE, seedRule(libssl), List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict().outcome())
        .isEqualTo(Outcome.FAIL);
    assertThat(evaluate(CART_RELEASE, seedRule(reordered), List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict().outcome())
        .isEqualTo(Outcome.PASS);
  }

  @Test
  void anExceptionWithoutPurlCoversEveryPackageWithThatVulnerability() {
    ScanException both = new ScanException("CVE-2023-5678", null, Instant.parse("2026-06-01T00:00:00Z"), "DH unused", "carol");
    ScanPolicy medium = new ScanPolicy("MEDIUM", false, null, List.of(both));

    GateVerdict v = evaluate(CART_RELEASE, medium, List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict();

    assertThat(v.findings()).filteredOn(f -> f.vulnerability().equals("CVE-2023-5678"))
        .hasSize(2).allSatisfy(f -> assertThat(f.disposition()).isEqualTo("SUPPRESSED"));
    assertThat(finding(v, "CVE-2023-5363").disposition()).isEqualTo("BLOCKED");
    assertThat(finding(v, "CVE-2023-42366").by()).isEqualTo("below MEDIUM");
  }

  @Test
  void noReportIsMissingEvidence() {
    GateVerdict v = evaluate(CART_RELEASE, seedRule(), List.of(), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.MISSING);
    assertThat(v.reasons()).singleElement().asString().contains("no scan report for " + CART);
  }

  @Test
  void aReportAboutAnotherDigestIsRefused() {
    ScanGate.Result result = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-cart.json")), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString()
        .contains("is about " + CART + " not " + ORDERS);
    assertThat(result.report()).isNull();
  }

  @Test
  void anAttestedReportForAnotherDigestIsRefusedWhateverItsContentSays() {
    var doc = Fixtures.attested(EvidenceType.SCAN, ScanReports.COSIGN_VULN_PREDICATE, Fixtures.json("cosign-vuln-cart.json"), ORDERS);

    GateVerdict v = evaluate(CART_RELEASE, seedRule(), List.of(doc), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).singleElement().asString().contains("is about " + ORDERS + " not " + CART);
  }

  @Test
  void aReportOlderThanAllowedIsRefusedWithBothTimes() {
    ScanPolicy hourOld = new ScanPolicy("HIGH", false, Duration.ofHours(1), List.of());

    GateVerdict v = evaluate(CART_RELEASE, hourOld, List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).singleElement().asString()
        .contains("was created at 2026-03-02T08:12:44.318262917Z")
        .contains("more than 1 hour")
        .contains("before now (2026-03-02T12:00:00Z)");
  }

  @Test
  void aReportThatDoesNotSayWhenItWasMadeIsRefusedWhenAgeIsLimited() {
    ObjectNode json = (ObjectNode) Fixtures.json("trivy-cart.json");
    json.remove("CreatedAt");
    EvidenceDocument doc = Fixtures.doc(EvidenceType.SCAN, json);

    GateVerdict limited = evaluate(CART_RELEASE, new ScanPolicy("HIGH", false, Duration.ofDays(7), List.of()), List.of(doc), List.of()).verdict();
    GateVerdict unlimited = evaluate(CART_RELEASE, new ScanPolicy("LOW", false, null, List.of()), List.of(doc), List.of()).verdict();

    assertThat(limited.reasons()).singleElement().asString().contains("does not say when it was created")
        .contains("limits report age to 7 days");
    assertThat(unlimited.reasons()).noneMatch(r -> r.startsWith("refused"));
    assertThat(unlimited.findings()).hasSize(4);
  }

  @Test
  void aReportDatedInTheFutureIsRefused() {
    ObjectNode json = (ObjectNode) Fixtures.json("trivy-cart.json");
    json.put("CreatedAt", "2099-01-01T00:00:00Z");

    GateVerdict v = evaluate(CART_RELEASE, new ScanPolicy("HIGH", false, Duration.ofDays(1), List.of()),
        List.of(Fixtures.doc(EvidenceType.SCAN, json)), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).singleElement().asString().contains("was created at 2099-01-01T00:00:00Z, after now");
  }

  @Test
  void aRawReportNamingNoDigestIsAcceptedWithANote() {
    ObjectNode json = (ObjectNode) Fixtures.json("trivy-cart.json");
    json.put("ArtifactName", "cart.tar");
    ((ObjectNode) json.get("Metadata")).remove("RepoDigests");
    EvidenceDocument doc = Fixtures.doc(EvidenceType.SCAN, json);

    GateVerdict v = evaluate(ORDERS_RELEASE, seedRule(), List.of(doc), List.of()).verdict();

    assertThat(v.findings()).hasSize(4);
    assertThat(v.reasons()).contains("scan report " + doc.sha256() + " (Trivy) names no image digest; accepted as evidence given for " + ORDERS);
  }

  @Test
  void ignoreUnfixedIgnoresFindingsWithoutAFixedVersion() {
    ScanPolicy policy = new ScanPolicy("HIGH", true, null, List.of());

    GateVerdict v = evaluate(ORDERS_RELEASE, policy, List.of(Fixtures.scan("trivy-orders.json")), List.of()).verdict();

    assertThat(finding(v, "CVE-2023-45853").disposition()).isEqualTo("IGNORED");
    assertThat(finding(v, "CVE-2023-45853").by()).isEqualTo("no fix available; policy ignores unfixed");
    assertThat(finding(v, "CVE-2023-4911").disposition()).isEqualTo("BLOCKED");
    assertThat(v.reasons().getFirst()).contains("(fails on HIGH and above, unfixed ignored)");
  }

  @Test
  void openVexNotAffectedSuppressesButAffectedAndUnderInvestigationDoNot() {
    EvidenceDocument vex = Fixtures.vex("openvex-orders.json");

    GateVerdict v = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")), List.of(vex)).verdict();

    assertThat(finding(v, "CVE-2022-42003").disposition()).isEqualTo("SUPPRESSED");
    assertThat(finding(v, "CVE-2022-42003").by()).isEqualTo("OpenVEX " + vex.sha256() + " not_affected (vulnerable_code_not_in_execute_path)");
    assertThat(finding(v, "CVE-2016-1000027").by()).isEqualTo("OpenVEX " + vex.sha256() + " not_affected (vulnerable_code_not_present)");
    assertThat(finding(v, "CVE-2023-44487").disposition()).as("affected").isEqualTo("BLOCKED");
    assertThat(finding(v, "CVE-2023-4911").disposition()).as("under_investigation").isEqualTo("BLOCKED");
    assertThat(finding(v, "CVE-2023-45853").disposition()).isEqualTo("BLOCKED");
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.evidence()).contains(vex.sha256());
  }

  @Test
  void aVersionedVexProductDoesNotCoverAnotherVersion() {
    ObjectNode json = (ObjectNode) Fixtures.json("openvex-orders.json");
    ((ObjectNode) json.get("statements").get(3).get("products").get(0)).put("@id", "pkg:maven/org.springframework/spring-web@5.3.26");

    GateVerdict v = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")),
        List.of(Fixtures.doc(EvidenceType.VEX, json))).verdict();

    assertThat(finding(v, "CVE-2016-1000027").disposition()).isEqualTo("BLOCKED");
  }

  @Test
  void whenVexStatementsDisagreeTheNewestWins() {
    EvidenceDocument older = openVex("2026-02-01T00:00:00Z", "not_affected");
    EvidenceDocument newer = openVex("2026-02-15T00:00:00Z", "affected");
    EvidenceDocument newest = openVex("2026-02-28T00:00:00Z", "not_affected");
    List<EvidenceDocument> report = List.of(Fixtures.scan("trivy-orders.json"));

    assertThat(finding(evaluate(ORDERS_RELEASE, seedRule(), report, List.of(older, newer)).verdict(), "CVE-2023-44487").disposition())
        .isEqualTo("BLOCKED");
    assertThat(finding(evaluate(ORDERS_RELEASE, seedRule(), report, List.of(newest, newer, older)).verdict(), "CVE-2023-44487").by())
        .isEqualTo("OpenVEX " + newest.sha256() + " not_affected (vulnerable_code_not_present)");
  }

  @Test
  void aVexDocumentWithoutJustificationIsRefusedAndSuppressesNothing() {
    EvidenceDocument bad = Fixtures.vex("openvex-no-justification.json");

    GateVerdict v = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")), List.of(bad)).verdict();

    // its first statement is valid, but a refused document counts for nothing
    assertThat(finding(v, "CVE-2023-44487").disposition()).isEqualTo("BLOCKED");
    assertThat(finding(v, "CVE-2022-42003").disposition()).isEqualTo("BLOCKED");
    assertThat(v.reasons()).anyMatch(r -> r.startsWith("refused: VEX " + bad.sha256())
        && r.contains("statement 2 (CVE-2022-42003) is not_affected without a justification"));
  }

  @Test
  void vexAboutAnotherImageSuppressesNothing() {
    ObjectNode json = (ObjectNode) Fixtures.json("openvex-orders.json");
    ((ObjectNode) json.get("statements").get(0).get("products").get(0))
        .put("@id", "pkg:oci/orders@sha256%3A" + CART.substring(7));
    JsonNode attested = Fixtures.json("openvex-orders.json");
    EvidenceDocument forCart = Fixtures.attested(EvidenceType.VEX, "https://openvex.dev/ns", attested, CART);

    GateVerdict raw = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")),
        List.of(Fixtures.doc(EvidenceType.VEX, json))).verdict();
    GateVerdict signed = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")), List.of(forCart)).verdict();

    assertThat(finding(raw, "CVE-2022-42003").disposition()).isEqualTo("BLOCKED");
    assertThat(finding(raw, "CVE-2016-1000027").disposition()).as("other statements still apply").isEqualTo("SUPPRESSED");
    // the attestation binds statements without an image product to its subject, the cart image
    assertThat(finding(signed, "CVE-2016-1000027").disposition()).isEqualTo("BLOCKED");
  }

  @Test
  void cycloneDxVexSuppressesNotAffectedAndFalsePositiveButNotExploitable() {
    EvidenceDocument vex = Fixtures.vex("cyclonedx-vex-orders.json");

    GateVerdict v = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")), List.of(vex)).verdict();

    assertThat(finding(v, "CVE-2016-1000027").by()).isEqualTo("CycloneDX VEX " + vex.sha256() + " not_affected (code_not_reachable)");
    assertThat(finding(v, "CVE-2023-45853").by()).isEqualTo("CycloneDX VEX " + vex.sha256() + " not_affected (false_positive)");
    assertThat(finding(v, "CVE-2023-4911").disposition()).isEqualTo("BLOCKED");
    assertThat(finding(v, "CVE-2023-44487").disposition()).isEqualTo("BLOCKED");
  }

  @Test
  void anExceptionOnTheCveMatchesAGrypeFindingReportedUnderItsGhsaId() {
    ScanException cve = new ScanException("CVE-2022-42003", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",
        Instant.parse("2026-04-01T00:00:00Z"), "UNWRAP_SINGLE_VALUE_ARRAYS is off", "dave");

    GateVerdict v = evaluate(ORDERS_RELEASE, seedRule(cve), List.of(Fixtures.scan("grype-orders.json")), List.of()).verdict();

    assertThat(finding(v, "GHSA-jjjh-jjxp-wpff").disposition()).isEqualTo("SUPPRESSED");
    assertThat(finding(v, "CVE-2011-3374").by()).isEqualTo("below HIGH");
  }

  @Test
  void anUnknownFailOnFailsAsMisconfigured() {
    GateVerdict v = evaluate(CART_RELEASE, new ScanPolicy("SEVERE", false, null, List.of()),
        List.of(Fixtures.scan("trivy-cart.json")), List.of()).verdict();

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).singleElement().asString().contains("failOn 'SEVERE'").contains("misconfigured");
  }

  @Test
  void unknownSeverityBlocksOnlyWhenThePolicyFailsOnUnknown() {
    List<EvidenceDocument> report = List.of(Fixtures.scan("trivy-orders.json"));

    assertThat(finding(evaluate(ORDERS_RELEASE, seedRule(), report, List.of()).verdict(), "TEMP-0841856-B18BAF").by())
        .isEqualTo("below HIGH");
    assertThat(finding(evaluate(ORDERS_RELEASE, new ScanPolicy("unknown", false, null, List.of()), report, List.of()).verdict(),
            "TEMP-0841856-B18BAF").disposition())
        .isEqualTo("BLOCKED");
  }

  @Test
  void theNewestUsableReportIsJudged() {
    EvidenceDocument trivy = Fixtures.scan("trivy-cart.json"); // 08:12:44Z
    EvidenceDocument attested = Fixtures.attested(
        EvidenceType.SCAN, ScanReports.COSIGN_VULN_PREDICATE, Fixtures.json("cosign-vuln-cart.json"), CART); // 09:12:40Z
    ObjectNode otherJson = (ObjectNode) Fixtures.json("trivy-orders.json");
    otherJson.put("CreatedAt", "2026-03-02T11:00:00Z");
    EvidenceDocument newestButOther = Fixtures.doc(EvidenceType.SCAN, otherJson);

    ScanGate.Result result = evaluate(CART_RELEASE, seedRule(), List.of(trivy, newestButOther, attested), List.of());

    assertThat(result.report().sha256()).isEqualTo(attested.sha256());
    assertThat(result.report().format()).isEqualTo("cosign-vuln");
    assertThat(result.verdict().findings()).hasSize(2);
    assertThat(result.verdict().reasons()).anyMatch(r -> r.contains(newestButOther.sha256() + " is about " + ORDERS));
    assertThat(result.verdict().evidence()).containsExactlyInAnyOrder(trivy.sha256(), newestButOther.sha256(), attested.sha256());
  }

  @Test
  void outputIsOrderedBySeverityThenIdThenPurlWhateverTheInputOrder() {
    EvidenceDocument vex1 = Fixtures.vex("openvex-orders.json");
    EvidenceDocument vex2 = Fixtures.vex("cyclonedx-vex-orders.json");
    ObjectNode reversed = (ObjectNode) Fixtures.json("trivy-orders.json");
    ArrayNode results = (ArrayNode) reversed.get("Results");
    JsonNode first = results.remove(0);
    results.add(first);

    GateVerdict a = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.scan("trivy-orders.json")), List.of(vex1, vex2)).verdict();
    GateVerdict b = evaluate(ORDERS_RELEASE, seedRule(), List.of(Fixtures.doc(EvidenceType.SCAN, reversed)), List.of(vex2, vex1)).verdict();

    assertThat(a.findings()).extracting(FindingVerdict::vulnerability).containsExactly(
        "CVE-2016-1000027", "CVE-2023-45853", "CVE-2022-42003", "CVE-2023-44487", "CVE-2023-4911",
        "CVE-2023-50495", "CVE-2011-3374", "TEMP-0841856-B18BAF");
    assertThat(b.findings()).isEqualTo(a.findings());
    assertThat(b.reasons().subList(1, b.reasons().size())).isEqualTo(a.reasons().subList(1, a.reasons().size()));
  }

  @Test
  void aLargeReportIsJudgedThroughIndexes() {
    int n = 2_000;
    ObjectNode report = Json.WRITER.createObjectNode();
    report.put("SchemaVersion", 2);
    report.put("CreatedAt", "2026-03-02T11:00:00Z");
    report.putObject("Metadata").putArray("RepoDigests").add("registry.example.com/shop/orders@" + ORDERS);
    ArrayNode vulns = report.putArray("Results").addObject().put("Target", "Java").putArray("Vulnerabilities");
    String[] severities = {"CRITICAL", "HIGH", "MEDIUM", "LOW"};
    for (int i = 0; i < n; i++) {
      ObjectNode v = vulns.addObject();
      v.put("VulnerabilityID", "CVE-2025-" + (10000 + i));
      v.put("PkgName", "org.example:lib" + (i % 500));
      v.putObject("PkgIdentifier").put("PURL", "pkg:maven/org.example/lib" + (i % 500) + "@1." + (i % 7) + ".0");
      v.put("InstalledVersion", "1." + (i % 7) + ".0");
      v.put("FixedVersion", "2.0.0");
      v.put("Severity", severities[i % 4]);
    }
    List<ScanException> exceptions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      exceptions.add(new ScanException("CVE-2025-" + (10000 + i), null, Instant.parse("2026-12-31T00:00:00Z"), "accepted risk", "erin"));
    }
    ObjectNode vex = (ObjectNode) Fixtures.parse(
        "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"https://openvex.dev/docs/public/vex-big\","
            + "\"author\":\"orders team\",\"timestamp\":\"2026-02-01T00:00:00Z\",\"version\":1,\"statements\":[]}");
    for (int i = 100; i < 300; i++) {
      ObjectNode s = ((ArrayNode) vex.get("statements")).addObject();
      s.putObject("vulnerability").put("name", "CVE-2025-" + (10000 + i));
      s.putArray("products").addObject().put("@id", "pkg:maven/org.example/lib" + (i % 500));
      s.put("status", "not_affected");
      s.put("justification", "vulnerable_code_not_in_execute_path");
    }
    ScanPolicy policy = new ScanPolicy("HIGH", false, Duration.ofDays(1), exceptions);
    List<EvidenceDocument> reports = List.of(Fixtures.doc(EvidenceType.SCAN, report));
    List<EvidenceDocument> vexDocs = List.of(Fixtures.doc(EvidenceType.VEX, vex));

    GateVerdict v = null;
    long best = Long.MAX_VALUE;
    for (int run = 0; run < 100; run++) {
      long start = System.nanoTime();
      v = ScanGate.evaluate(ORDERS_RELEASE, policy, reports, vexDocs, NOW).verdict();
      best = Math.min(best, System.nanoTime() - start);
    }
    System.out.printf("scan gate: %d findings, %d exceptions, 200 VEX statements: best of 100 runs %.2f ms%n",
        n, exceptions.size(), best / 1e6);

    // half of the findings are HIGH or CRITICAL; 50 of them have exceptions and 100 VEX statements
    assertThat(v.findings()).hasSize(n);
    assertThat(v.findings()).filteredOn(f -> f.disposition().equals("IGNORED")).hasSize(1_000);
    assertThat(v.findings()).filteredOn(f -> f.by() != null && f.by().startsWith("exception")).hasSize(50);
    assertThat(v.findings()).filteredOn(f -> f.by() != null && f.by().startsWith("OpenVEX")).hasSize(100);
    assertThat(v.findings()).filteredOn(f -> f.disposition().equals("BLOCKED")).hasSize(850);
    assertThat(v.reasons().getFirst()).contains("2000 findings, 850 blocked, 150 suppressed, 1000 ignored");
  }

  /** One statement about netty's HTTP/2 codec in the orders image, made at {@code time}. */
  static EvidenceDocument openVex(String time, String status) {
    String reason = status.equals("not_affected") ? ", \"justification\": \"vulnerable_code_not_present\"" : ", \"action_statement\": \"upgrade netty\"";
    return Fixtures.doc(EvidenceType.VEX, Fixtures.parse("""
        {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://openvex.dev/docs/public/vex-%s",
         "author": "orders team", "timestamp": "%s", "version": 1,
         "statements": [{"vulnerability": {"name": "CVE-2023-44487"},
           "products": [{"@id": "pkg:oci/orders@sha256%%3A%s", "subcomponents": [{"@id": "pkg:maven/io.netty/netty-codec-http2@4.1.94.Final"}]}],
           "status": "%s"%s}]}
        """.formatted(time, time, ORDERS.substring(7), status, reason)));
  }
}
