package dev.gantry.provenance;

import dev.gantry.evidence.PublicKeys;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.ReleaseRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real envelopes signed here with generated keys over statements modelled on the real builders' output. */
class ProvenanceGateTest {
  static final String DIGEST = "sha256:11660a74a20236c03894a2d905dc805c59917fd09176b6fe15ccb1442aa3062c";
  static final String OTHER_DIGEST = "sha256:acd64ae77bddc02fbeafd35c1f812248deb7ae983750039e3e0af9ab3348d14a";
  static final String COMMIT = "bdaa0cc76bb5edc9046e774b0c662b016bec0357";
  static final String OTHER_COMMIT = "d5f06a59820b5db1ef6c261441e0df71ad431edb";
  static final String REPO = "https://github.com/acme/storefront";
  static final String GENERATOR =
      "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0";
  static final List<String> TRUSTED =
      List.of("https://github.com/acme/*", GENERATOR, "https://builds.acme.test/builders/container-image@v3");
  static final ReleaseRef RELEASE = new ReleaseRef("storefront", COMMIT, "registry.acme.test/storefront", DIGEST);

  static KeyPair p256;
  static KeyPair p384;
  static KeyPair rsa;
  static KeyPair ed25519;
  static KeyPair stranger;

  @BeforeAll
  static void keys() throws Exception {
    p256 = ec("secp256r1");
    p384 = ec("secp384r1");
    KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
    r.initialize(2048);
    rsa = r.generateKeyPair();
    ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    stranger = ec("secp256r1");
  }

  // --- passing provenance -------------------------------------------------------------------

