package dev.gantry.evidence;

import dev.gantry.testsupport.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.catalog.CatalogActivitiesImpl;
import dev.gantry.catalog.ComponentIndex;
import dev.gantry.catalog.PromotionRecord;
import dev.gantry.catalog.ReleaseRecord;
import dev.gantry.evaluation.EvaluationGate;
import dev.gantry.lockfile.LockfileGate;
import dev.gantry.provenance.ProvenanceGate;
import dev.gantry.sbom.DependencyDiffGate;
import dev.gantry.sbom.SbomGate;
import dev.gantry.scan.ScanGate;
import dev.gantry.scan.ScanReports;
import dev.gantry.scan.Vex;
import dev.gantry.signing.SignatureGate;
import dev.gantry.model.ImageRef;
import dev.gantry.objects.LocalObjectStore;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.signing.CosignSigner;
import dev.gantry.signing.CosignVerifier;
import dev.gantry.signing.PemSigner;
import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence path end to end on real parts: attestations written to an OCI layout the way cosign
 * stores them, collected, stored content-addressed, judged by the gates against PostgreSQL.
 */
class EvidenceActivitiesImplTest {
  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();
  static final String REPO = "https://github.com/acme/shop";
  static final String BUILDER = REPO + "/.github/workflows/release.yml@refs/heads/main";
  static final KeyPair CI = TestKeys.p256();
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir Path root;
  private RegistrySettings settings;
  private EvidenceStore store;
  private EvidenceUploads uploads;
  private EvidenceActivitiesImpl evidence;
  private CatalogActivitiesImpl catalog;
  private Path layout;

  @BeforeEach
  void setUp() {
    db.truncate();
    layout = root.resolve("oci").resolve("shop");
    settings = RegistrySettings.allowing("oci:" + root.resolve("oci"));
    store = new EvidenceStore(db.dataSource(), new LocalObjectStore(root.resolve("objects")));
    catalog = new CatalogActivitiesImpl(db.dataSource());
    evidence = new EvidenceActivitiesImpl(db.dataSource(), store, ref -> Attachments.list(ref, settings),
        gates(settings, new ComponentIndex(db.dataSource())), Clock.fixed(NOW, java.time.ZoneOffset.UTC));
    uploads = new EvidenceUploads(store, List.of(
        EvidenceCheck.of(EvidenceType.PROVENANCE, ProvenanceGate::check),
        EvidenceCheck.of(EvidenceType.SBOM, SbomGate::check),
        EvidenceCheck.of(EvidenceType.SCAN, ScanReports::parse),
        EvidenceCheck.of(EvidenceType.VEX, Vex::parse),
        EvidenceCheck.of(EvidenceType.LOCKFILE, LockfileGate::check)));
  }

  /** The worker's gates, in its order (WorkerConfiguration.gates). */
  static List<Gate> gates(RegistrySettings settings, ComponentIndex components) {
    return List.of(new SignatureGate(settings), new ProvenanceGate(), new SbomGate(components), new LockfileGate(),
        new DependencyDiffGate(), new ScanGate(components), new EvaluationGate());
  }

  static final EvidencePolicy ALL = new EvidencePolicy(
      new ProvenancePolicy(List.of(REPO + "/.github/workflows/release.yml@refs/heads/*"), REPO, List.of(PublicKeys.pem(CI.getPublic()))),
      SbomPolicy.defaults(),
      new DependencyPolicy(true, List.of("AGPL-3.0-only")),
      new LockfilePolicy("package-lock.json"),
      new ScanPolicy("HIGH", false, Duration.ofDays(7), List.of()),
      null,
      Duration.ZERO);

  // --- a release with its attachments ------------------------------------------------------

