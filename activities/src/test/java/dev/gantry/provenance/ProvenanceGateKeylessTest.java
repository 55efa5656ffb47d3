package dev.gantry.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.evidence.KeylessPolicy.Identity;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.TrustedKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The provenance gate over a real GitHub attest-build-provenance bundle (Fulcio certificate, Rekor
 * entry, public-good trusted root; see resources dev/gantry/provenance/keyless/SOURCE.md): it
 * passes keyless with the right identity, and every way the identity, the trust root, the
 * certificate or the subject can be wrong is refused with the reason.
 */
class ProvenanceGateKeylessTest {
  static final String DIGEST = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
  static final String COMMIT = "ebff8dfbd609b7b22237c7719ce07f2dc7934f5f";
  static final String REPO = "https://github.com/loosebazooka/aa-test";
  static final String BUILDER = "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
  // the certificate's subject alternative name and OIDC issuer, as the bundle carries them
  static final String SUBJECT =
      "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final ReleaseRef RELEASE = new ReleaseRef("aa-test", COMMIT, "ghcr.io/loosebazooka/aa-test", DIGEST);

  static String resource(String name) {
    try (InputStream in = ProvenanceGateKeylessTest.class.getResourceAsStream("keyless/" + name)) {
      if (in == null) {
        throw new IllegalStateException("test resource dev/gantry/provenance/keyless/" + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static EvidenceDocument document(String bundleJson) {
    JsonNode json = Json.read(bundleJson.getBytes(StandardCharsets.UTF_8), "bundle");
    return new EvidenceDocument(Json.contentId(json), EvidenceType.PROVENANCE, "application/vnd.dev.sigstore.bundle.v0.3+json", "registry:referrer", json);
  }

  static ProvenancePolicy policy(String root, Identity... identities) {
    return new ProvenancePolicy(List.of(BUILDER), REPO, List.<TrustedKey>of(), new KeylessPolicy(resource(root), List.of(identities)));
  }

  static ProvenancePolicy publicGood(Identity... identities) {
    return policy("trusted_root.public-good.json", identities);
  }

  private static ProvenanceGate.Result evaluate(ReleaseRef release, ProvenancePolicy policy, String bundle) {
    return ProvenanceGate.evaluate(release, policy, List.of(document(resource(bundle))), NOW);
  }

  /** The single failure reason of a refused evaluation. */
  private static String refusal(ProvenanceGate.Result result) {
    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).hasSize(1);
    return result.verdict().reasons().getFirst();
  }

  @Test
  void attestBuildProvenancePassesKeylessWithTheExactIdentity() {
    var result = evaluate(RELEASE, publicGood(Identity.exact(SUBJECT, GITHUB)), "attest-build-provenance.sigstore.json");

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(String.join("\n", result.verdict().reasons()))
        .contains("signature: signed keyless by " + SUBJECT + " (issuer " + GITHUB + ")")
        .contains("subject: " + DIGEST + " is the release digest")
        .contains("builder: " + BUILDER + " is trusted")
        .contains("source: " + REPO + " at " + COMMIT);
  }

  @Test
  void aRegexIdentityAndASecondRulePass() {
    var policy = publicGood(
        Identity.exact("https://github.com/acme/storefront/.github/workflows/release.yml@refs/heads/main", GITHUB),
        Identity.regex("^https://github\\.com/sigstore-conformance/.*@refs/heads/main$", GITHUB));

    var result = evaluate(RELEASE, policy, "attest-build-provenance.sigstore.json");

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
  }

  @Test
  void anotherSubjectIsRefused() {
    String other = "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
    String reason = refusal(evaluate(RELEASE, publicGood(Identity.exact(other, GITHUB)), "attest-build-provenance.sigstore.json"));

    assertThat(reason)
        .contains("signature: keyless verification refused: the certificate identity " + SUBJECT + " (issuer " + GITHUB + ")")
        .contains("matches none of the 1 identity rule(s): subject " + other);
  }

  @Test
  void aRegexThatDoesNotMatchTheWholeSubjectIsRefused() {
    // "sigstore-conformance" occurs in the subject, but a rule must match all of it
    String reason = refusal(evaluate(RELEASE, publicGood(Identity.regex("https://github\\.com/sigstore-conformance", GITHUB),
        Identity.regex("^https://github\\.com/acme/.*$", GITHUB)), "attest-build-provenance.sigstore.json"));

    assertThat(reason).contains("matches none of the 2 identity rule(s)").contains("subject matching ^https://github\\.com/acme/.*$");
  }

  @Test
  void anotherIssuerIsRefused() {
    String reason = refusal(evaluate(RELEASE, publicGood(Identity.exact(SUBJECT, "https://accounts.google.com")), "attest-build-provenance.sigstore.json"));

    assertThat(reason).contains("(issuer " + GITHUB + ") matches none").contains("(issuer https://accounts.google.com)");
  }

  @Test
  void aBundleFromAnotherSigstoreInstanceIsRefused() {
    String reason = refusal(evaluate(RELEASE, policy("trusted_root.custom.json", Identity.exact(SUBJECT, GITHUB)), "attest-build-provenance.sigstore.json"));

    assertThat(reason).contains("keyless verification refused: the certificate (issued by CN=sigstore-intermediate,O=sigstore.dev at 2024-12-16T18:42:56Z)"
        + " does not chain to a certificate authority of the trusted root sha256:");
  }

  @Test
  void aCertificateIssuedOutsideTheCaValidityIsRefused() {
    var release = new ReleaseRef("aa-test", COMMIT, "ghcr.io/loosebazooka/aa-test",
        "sha256:330a043220fa13e01d68a7db39c89e12b0c4c3b6a0346fe624b0903f1303b5b2");
    String reason = refusal(evaluate(release, policy("trusted_root.custom.json", Identity.exact(SUBJECT, GITHUB)), "expired-certificate.sigstore.json"));

    assertThat(reason).contains("keyless verification refused: the certificate (issued by O=sigstore.mock,CN=sigstore at 2030-01-01T00:00:00Z)"
        + " does not chain to a certificate authority").contains("validity check failed");
  }

  @Test
  void provenanceAboutAnotherDigestIsRefused() {
    var release = new ReleaseRef("aa-test", COMMIT, "ghcr.io/loosebazooka/aa-test",
        "sha256:acd64ae77bddc02fbeafd35c1f812248deb7ae983750039e3e0af9ab3348d14a");
    String reason = refusal(evaluate(release, publicGood(Identity.exact(SUBJECT, GITHUB)), "attest-build-provenance.sigstore.json"));

    assertThat(reason).contains("keyless verification refused")
        .contains("acd64ae77bddc02fbeafd35c1f812248deb7ae983750039e3e0af9ab3348d14a")
        .contains("a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf");
  }

  @Test
  void aPayloadAlteredAfterSigningIsRefused() {
    // an attacker points the provenance at another commit: the certificate's signature no longer verifies
    ObjectNode bundle = (ObjectNode) Json.read(resource("attest-build-provenance.sigstore.json").getBytes(StandardCharsets.UTF_8), "bundle");
    ObjectNode envelope = (ObjectNode) bundle.get("dsseEnvelope");
    String payload = new String(Base64.getDecoder().decode(envelope.get("payload").asText()), StandardCharsets.UTF_8);
    envelope.put("payload", Base64.getEncoder().encodeToString(
        payload.replace(COMMIT, "d5f06a59820b5db1ef6c261441e0df71ad431edb").getBytes(StandardCharsets.UTF_8)));
    var release = new ReleaseRef("aa-test", "d5f06a59820b5db1ef6c261441e0df71ad431edb", "ghcr.io/loosebazooka/aa-test", DIGEST);

    var result = ProvenanceGate.evaluate(release, publicGood(Identity.exact(SUBJECT, GITHUB)), List.of(document(bundle.toString())), NOW);

    assertThat(refusal(result)).contains("keyless verification refused").contains("DSSE signature was not valid");
  }

  @Test
  void theRightIdentityStillNeedsTheTrustedBuilderAndTheReleaseCommit() {
    var otherCommit = new ReleaseRef("aa-test", "d5f06a59820b5db1ef6c261441e0df71ad431edb", "ghcr.io/loosebazooka/aa-test", DIGEST);
    var keyless = publicGood(Identity.exact(SUBJECT, GITHUB)).keyless();
    var untrustedBuilder = new ProvenancePolicy(List.of("https://github.com/acme/*"), REPO, List.of(), keyless);

    assertThat(refusal(evaluate(otherCommit, publicGood(Identity.exact(SUBJECT, GITHUB)), "attest-build-provenance.sigstore.json")))
        .contains("source: the provenance was built from").contains("but the release is commit d5f06a59820b5db1ef6c261441e0df71ad431edb");
    assertThat(refusal(evaluate(RELEASE, untrustedBuilder, "attest-build-provenance.sigstore.json")))
        .contains("builder: " + BUILDER + " is not a trusted builder");
  }

  @Test
  void aKeylessBundleWithoutKeylessRulesAndAKeyedEnvelopeWithoutKeysAreRefused() throws Exception {
    var keyedOnly = new ProvenancePolicy(List.of(BUILDER), REPO, List.of(dev.gantry.evidence.PublicKeys.pem(dev.gantry.testsupport.TestKeys.p256().getPublic())));
    assertThat(refusal(evaluate(RELEASE, keyedOnly, "attest-build-provenance.sigstore.json")))
        .contains("this Sigstore bundle is keyless (Fulcio certificate), and no keyless identity is configured");

    var key = dev.gantry.testsupport.TestKeys.p256();
    String statement = new String(Base64.getDecoder().decode(
        Json.read(resource("attest-build-provenance.sigstore.json").getBytes(StandardCharsets.UTF_8), "b").at("/dsseEnvelope/payload").asText()),
        StandardCharsets.UTF_8);
    var envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement.getBytes(StandardCharsets.UTF_8), key.getPrivate(), "k");
    var result = ProvenanceGate.evaluate(RELEASE, publicGood(Identity.exact(SUBJECT, GITHUB)), List.of(document(envelope.toJson().toString())), NOW);
    assertThat(refusal(result)).contains("no public key is configured").contains("this record is signed with a key, not a certificate");
  }

  @Test
  void aLogEntryIntegratedAfterTheVerificationTimeIsRefused() {
    var result = ProvenanceGate.evaluate(RELEASE, publicGood(Identity.exact(SUBJECT, GITHUB)),
        List.of(document(resource("attest-build-provenance.sigstore.json"))), Instant.parse("2024-01-01T00:00:00Z"));

    assertThat(refusal(result)).contains("integrated time 2024-12-16T18:42:56Z is in the future");
  }
}