  @Test
  void noProvenanceIsMissing() {
    var result = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.MISSING);
    assertThat(result.verdict().gate()).isEqualTo(ProvenanceGate.NAME);
    assertThat(result.verdict().reasons()).singleElement().asString().contains("no SLSA provenance for " + DIGEST);
    assertThat(result.lockfiles()).isEmpty();
  }

  @Test
  void githubAttestBuildProvenanceSignedWithP256Passes() {
    EvidenceDocument doc = signed(fixture("github-v1"), p256);

    var result = ProvenanceGate.evaluate(RELEASE, policy(stranger, p256), List.of(doc));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256());
    assertThat(String.join("\n", result.verdict().reasons()))
        .contains("signature: verified with policy key 2 (ECDSA P-256 sha256:")
        .contains("subject: " + DIGEST + " is the release digest")
        .contains("builder: https://github.com/acme/storefront/.github/workflows/release.yml@refs/heads/main is trusted"
            + " (rule https://github.com/acme/*)")
        .contains("source: " + REPO + " at " + COMMIT
            + " (externalParameters.workflow.repository, resolvedDependencies[0]) is the release's repository and commit");
    assertThat(result.lockfiles()).isEmpty();
  }

  @Test
  void genericV1SignedWithRsaPassesAndNamesItsLockfiles() {
    EvidenceDocument doc = signed(fixture("generic-v1"), rsa);

    var result = ProvenanceGate.evaluate(RELEASE, policy(rsa), List.of(doc));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(String.join("\n", result.verdict().reasons()))
        .contains("RSA 2048")
        .contains("builder: https://builds.acme.test/builders/container-image@v3 is trusted")
        .contains("lockfiles: package-lock.json sha256:b135bb7b");
    // pom.xml is not a lockfile; the base image is not a file at all.
    assertThat(result.lockfiles())
        .containsExactly(
            new LockfileDigest(
                "package-lock.json", "b135bb7b577fab1a673d50cd3cb77e6382c075109c86d14d3b7d2bd662f09688", doc.sha256()),
            new LockfileDigest(
                "services/pricing/go.sum", "28fd726815140d5c8fcc81c8b64bf8f6e1da4cd69ed36941e9b200e2da4e8305", doc.sha256()));
  }

  @Test
  void slsaGithubGeneratorV02SignedWithP384Passes() {
    EvidenceDocument doc = signed(fixture("slsa-github-generator-v0.2"), p384);

    var result = ProvenanceGate.evaluate(RELEASE, policy(p384), List.of(doc));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(String.join("\n", result.verdict().reasons()))
        .contains("ECDSA P-384")
        .contains("(https://in-toto.io/Statement/v0.1, https://slsa.dev/provenance/v0.2)")
        .contains("builder: " + GENERATOR + " is trusted (rule " + GENERATOR + ")")
        .contains("(invocation.configSource.uri, invocation.configSource, materials[0])");
  }

  @Test
  void v02MaterialsNameLockfiles() {
    ObjectNode statement = fixture("slsa-github-generator-v0.2");
    ObjectNode lock = ((ArrayNode) statement.at("/predicate/materials")).addObject();
    lock.put("uri", "git+https://github.com/acme/storefront@refs/heads/main#web/yarn.lock");
    lock.putObject("digest").put("sha256", "ACD64AE77BDDC02FBEAFD35C1F812248DEB7AE983750039E3E0AF9AB3348D14A");
    EvidenceDocument doc = signed(statement, p256);

    var result = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of(doc));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(result.lockfiles())
        .containsExactly(
            new LockfileDigest("web/yarn.lock", OTHER_DIGEST.substring("sha256:".length()), doc.sha256()));
  }

  @Test
  void v01StatementWithV1PredicateSignedWithEd25519Passes() {
    ObjectNode statement = fixture("github-v1");
    statement.put("_type", "https://in-toto.io/Statement/v0.1"); // what legacy cosign attest writes
    EvidenceDocument doc = signed(statement, ed25519);

    var result = ProvenanceGate.evaluate(RELEASE, policy(ed25519), List.of(doc));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(String.join("\n", result.verdict().reasons())).contains("policy key 1 (Ed25519 sha256:");
  }

  @Test
  void sigstoreBundleWithDsseEnvelopeVerifiesWithTheConfiguredKey() {
    ObjectNode bundle = bundle(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, bytes(fixture("github-v1")), p256.getPrivate(), ""));
    bundle.putObject("verificationMaterial").putObject("publicKey").put("hint", "storefront-release");
    EvidenceDocument doc = document(bundle);

    var pass = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of(doc));
    var otherKey = ProvenanceGate.evaluate(RELEASE, policy(stranger), List.of(doc));

    assertThat(pass.verdict().outcome()).as("%s", pass.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(otherKey.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(otherKey.verdict().reasons()).singleElement().asString().contains("signature: none of the envelope's");
  }

  @Test
  void keylessBundleSaysKeylessIsNotConfigured() {
    ObjectNode bundle = bundle(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, bytes(fixture("github-v1")), stranger.getPrivate(), ""));
    bundle.putObject("verificationMaterial").putObject("certificate").put("rawBytes", "MIIC1jCCAlygAwIBAgIU");

    var result = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of(document(bundle)));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString()
        .contains("signature:")
        .contains("keyless (Fulcio certificate)");
  }

  @Test
  void onePassingDocumentIsEnough() {
    EvidenceDocument stale = signed(withSubject(fixture("github-v1"), OTHER_DIGEST), p256);
    EvidenceDocument good = signed(fixture("slsa-github-generator-v0.2"), p256);

    var result = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of(stale, good));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().evidence()).containsExactly(stale.sha256(), good.sha256());
    assertThat(result.verdict().reasons())
        .allSatisfy(r -> assertThat(r).doesNotContain(stale.sha256().substring(0, 19)))
        .contains("1 other provenance record(s) not used: one passing record is enough")
        .anySatisfy(r -> assertThat(r).startsWith("provenance " + good.sha256().substring(0, 19) + "… builder:"));
  }

  @Test
  void whenNoneAPassesEveryDocumentsFailureIsListed() {
    EvidenceDocument otherDigest = signed(withSubject(fixture("github-v1"), OTHER_DIGEST), p256);
    EvidenceDocument otherKey = signed(fixture("slsa-github-generator-v0.2"), stranger);

    var result = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of(otherDigest, otherKey));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons())
        .satisfiesExactly(
            r -> assertThat(r).startsWith("provenance " + otherDigest.sha256().substring(0, 19)).contains("subject:"),
            r -> assertThat(r).startsWith("provenance " + otherKey.sha256().substring(0, 19)).contains("signature:"));
    assertThat(result.lockfiles()).isEmpty();
  }

  // --- hostile provenance: each refused with the check that failed --------------------------

  @Test
  void provenanceForAnotherDigest() {
    var result = evaluate(signed(withSubject(fixture("github-v1"), OTHER_DIGEST), p256));

    assertThat(result).containsExactly(
        "subject: the provenance is about " + OTHER_DIGEST + ", not the release's " + DIGEST);
  }

  @Test
  void rightDigestButAnotherRepository() {
    ObjectNode statement = fixture("github-v1");
    ((ObjectNode) statement.at("/predicate/buildDefinition/externalParameters/workflow"))
        .put("repository", "https://github.com/acme-evil/storefront");
    ((ObjectNode) statement.at("/predicate/buildDefinition/resolvedDependencies/0"))
        .put("uri", "git+https://github.com/acme-evil/storefront@refs/heads/main");

    var result = evaluate(signed(statement, p256));

    assertThat(result).containsExactly(
        "source: externalParameters.workflow.repository is https://github.com/acme-evil/storefront, not the"
            + " service's repository " + REPO);
  }

  @Test
  void genericProvenanceFromAnotherRepository() {
    ObjectNode statement = fixture("generic-v1");
    ((ObjectNode) statement.at("/predicate/buildDefinition/externalParameters")).remove("source");
    ((ObjectNode) statement.at("/predicate/buildDefinition/resolvedDependencies/0"))
        .put("uri", "git+https://github.com/acme/storefront-fork@refs/heads/main");

    var result = evaluate(signed(statement, p256));

    assertThat(result).containsExactly(
        "source: the provenance was built from git+https://github.com/acme/storefront-fork@refs/heads/main at "
            + COMMIT + " (resolvedDependencies[0]); none is the service's repository " + REPO);
  }

  @Test
  void rightRepositoryButAnotherCommit() {
    ObjectNode statement = fixture("slsa-github-generator-v0.2");
    ((ObjectNode) statement.at("/predicate/invocation/configSource/digest")).put("sha1", OTHER_COMMIT);
    ((ObjectNode) statement.at("/predicate/materials/0/digest")).put("sha1", OTHER_COMMIT);

    var result = evaluate(signed(statement, p256));

    assertThat(result).singleElement().asString()
        .startsWith("source: the provenance was built from git+https://github.com/acme/storefront@refs/heads/main.git at "
            + OTHER_COMMIT + " (invocation.configSource)")
        .endsWith("but the release is commit " + COMMIT);
  }

  @Test
  void theServicesRepositoryAtTwoCommitsIsAmbiguous() {
    ObjectNode statement = fixture("github-v1");
    ObjectNode second = ((ArrayNode) statement.at("/predicate/buildDefinition/resolvedDependencies")).addObject();
    second.put("uri", "git+https://github.com/acme/storefront@refs/heads/release");
    second.putObject("digest").put("gitCommit", OTHER_COMMIT);

    var result = evaluate(signed(statement, p256));

    assertThat(result).singleElement().asString()
        .contains("source: the provenance was built from git+https://github.com/acme/storefront@refs/heads/release at "
            + OTHER_COMMIT + " (resolvedDependencies[1]), but the release is commit " + COMMIT);
  }

  @Test
  void githubProvenanceWithoutWorkflowRepository() {
    ObjectNode statement = fixture("github-v1");
    ((ObjectNode) statement.at("/predicate/buildDefinition/externalParameters/workflow")).remove("repository");

    var result = evaluate(signed(statement, p256));

    assertThat(result).singleElement().asString().startsWith("source: externalParameters.workflow.repository is missing");
  }

  @Test
  void untrustedBuilder() {
    ObjectNode statement = fixture("generic-v1");
    ((ObjectNode) statement.at("/predicate/runDetails/builder")).put("id", "https://ci.example.net/laptop-of-mallory");

    var result = evaluate(signed(statement, p256));

    assertThat(result).containsExactly(
        "builder: https://ci.example.net/laptop-of-mallory is not a trusted builder (trusted: "
            + String.join(", ", TRUSTED) + ")");
  }

  @Test
  void prefixRuleDoesNotMatchASiblingOrganisation() {
    ObjectNode statement = fixture("github-v1");
    String sibling = "https://github.com/acme-evil/storefront/.github/workflows/release.yml@refs/heads/main";
    ((ObjectNode) statement.at("/predicate/runDetails/builder")).put("id", sibling);

    var result = evaluate(signed(statement, p256));

    assertThat(result).singleElement().asString().startsWith("builder: " + sibling + " is not a trusted builder");
    assertThat(ProvenanceGate.matches("https://github.com/acme/*", "https://github.com/acme/x/.github/workflows/b.yml@v1"))
        .isTrue();
    assertThat(ProvenanceGate.matches("https://github.com/acme/*", sibling)).isFalse();
    assertThat(ProvenanceGate.matches(GENERATOR, GENERATOR + "-rc1")).as("exact rules are exact").isFalse();
    assertThat(ProvenanceGate.matches("*", sibling)).as("a bare * trusts nothing").isFalse();
  }

  @Test
  void noTrustedBuildersTrustsNothing() {
    EvidenceDocument doc = signed(fixture("github-v1"), p256);
    var policy = new ProvenancePolicy(List.of(), REPO, List.of(PublicKeys.pem(p256.getPublic())));

    var result = ProvenanceGate.evaluate(RELEASE, policy, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString()
        .contains("builder: no trusted builders are configured, so https://github.com/acme/storefront/")
        .contains("add it (or a prefix rule ending in *) to the provenance policy's trustedBuilders");
  }

  @Test
  void signatureByAnUnknownKey() {
    var result = evaluate(signed(fixture("github-v1"), stranger));

    assertThat(result).singleElement().asString()
        .startsWith("signature: none of the envelope's 1 signature(s) [keyid test-key] verifies with the 1 configured key(s)"
            + " [ECDSA P-256 sha256:")
        .endsWith("it was signed by another key, or the payload was altered after signing");
  }

  @Test
  void payloadAlteredAfterSigning() {
    ObjectNode envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, bytes(fixture("github-v1")), p256.getPrivate(), "k").toJson();
    ObjectNode altered = fixture("github-v1");
    ((ObjectNode) altered.at("/predicate/runDetails/builder")).put("id", "https://github.com/acme/storefront/x.yml@main");
    envelope.put("payload", Base64.getEncoder().encodeToString(bytes(altered)));

    var result = evaluate(document(envelope));

    assertThat(result).singleElement().asString().startsWith("signature: none of the envelope's 1 signature(s)");
  }

  @Test
  void noPublicKeyConfigured() {
    EvidenceDocument doc = signed(fixture("github-v1"), p256);

    var result = ProvenanceGate.evaluate(RELEASE, new ProvenancePolicy(TRUSTED, REPO, List.of()), List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString()
        .contains("signature: no public key is configured")
        .contains("add the signer's PEM public key to the provenance policy's publicKeys");
  }

  @Test
  void unreadablePolicyKeyFailsTheGate() {
    EvidenceDocument doc = signed(fixture("github-v1"), p256);
    var policy = new ProvenancePolicy(TRUSTED, REPO, List.of(PublicKeys.pem(p256.getPublic()), "ssh-ed25519 AAAAC3Nz"));

    var result = ProvenanceGate.evaluate(RELEASE, policy, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256());
    assertThat(result.verdict().reasons()).singleElement().asString()
        .startsWith("provenance policy public key 2 cannot be read (not a PEM public key");
  }

  @Test
  void missingSourceRepositoryFailsClosed() {
    EvidenceDocument doc = signed(fixture("github-v1"), p256);
    var policy = new ProvenancePolicy(TRUSTED, null, List.of(PublicKeys.pem(p256.getPublic())));

    var result = ProvenanceGate.evaluate(RELEASE, policy, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString()
        .contains("source: the provenance policy names no sourceRepository");
  }

  @Test
  void statementWithNoSubject() {
    ObjectNode statement = fixture("github-v1");
    statement.putArray("subject");

    assertThat(evaluate(signed(statement, p256))).containsExactly("statement: in-toto statement has no subject");
  }

  @Test
  void wrongPayloadType() {
    ObjectNode envelope = Dsse.sign("application/json", bytes(fixture("github-v1")), p256.getPrivate(), "").toJson();

    assertThat(evaluate(document(envelope)))
        .containsExactly("envelope: payloadType is 'application/json'; provenance must be application/vnd.in-toto+json");
  }

  @Test
  void envelopeWithoutSignatures() {
    ObjectNode envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, bytes(fixture("github-v1")), p256.getPrivate(), "").toJson();
    envelope.putArray("signatures");

    assertThat(evaluate(document(envelope))).containsExactly("envelope: unsigned: the DSSE envelope carries no signature");
  }

  @Test
  void bareStatementIsUnsigned() {
    assertThat(evaluate(document(fixture("github-v1"))))
        .containsExactly(
            "envelope: unsigned: the record is a bare in-toto statement, not a DSSE envelope; provenance must be signed");
  }

  @Test
  void garbageBase64() {
    ObjectNode envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, bytes(fixture("github-v1")), p256.getPrivate(), "").toJson();
    envelope.put("payload", "eyJfdHlwZSI6!!not base64!!");

    assertThat(evaluate(document(envelope))).containsExactly("envelope: DSSE envelope: payload is not base64");
  }

  @Test
  void signedPayloadThatIsNotJson() {
    EvidenceDocument doc =
        document(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, "<statement/>".getBytes(StandardCharsets.UTF_8), p256.getPrivate(), "")
            .toJson());

    assertThat(evaluate(doc)).singleElement().asString().startsWith("statement: in-toto statement is not valid JSON");
  }

  @Test
  void notProvenance() {
    ObjectNode statement = fixture("github-v1");
    statement.put("predicateType", "https://cosign.sigstore.dev/attestation/vuln/v1");

    assertThat(evaluate(signed(statement, p256)))
        .containsExactly(
            "predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1' is not SLSA provenance (expected"
                + " https://slsa.dev/provenance/v1 or https://slsa.dev/provenance/v0.2)");
  }

  @Test
  void wrongFieldTypesFailWithReasonsNotExceptions() {
    ObjectNode statement = fixture("generic-v1");
    ((ObjectNode) statement.at("/predicate/runDetails/builder")).put("id", 42);
    ((ObjectNode) statement.at("/predicate/buildDefinition")).put("resolvedDependencies", "git+https://github.com/acme/storefront");
    ((ObjectNode) statement.at("/predicate/buildDefinition/externalParameters")).putArray("source");

    var result = evaluate(signed(statement, p256));

    assertThat(result)
        .containsExactly(
            "builder: the provenance names no builder (predicate.runDetails.builder.id is missing)",
            "source: the provenance names no git source with a commit (resolvedDependencies entry with a git+ uri and"
                + " digest.gitCommit or digest.sha1), so it cannot be tied to " + REPO + " at " + COMMIT);
  }

  @Test
  void recordOfAnotherTypeIsRefused() {
    EvidenceDocument sbom = signed(fixture("github-v1"), p256);
    sbom = new EvidenceDocument(sbom.sha256(), EvidenceType.SBOM, sbom.mediaType(), sbom.source(), sbom.json());

    assertThat(evaluate(sbom)).containsExactly("type: the record is SBOM evidence, not PROVENANCE");
  }

  @Test
  void repositoriesCompareNormalised() {
    for (String same :
        List.of(
            "git+https://github.com/acme/storefront@refs/heads/main",
            "git+https://github.com/acme/storefront@refs/heads/main.git",
            "https://github.com/acme/storefront.git",
            "https://GitHub.com/acme/storefront/",
            "git+https://github.com/acme/storefront.git@" + COMMIT,
            "git+https://github.com/acme/storefront#package-lock.json")) {
      assertThat(SlsaPredicate.normaliseRepository(same)).as(same).isEqualTo(REPO);
    }
    for (String other :
        List.of(
            "https://github.com/Acme/Storefront",
            "https://github.com/acme/storefront-fork",
            "https://github.com.evil.test/acme/storefront",
            "git+ssh://git@github.com/acme/storefront")) {
      assertThat(SlsaPredicate.normaliseRepository(other)).as(other).isNotEqualTo(REPO);
    }
    assertThat(SlsaPredicate.normaliseRepository("https://bot@GITHUB.com/acme/storefront@refs/tags/v1"))
        .as("user info is not a ref")
        .isEqualTo("https://bot@github.com/acme/storefront");
  }

  // --- helpers -------------------------------------------------------------------------------

  /** The single document's failure reasons, without the document label. */
  private static List<String> evaluate(EvidenceDocument doc) {
    var result = ProvenanceGate.evaluate(RELEASE, policy(p256), List.of(doc));
    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256());
    assertThat(result.lockfiles()).isEmpty();
    String label = "provenance " + doc.sha256().substring(0, 19) + "… ";
    assertThat(result.verdict().reasons()).allSatisfy(r -> assertThat(r).startsWith(label));
    return result.verdict().reasons().stream().map(r -> r.substring(label.length())).toList();
  }

  private static ProvenancePolicy policy(KeyPair... keys) {
    return new ProvenancePolicy(TRUSTED, REPO, Arrays.stream(keys).map(k -> PublicKeys.pem(k.getPublic())).toList());
  }

  static ObjectNode fixture(String name) {
    try (InputStream in = ProvenanceGateTest.class.getResourceAsStream("/provenance/" + name + ".json")) {
      return (ObjectNode) Json.read(in.readAllBytes(), name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode withSubject(ObjectNode statement, String digest) {
    ((ObjectNode) statement.at("/subject/0/digest")).put("sha256", digest.substring("sha256:".length()));
    return statement;
  }

  private static EvidenceDocument signed(JsonNode statement, KeyPair key) {
    return document(Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, bytes(statement), key.getPrivate(), "test-key").toJson());
  }

  private static ObjectNode bundle(Dsse.Envelope envelope) {
    ObjectNode bundle = Json.WRITER.createObjectNode();
    bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    bundle.set("dsseEnvelope", envelope.toJson());
    return bundle;
  }

  private static EvidenceDocument document(JsonNode json) {
    return new EvidenceDocument(Json.contentId(json), EvidenceType.PROVENANCE, Dsse.MEDIA_TYPE, "registry:att", json);
  }

  private static byte[] bytes(JsonNode json) {
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }
}