  private ReleaseRef release(int n, List<String[]> deps, boolean highFinding) {
    String commit = String.format("%040x", 0xabc000L + n);
    String digest = new OciImageWriter().file("app/build", "build " + n).writeLayout(layout, "v" + n);
    catalog.recordRelease(new ReleaseRecord("shop", commit, "v" + n, digest, "erin", "ci", "release/shop/" + commit, "IN_PROGRESS", NOW));
    ReleaseRef ref = new ReleaseRef("shop", commit, "oci:" + layout, digest);
    String hex = digest.substring(7);
    attach(ref, "https://slsa.dev/provenance/v1", provenance(commit), AttestationWriter.Form.LEGACY_ATT);
    attach(ref, "https://cyclonedx.org/bom", sbom(hex, deps), AttestationWriter.Form.REFERRER);
    attach(ref, "https://cosign.sigstore.dev/attestation/vuln/v1", vuln(hex, highFinding), AttestationWriter.Form.LEGACY_ATT);
    return ref;
  }

  private void attach(ReleaseRef ref, String predicateType, ObjectNode predicate, AttestationWriter.Form form) {
    ObjectNode s = Json.WRITER.createObjectNode();
    s.put("_type", InTotoStatement.V1);
    s.putArray("subject").addObject().put("name", "shop").putObject("digest").put("sha256", ref.digest().substring(7));
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    Dsse.Envelope env = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, s.toString().getBytes(StandardCharsets.UTF_8), CI.getPrivate(), "");
    AttestationWriter.attach(new ImageRef(ref.image(), ref.digest()), env.toJson().toString().getBytes(StandardCharsets.UTF_8), predicateType, form, settings);
  }

  static ObjectNode provenance(String commit) {
    ObjectNode p = Json.WRITER.createObjectNode();
    ObjectNode def = p.putObject("buildDefinition");
    def.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
    def.putObject("externalParameters").putObject("workflow").put("ref", "refs/heads/main").put("repository", REPO).put("path", ".github/workflows/release.yml");
    ArrayNode resolved = def.putArray("resolvedDependencies");
    ObjectNode src = resolved.addObject().put("uri", "git+" + REPO + "@refs/heads/main");
    src.putObject("digest").put("gitCommit", commit);
    resolved.addObject().put("uri", REPO + "/blob/" + commit + "/package-lock.json").put("name", "package-lock.json")
        .putObject("digest").put("sha256", "1".repeat(64));
    p.putObject("runDetails").putObject("builder").put("id", BUILDER);
    return p;
  }

  static ObjectNode sbom(String hex, List<String[]> deps) {
    ObjectNode bom = Json.WRITER.createObjectNode();
    bom.put("bomFormat", "CycloneDX").put("specVersion", "1.6").put("version", 1);
    bom.putObject("metadata").putObject("component").put("type", "container").put("name", "shop").put("purl", "pkg:oci/shop@sha256%3A" + hex);
    ArrayNode components = bom.putArray("components");
    for (String[] d : deps) {
      ObjectNode c = components.addObject().put("type", "library").put("name", d[0]).put("version", d[1]).put("purl", "pkg:npm/" + d[0] + "@" + d[1]);
      c.putArray("licenses").addObject().putObject("license").put("id", d[2]);
    }
    return bom;
  }

  static ObjectNode vuln(String hex, boolean high) {
    ObjectNode trivy = Json.WRITER.createObjectNode();
    trivy.put("SchemaVersion", 2).put("CreatedAt", NOW.minusSeconds(3600).toString()).put("ArtifactName", "shop@sha256:" + hex);
    trivy.putObject("Metadata").putArray("RepoDigests").add("shop@sha256:" + hex);
    ArrayNode vulns = trivy.putArray("Results").addObject().put("Target", "package-lock.json").put("Class", "lang-pkgs").put("Type", "npm")
        .putArray("Vulnerabilities");
    vulns.addObject().put("VulnerabilityID", "CVE-2024-47764").put("PkgName", "cookie").put("InstalledVersion", "0.7.1")
        .put("FixedVersion", "0.7.2").put("Severity", "LOW").putObject("PkgIdentifier").put("PURL", "pkg:npm/cookie@0.7.1");
    if (high) {
      vulns.addObject().put("VulnerabilityID", "CVE-2021-23337").put("PkgName", "lodash").put("InstalledVersion", "4.17.20")
          .put("FixedVersion", "4.17.21").put("Severity", "HIGH").putObject("PkgIdentifier").put("PURL", "pkg:npm/lodash@4.17.20");
    }
    ObjectNode predicate = Json.WRITER.createObjectNode();
    predicate.putObject("scanner").put("uri", "pkg:github/aquasecurity/trivy@0.58.1").put("version", "0.58.1").set("result", trivy);
    predicate.putObject("metadata").put("scanStartedOn", NOW.minusSeconds(3700).toString()).put("scanFinishedOn", NOW.minusSeconds(3600).toString());
    return predicate;
  }

  static final List<String[]> V1 = List.of(new String[] {"express", "4.19.2", "MIT"}, new String[] {"cookie", "0.7.1", "MIT"});

  private Assessment assess(ReleaseRef ref, String env, EvidencePolicy policy) {
    return evidence.assess(new AssessRequest(ref, env, policy, null));
  }

  private long count(String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // --- tests --------------------------------------------------------------------------------

  @Test
  void collectsWhatCosignWouldAttachAndEveryGatePasses() throws Exception {
    ReleaseRef ref = release(1, V1, false);
    assertThat(evidence.collect(ref)).isEqualTo(3);
    assertThat(evidence.collect(ref)).as("collecting again stores nothing twice").isEqualTo(3);

    Assessment a = assess(ref, "production", ALL);
    assertThat(a.verdicts()).extracting(GateVerdict::gate).containsExactly("provenance", "sbom", "lockfile", "dependency-diff", "scan");
    assertThat(a.verdicts()).allSatisfy(v -> assertThat(v.outcome()).as(v.gate() + ": " + v.reasons()).isEqualTo(Outcome.PASS));
    assertThat(a.outcome()).isEqualTo(Outcome.PASS);

    JsonNode bundle = Json.read(store.get(a.bundleSha256()).orElseThrow(), "bundle");
    assertThat(Json.contentId(bundle)).isEqualTo(a.bundleSha256());
    assertThat(bundle.get("policyDigest").asText()).startsWith("sha256:");
    assertThat(bundle.get("members").findValuesAsText("source")).contains("layout:att", "layout:referrer", "gantry");
    assertThat(count("SELECT count(*) FROM release_components")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM scan_findings WHERE vulnerability = 'CVE-2024-47764'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM gate_verdicts WHERE bundle_sha256 = '" + a.bundleSha256() + "'")).isEqualTo(5);
    assertThat(assess(ref, "production", ALL).bundleSha256()).as("the same evidence and policy give the same bundle").isEqualTo(a.bundleSha256());
  }

  @Test
  void ciSignatureMustVerifyWithTheServicesKey() {
    ReleaseRef ref = release(1, V1, false);
    EvidencePolicy signed = new EvidencePolicy(null, null, null, null, null, null, Duration.ZERO,
        new SignaturePolicy(List.of(PublicKeys.pem(CI.getPublic()))));
    Assessment unsigned = assess(ref, "dev", signed);
    assertThat(unsigned.outcome()).as("CI may still be signing: missing, not refused").isEqualTo(Outcome.MISSING);
    assertThat(unsigned.summary()).contains("unsigned");

    ImageRef image = new ImageRef(ref.image(), ref.digest());
    CosignSigner.sign(image, PemSigner.fromKey(TestKeys.p256().getPrivate()), java.util.Map.of(), CosignSigner.Form.LEGACY, settings);
    Assessment otherKey = assess(ref, "dev", signed);
    assertThat(otherKey.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(otherKey.summary()).contains("no cosign signature").contains("verifies with the 1 trusted key");

    CosignSigner.sign(image, PemSigner.fromKey(CI.getPrivate()), java.util.Map.of(), CosignSigner.Form.BUNDLE, settings);
    Assessment ok = assess(ref, "dev", signed);
    assertThat(ok.outcome()).isEqualTo(Outcome.PASS);
    assertThat(ok.verdicts().getFirst().reasons()).anySatisfy(r -> assertThat(r).startsWith("BUNDLE signature"));
  }

  @Test
  void aHighFindingFailsTheScanGateAndTheBundleListsIt() {
    ReleaseRef ref = release(1, V1, true);
    evidence.collect(ref);
    Assessment a = assess(ref, "dev", ALL);
    assertThat(a.outcome()).isEqualTo(Outcome.FAIL);
    GateVerdict scan = a.verdicts().stream().filter(v -> v.gate().equals("scan")).findFirst().orElseThrow();
    assertThat(scan.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(String.join("\n", scan.reasons())).contains("CVE-2021-23337");
    assertThat(scan.findings()).as("the workflow gets reasons; findings stay in the bundle").isEmpty();
    assertThat(a.summary()).startsWith("scan FAIL");

    JsonNode bundle = Json.read(store.get(a.bundleSha256()).orElseThrow(), "bundle");
    JsonNode findings = bundle.at("/verdicts/4/findings");
    assertThat(findings.findValuesAsText("vulnerability")).contains("CVE-2021-23337", "CVE-2024-47764");
    assertThat(findings.findValuesAsText("disposition")).contains(FindingVerdict.BLOCKED, FindingVerdict.IGNORED);
  }

  @Test
  void noEvidenceIsMissingForEveryRequiredGate() {
    String digest = new OciImageWriter().file("app/bare", "x").writeLayout(layout, "bare");
    String commit = "f".repeat(40);
    catalog.recordRelease(new ReleaseRecord("shop", commit, "bare", digest, "erin", "ci", "release/shop/" + commit, "IN_PROGRESS", NOW));
    ReleaseRef ref = new ReleaseRef("shop", commit, "oci:" + layout, digest);
    assertThat(evidence.collect(ref)).isZero();
    Assessment a = assess(ref, "dev", new EvidencePolicy(ALL.provenance(), SbomPolicy.defaults(), null, null, ALL.scan(), null, Duration.ZERO));
    assertThat(a.outcome()).isEqualTo(Outcome.MISSING);
    assertThat(a.verdicts()).extracting(GateVerdict::outcome).containsOnly(Outcome.MISSING);
  }

  @Test
  void theDiffComparesWithThePreviousReleasePromotedThere() {
    ReleaseRef first = release(1, V1, false);
    evidence.collect(first);
    assertThat(assess(first, "production", ALL).passed()).isTrue();
    catalog.recordPromotion(new PromotionRecord("promotion/shop/production/1/run", "shop", "production", "PROMOTION", first.digest(), first.commit(),
        "g1", "PROMOTED", List.of("carol", "dave"), "gantry", null, NOW, null));

    ReleaseRef second = release(2, List.of(new String[] {"express", "4.18.0", "MIT"}, new String[] {"cookie", "0.7.1", "MIT"},
        new String[] {"mongo-lite", "1.0.0", "AGPL-3.0-only"}), false);
    evidence.collect(second);
    Assessment a = assess(second, "production", ALL);
    GateVerdict diff = a.verdicts().stream().filter(v -> v.gate().equals("dependency-diff")).findFirst().orElseThrow();
    assertThat(diff.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(String.join("\n", diff.reasons())).contains("express").contains("4.19.2").contains("4.18.0").contains("AGPL-3.0-only");
    assertThat(a.outcome()).isEqualTo(Outcome.FAIL);
    // the diff itself is stored as evidence of the release
    assertThat(store.documents("shop", second.commit())).anySatisfy(d -> assertThat(d.type()).isEqualTo(EvidenceType.DEPENDENCY_DIFF));
  }

  @Test
  void uploadsAreJudgedOnArrivalAndIdempotent() {
    ReleaseRef ref = release(1, V1, false);
    byte[] trivy = vuln(ref.digest().substring(7), false).get("scanner").get("result").toString().getBytes(StandardCharsets.UTF_8);
    EvidenceIntake.Received first = uploads.receive("shop", ref.commit(), EvidenceType.SCAN, "application/json", trivy, "ci");
    EvidenceIntake.Received again = uploads.receive("shop", ref.commit(), EvidenceType.SCAN, "application/json", trivy, "ci");
    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.sha256()).isEqualTo(first.sha256());

    byte[] lock = ("{\"path\":\"package-lock.json\",\"sha256\":\"" + "a".repeat(64) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(uploads.receive("shop", ref.commit(), EvidenceType.LOCKFILE, "application/json", lock, "ci").created()).isTrue();
    assertThatThrownBy(() -> uploads.receive("shop", ref.commit(), EvidenceType.LOCKFILE, "application/json",
            "{\"path\":\"../etc/passwd\",\"sha256\":\"xyz\"}".getBytes(StandardCharsets.UTF_8), "ci"))
        .isInstanceOf(InvalidEvidenceException.class);
    assertThatThrownBy(() -> uploads.receive("shop", ref.commit(), EvidenceType.SBOM, "application/vnd.cyclonedx+json",
            "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":\"not a list\"}".getBytes(StandardCharsets.UTF_8), "ci"))
        .isInstanceOf(InvalidEvidenceException.class);
    assertThatThrownBy(() -> uploads.receive("shop", ref.commit(), EvidenceType.BUNDLE, "application/json", "{}".getBytes(StandardCharsets.UTF_8), "ci"))
        .isInstanceOf(InvalidEvidenceException.class).hasMessageContaining("written by Gantry");
    assertThatThrownBy(() -> uploads.receive("shop", "e".repeat(40), EvidenceType.SCAN, "application/json", trivy, "ci"))
        .isInstanceOf(InvalidEvidenceException.class).hasMessageContaining("not in the catalog");
    assertThatThrownBy(() -> uploads.receive("shop", ref.commit(), EvidenceType.SCAN, "text plain", trivy, "ci"))
        .isInstanceOf(InvalidEvidenceException.class).hasMessageContaining("mediaType");
    assertThatThrownBy(() -> uploads.receive("shop", ref.commit(), EvidenceType.SCAN, "application/json", "[".repeat(10_000).getBytes(StandardCharsets.UTF_8), "ci"))
        .isInstanceOf(InvalidEvidenceException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void aPoisonedAttachmentFailsAtOnceAndIsNotRetried() {
    String digest = new OciImageWriter().file("app/poison", "p").writeLayout(layout, "poison");
    String commit = "d".repeat(40);
    catalog.recordRelease(new ReleaseRecord("shop", commit, "poison", digest, "erin", "ci", "release/shop/" + commit, "IN_PROGRESS", NOW));
    ImageRef image = new ImageRef("oci:" + layout, digest);
    // the writer refuses to attach what is not JSON at all
    assertThatThrownBy(() -> AttestationWriter.attachArtifact(image, "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8),
            "application/vnd.cyclonedx+json", settings))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isTrue());
    // JSON that no parser accepts is collected, then refused by its gate at once: a verdict, not a retry
    AttestationWriter.attachArtifact(image, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"9.9\"}".getBytes(StandardCharsets.UTF_8),
        "application/vnd.cyclonedx+json", settings);
    ReleaseRef ref = new ReleaseRef("shop", commit, "oci:" + layout, digest);
    assertThat(evidence.collect(ref)).isEqualTo(1);
    Assessment a = assess(ref, "dev", new EvidencePolicy(null, SbomPolicy.defaults(), null, null, null, null, Duration.ofMinutes(10)));
    assertThat(a.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(String.join("\n", a.verdicts().getFirst().reasons())).contains("9.9");
  }


}
