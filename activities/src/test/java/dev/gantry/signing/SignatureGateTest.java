package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.evidence.KeylessPolicy.Identity;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SignaturePolicy;
import dev.gantry.evidence.TrustedKey;
import dev.gantry.model.ImageRef;
import dev.gantry.signing.CosignSigner.Form;
import dev.gantry.signing.RawRegistry.Layer;
import dev.gantry.testsupport.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SignatureGate#verify}, the one entry point for CI's signature (release gates and rollback
 * re-verification), against a real registry: keys with a validity, and keyless Sigstore bundles.
 * The keyless success path over a real bundle is {@link #aRealKeylessBundleVerifiesOverItsDigest}:
 * a real bundle's subject cannot be an image pushed here, so on the registry it must be refused.
 */
class SignatureGateTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  static final String SUBJECT =
      "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final String BUNDLE_DIGEST = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";
  private static final AtomicInteger IMAGES = new AtomicInteger();
  private static RawRegistry registry;
  private static PemSigner ci;
  private static PemSigner next;
  private static PemSigner otherService;

  @BeforeAll
  static void start() {
    registry = new RawRegistry();
    ci = PemSigner.fromKey(TestKeys.p256().getPrivate());
    next = PemSigner.fromKey(TestKeys.p256().getPrivate());
    otherService = PemSigner.fromKey(TestKeys.p256().getPrivate());
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageRef image() {
    return registry.image("gate", "v" + IMAGES.incrementAndGet());
  }

  private static ReleaseRef release(ImageRef image) {
    return new ReleaseRef("gate", "bdaa0cc76bb5edc9046e774b0c662b016bec0357", image.repository(), image.reference());
  }

  private static TrustedKey key(PemSigner signer, String notBefore, String notAfter, boolean revoked, String note) {
    return new TrustedKey(PublicKeys.pem(signer.publicKey()), notBefore == null ? null : Instant.parse(notBefore),
        notAfter == null ? null : Instant.parse(notAfter), revoked, note);
  }

  private static TrustedKey valid(PemSigner signer) {
    return key(signer, null, null, false, null);
  }

  private static GateVerdict verify(ImageRef image, SignaturePolicy policy) {
    return SignatureGate.verify(release(image), policy, registry.settings, NOW);
  }

  private static String refusal(GateVerdict verdict) {
    assertThat(verdict.outcome()).as("%s", verdict.reasons()).isEqualTo(Outcome.FAIL);
    return String.join("\n", verdict.reasons());
  }

  static String resource(String name) {
    try (InputStream in = SignatureGateTest.class.getResourceAsStream("/dev/gantry/provenance/keyless/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("test resource dev/gantry/provenance/keyless/" + name + " is missing", e);
    }
  }

  static KeylessPolicy keyless(Identity... identities) {
    return new KeylessPolicy(resource("trusted_root.public-good.json"), List.of(identities));
  }

  // ------------------------------------------------------------------------------ key validity

  @ParameterizedTest
  @EnumSource(Form.class)
  void aSignatureByAnExpiredKeyIsRefusedNamingTheKey(Form form) {
    ImageRef image = image();
    CosignSigner.sign(image, ci, Map.of(), form, registry.settings);

    String reason = refusal(verify(image, new SignaturePolicy(List.of(key(ci, null, "2026-01-01T00:00:00Z", false, null)), null)));

    assertThat(reason)
        .contains("no cosign signature of " + image.repository() + "@" + image.reference() + " is by a key valid at " + NOW)
        .contains(form + " signature sha256:")
        .contains("verifies, but key " + ci.keyId() + " expired 2026-01-01T00:00:00Z: it counts for nothing");
  }

  @Test
  void aSignatureByAKeyNotYetValidIsRefused() {
    ImageRef image = image();
    CosignSigner.sign(image, ci, Map.of(), Form.LEGACY, registry.settings);

    assertThat(refusal(verify(image, new SignaturePolicy(List.of(key(ci, "2027-01-01T00:00:00Z", null, false, null)), null))))
        .contains("key " + ci.keyId() + " is not valid before 2027-01-01T00:00:00Z");
  }

  @Test
  void aSignatureByARevokedKeyIsRefusedWithTheNote() {
    ImageRef image = image();
    CosignSigner.sign(image, ci, Map.of(), Form.BUNDLE, registry.settings);

    assertThat(refusal(verify(image, new SignaturePolicy(List.of(key(ci, null, null, true, "leaked in INC-1234"), valid(next)), null))))
        .contains("key " + ci.keyId() + " is revoked: leaked in INC-1234");
  }

  @Test
  void aSignatureByAnotherServicesKeyIsRefused() {
    ImageRef image = image();
    CosignSigner.sign(image, otherService, Map.of(), Form.LEGACY, registry.settings);

    String reason = refusal(verify(image, new SignaturePolicy(List.of(valid(ci), key(next, null, "2026-01-01T00:00:00Z", false, null)), null)));

    assertThat(reason)
        .contains("no cosign signature of " + image + " verifies with the 2 trusted keys")
        .contains("none of the 2 configured keys verifies it")
        .contains("key " + next.keyId() + " expired 2026-01-01T00:00:00Z (not trusted now)");
  }

  @Test
  void aSecondValidKeyStillPasses() {
    ImageRef image = image();
    CosignSigner.sign(image, ci, Map.of(), Form.LEGACY, registry.settings);
    CosignSigner.sign(image, next, Map.of(), Form.BUNDLE, registry.settings);

    GateVerdict verdict = verify(image, new SignaturePolicy(List.of(key(ci, null, "2026-01-01T00:00:00Z", false, null), valid(next)), null));

    assertThat(verdict.outcome()).as("%s", verdict.reasons()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reasons()).anySatisfy(r -> assertThat(r).contains("BUNDLE signature").contains("by key " + next.keyId() + " verifies over"));
    assertThat(verdict.reasons()).anySatisfy(r -> assertThat(r).contains("LEGACY signature").contains("key " + ci.keyId() + " expired"));
  }

  @Test
  void theLegacyPemOnlyPolicyStillVerifies() {
    ImageRef image = image();
    CosignSigner.sign(image, ci, Map.of(), Form.LEGACY, registry.settings);

    GateVerdict verdict = verify(image, new SignaturePolicy(List.of(PublicKeys.pem(ci.publicKey()))));

    assertThat(verdict.outcome()).as("%s", verdict.reasons()).isEqualTo(Outcome.PASS);
  }

  // ------------------------------------------------------------------------------ keyless

  @Test
  void aRealKeylessBundleVerifiesOverItsDigest() {
    byte[] bundle = resource("attest-build-provenance.sigstore.json").getBytes(StandardCharsets.UTF_8);

    var ok = BundleVerifier.verifyKeyless(bundle, BUNDLE_DIGEST, keyless(Identity.exact(SUBJECT, GITHUB)), NOW);
    var bare = BundleVerifier.verifyKeyless(bundle, BUNDLE_DIGEST.substring(7), keyless(Identity.regex("https://github\\.com/sigstore-conformance/.*", GITHUB)), NOW);

    assertThat(ok.verified()).as(ok.reason()).isTrue();
    assertThat(ok.identity()).isEqualTo(SUBJECT + " (issuer " + GITHUB + ")");
    assertThat(ok.reason()).contains("signed keyless by " + SUBJECT).contains("transparency log entry checked");
    assertThat(bare.verified()).as(bare.reason()).isTrue();
  }

  @Test
  void aKeylessBundleIsRefusedForAnotherDigestOrIdentityOrSomethingThatIsNotADigest() {
    byte[] bundle = resource("attest-build-provenance.sigstore.json").getBytes(StandardCharsets.UTF_8);
    var policy = keyless(Identity.exact(SUBJECT, GITHUB));

    var otherDigest = BundleVerifier.verifyKeyless(bundle, "sha256:" + "0".repeat(64), policy, NOW);
    var otherIssuer = BundleVerifier.verifyKeyless(bundle, BUNDLE_DIGEST, keyless(Identity.exact(SUBJECT, "https://accounts.google.com")), NOW);
    var notADigest = BundleVerifier.verifyKeyless(bundle, "latest", policy, NOW);

    assertThat(otherDigest.verified()).isFalse();
    assertThat(otherDigest.reason()).contains("does not match any subject sha256 digests").contains("0".repeat(64));
    assertThat(otherIssuer.verified()).isFalse();
    assertThat(otherIssuer.reason()).contains("matches none of the 1 identity rule(s)");
    assertThat(notADigest.verified()).isFalse();
    assertThat(notADigest.reason()).isEqualTo("'latest' is not a sha256 digest (sha256:<64 hex>)");
  }

  @Test
  void aKeylessBundleReferrerAboutAnotherDigestIsRefusedWithThatReason() {
    ImageRef image = image();
    registry.putBundleReferrer(image, resource("attest-build-provenance.sigstore.json").getBytes(StandardCharsets.UTF_8));

    String reason = refusal(verify(image, new SignaturePolicy(List.of(), keyless(Identity.exact(SUBJECT, GITHUB)))));

    assertThat(reason)
        .contains("no cosign signature of " + image + " verifies with the 0 trusted keys or the 1 keyless identity rule")
        .contains("does not verify keyless: Provided artifact digest does not match any subject sha256 digests in DSSE payload")
        .contains(image.reference().substring(7))
        .contains(BUNDLE_DIGEST.substring(7));
  }

  @Test
  void aKeylessBundleReferrerIsRefusedWhenOnlyKeysAreConfigured() {
    ImageRef image = image();
    registry.putBundleReferrer(image, resource("attest-build-provenance.sigstore.json").getBytes(StandardCharsets.UTF_8));

    assertThat(refusal(verify(image, new SignaturePolicy(List.of(valid(ci)), null))))
        .contains("is keyless (signed with a certificate), and no keyless identity is configured for this service");
  }

  @Test
  void aKeyedSignatureIsRefusedWhenOnlyKeylessIsConfigured() {
    ImageRef image = image();
    CosignSigner.sign(image, ci, Map.of(), Form.BUNDLE, registry.settings);

    assertThat(refusal(verify(image, new SignaturePolicy(List.of(), keyless(Identity.exact(SUBJECT, GITHUB))))))
        .contains("is signed with a public key, and no key is configured for this service (keyless only)");
  }

  @Test
  void aLegacyKeylessSignatureIsRefusedWithTheReason() {
    ImageRef image = image();
    byte[] payload = CosignPayloads.simpleSigning(image.repository(), image.reference(), Map.of());
    registry.putSigManifest(image, List.of(new Layer(RawRegistry.SIMPLE_SIGNING, payload, Map.of(
        "dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(otherService.sign(payload)),
        "dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "dev.sigstore.cosign/bundle", "{\"SignedEntryTimestamp\":\"MEUC\",\"Payload\":{}}"))));

    assertThat(refusal(verify(image, new SignaturePolicy(List.of(), keyless(Identity.exact(SUBJECT, GITHUB))))))
        .contains("keyless signature with a certificate in the legacy form, which Gantry does not verify")
        .contains("no inclusion proof");
  }

  @Test
  void anUnsignedImageIsMissingEvidenceForKeylessToo() {
    GateVerdict verdict = verify(image(), new SignaturePolicy(List.of(), keyless(Identity.exact(SUBJECT, GITHUB))));

    assertThat(verdict.outcome()).isEqualTo(Outcome.MISSING);
    assertThat(verdict.reasons()).singleElement().asString().startsWith("unsigned: ");
  }

  @Test
  void nothingConfiguredFailsClosed() {
    assertThat(refusal(verify(image(), new SignaturePolicy(List.of(), null))))
        .contains("no CI signing key and no keyless identity is configured for gate");
  }

}
