package dev.gantry.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.TrustedKey;
import dev.gantry.testsupport.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Configured keys have a validity: outside it, or revoked, a key verifies nothing, and the refusal names it. */
class ProvenanceGateKeyValidityTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static KeyPair ci;
  static KeyPair next;
  static KeyPair otherService;
  static EvidenceDocument signedByCi;

  @BeforeAll
  static void sign() {
    ci = TestKeys.p256();
    next = TestKeys.p256();
    otherService = TestKeys.p256();
    signedByCi = signed(ci);
  }

  static EvidenceDocument signed(KeyPair key) {
    byte[] statement = ProvenanceGateTest.fixture("github-v1").toString().getBytes(StandardCharsets.UTF_8);
    var json = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement, key.getPrivate(), "ci").toJson();
    return new EvidenceDocument(Json.contentId(json), EvidenceType.PROVENANCE, Dsse.MEDIA_TYPE, "registry:att", json);
  }

  private static TrustedKey key(KeyPair k, String notBefore, String notAfter, boolean revoked, String note) {
    return new TrustedKey(PublicKeys.pem(k.getPublic()), notBefore == null ? null : Instant.parse(notBefore),
        notAfter == null ? null : Instant.parse(notAfter), revoked, note);
  }

  private static ProvenanceGate.Result evaluate(EvidenceDocument doc, TrustedKey... keys) {
    var policy = new ProvenancePolicy(ProvenanceGateTest.TRUSTED, ProvenanceGateTest.REPO, List.of(keys), null);
    return ProvenanceGate.evaluate(ProvenanceGateTest.RELEASE, policy, List.of(doc), NOW);
  }

  private static String refusal(ProvenanceGate.Result result) {
    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.FAIL);
    return String.join("\n", result.verdict().reasons());
  }

  private static String id(KeyPair k) {
    return new TrustedKey(PublicKeys.pem(k.getPublic())).keyId();
  }

  @Test
  void anExpiredKeyIsRefusedByName() {
    assertThat(refusal(evaluate(signedByCi, key(ci, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false, null))))
        .contains("signature: the envelope is signed by a key that verifies nothing now: key " + id(ci) + " expired 2026-01-01T00:00:00Z");
  }

  @Test
  void aKeyNotYetValidIsRefusedByName() {
    assertThat(refusal(evaluate(signedByCi, key(ci, "2027-01-01T00:00:00Z", null, false, null))))
        .contains("key " + id(ci) + " is not valid before 2027-01-01T00:00:00Z");
  }

  @Test
  void aRevokedKeyIsRefusedWithItsNote() {
    assertThat(refusal(evaluate(signedByCi, key(ci, null, null, true, "leaked in INC-1234"), key(next, null, null, false, null))))
        .contains("key " + id(ci) + " is revoked: leaked in INC-1234")
        .contains("none of the 1 valid key(s) verifies it");
  }

  @Test
  void aKeyOfAnotherServiceIsRefused() {
    assertThat(refusal(evaluate(signed(otherService), key(ci, null, null, false, null))))
        .contains("signature: none of the envelope's 1 signature(s)")
        .contains("verifies with the 1 configured key(s) [");
    // with an expired key of this service beside it, the refusal says which keys were not trusted
    assertThat(refusal(evaluate(signed(otherService), key(ci, null, null, false, null), key(next, null, "2026-01-01T00:00:00Z", false, null))))
        .contains("verifies with the 1 configured key(s) valid now [")
        .contains("(not trusted now: key " + id(next) + " expired 2026-01-01T00:00:00Z)");
  }

  @Test
  void anotherValidKeyStillPasses() {
    // the old key expired, CI signs with the next one: the expired key does not stand in the way
    var result = evaluate(signed(next), key(ci, null, "2026-01-01T00:00:00Z", false, null), key(next, "2026-01-01T00:00:00Z", null, false, null));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
    assertThat(String.join("\n", result.verdict().reasons())).contains("signature: verified with policy key 2");
  }

  @Test
  void aKeyInsideItsValidityPasses() {
    var result = evaluate(signedByCi, key(ci, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", false, "ci 2026"));

    assertThat(result.verdict().outcome()).as("%s", result.verdict().reasons()).isEqualTo(Outcome.PASS);
  }
}
