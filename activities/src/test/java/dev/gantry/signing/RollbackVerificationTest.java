package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SignaturePolicy;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachment;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.testsupport.TestKeys;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification summary a healthy promotion leaves, and the re-verification a rollback runs
 * before pinning a digest again: every way the target can have stopped verifying is refused with
 * its reason.
 */
class RollbackVerificationTest {
  private static final String COMMIT = "c".repeat(40);
  private static final Instant VERIFIED_AT = Instant.parse("2026-11-20T10:15:30Z");

  @TempDir Path root;
  private final KeyPair ci = TestKeys.p256();
  private final KeyPair gantry = TestKeys.p256();
  private final Map<String, byte[]> store = new HashMap<>();
  private RegistrySettings settings;
  private String layout;
  private String digest;
  private String bundleSha;
  private ReleaseRef release;

  @BeforeEach
  void image() {
    Path dir = root.resolve("oci").resolve("shop");
    digest = new OciImageWriter().file("app", "1").writeLayout(dir, "v1");
    layout = "oci:" + dir;
    settings = RegistrySettings.allowing("oci:" + root.resolve("oci"));
    release = new ReleaseRef("shop", COMMIT, layout, digest);
    // an evidence bundle as EvidenceActivitiesImpl writes it
    ObjectNode bundle = Json.WRITER.createObjectNode();
    bundle.put("schema", "https://gantry.dev/evidence/bundle/v1");
    bundle.put("digest", digest);
    bundle.put("environment", "production");
    bundle.put("policyDigest", "sha256:" + "a".repeat(64));
    bundle.put("outcome", "PASS");
    bundle.putArray("members").addObject().put("sha256", "sha256:" + "1".repeat(64)).put("type", "PROVENANCE");
    bundle.withArray("members").addObject().put("sha256", "sha256:" + "2".repeat(64)).put("type", "SBOM");
    bundle.putArray("verdicts").addObject().put("gate", "provenance").put("outcome", "PASS");
    byte[] bytes = Json.canonical(bundle);
    bundleSha = "sha256:" + dev.gantry.model.ObjectStore.sha256(bytes);
    store.put(bundleSha, bytes);
  }

  private SigningActivitiesImpl gantry(KeyPair key, KeyPair... previous) {
    return new SigningActivitiesImpl(
        settings,
        key == null ? null : PemSigner.fromKey(key.getPrivate()),
        java.util.Arrays.stream(previous).map(KeyPair::getPublic).toList(),
        sha -> Optional.ofNullable(store.get(sha)),
        "https://gantry.example");
  }

  private void ciSigns() {
    CosignSigner.sign(new ImageRef(layout, digest), PemSigner.fromKey(ci.getPrivate()), Map.of(), CosignSigner.Form.LEGACY, settings);
  }

  /** What a healthy promotion to production leaves: Gantry's signature and its summary. */
  private void promoted(SigningActivitiesImpl gantry, String environment) {
    gantry.sign(new SignRequest(release, environment, bundleSha));
    gantry.attestVerified(new SummaryRequest(release, environment, bundleSha, "promotion/shop/" + environment, VERIFIED_AT));
  }

  private ReverifyRequest rollbackTo(String environment) {
    return new ReverifyRequest(release, environment, new SignaturePolicy(List.of(PublicKeys.pem(ci.getPublic()))));
  }

  private static String refusal(Runnable r) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(r::run);
    assertThat(t).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure f = (ApplicationFailure) t;
    assertThat(f.getType()).isEqualTo(FailureTypes.ROLLBACK_REFUSED);
    assertThat(f.isNonRetryable()).isTrue();
    return f.getOriginalMessage();
  }

  // ---------------------------------------------------------------------- the summary

  @Test
  void theSummaryIsASignedVsaInBothPlacesWrittenOnce() {
    SigningActivitiesImpl signing = gantry(gantry);
    SummaryRequest request = new SummaryRequest(release, "production", bundleSha, "promotion/1", VERIFIED_AT);
    SummaryAttestation first = signing.attestVerified(request);
    SummaryAttestation retry = signing.attestVerified(request);
    assertThat(first.added()).isTrue();
    assertThat(retry.added()).as("a retried activity writes nothing twice").isFalse();
    assertThat(retry.legacy()).isEqualTo(first.legacy());
    assertThat(retry.referrer()).isEqualTo(first.referrer());

    List<Attachment> vsas = Attachments.list(new ImageRef(layout, digest), settings).stream()
        .filter(a -> VerificationSummary.PREDICATE_TYPE.equals(a.predicateType())).toList();
    assertThat(vsas).extracting(Attachment::source).containsExactlyInAnyOrder("layout:att", "layout:referrer");
    for (Attachment a : vsas) {
      Dsse.Envelope envelope = Dsse.envelopeOf(Json.read(a.content(), "attestation"));
      assertThat(envelope.verifiedBy(List.of(gantry.getPublic()))).isZero();
      JsonNode statement = Json.read(envelope.payload(), "statement");
      assertThat(statement.path("subject").get(0).path("digest").path("sha256").asText()).isEqualTo(digest.substring(7));
      JsonNode p = statement.path("predicate");
      assertThat(p.path("verifier").path("id").asText()).isEqualTo("https://gantry.example");
      assertThat(p.path("resourceUri").asText()).isEqualTo(layout + "@" + digest);
      assertThat(p.path("timeVerified").asText()).isEqualTo("2026-11-20T10:15:30Z");
      assertThat(p.path("policy").path("digest").path("sha256").asText()).isEqualTo("a".repeat(64));
      assertThat(p.path("policy").path("uri").asText()).contains("/services/shop/environments/production");
      assertThat(p.path("inputAttestations")).extracting(i -> i.path("digest").path("sha256").asText())
          .containsExactly(bundleSha.substring(7), "1".repeat(64), "2".repeat(64));
      assertThat(p.path("inputAttestations").get(0).path("uri").asText()).isEqualTo("https://gantry.example/api/v1/evidence/" + bundleSha);
      assertThat(p.path("verificationResult").asText()).isEqualTo("PASSED");
      assertThat(p.path("verifiedLevels")).extracting(JsonNode::asText).containsExactly("SLSA_BUILD_LEVEL_2");
      assertThat(p.path("environment").asText()).isEqualTo("production");
    }
  }

  @Test
  void aBundleMissingFromTheStoreIsNotSummarisedFromNothing() {
    SummaryRequest request = new SummaryRequest(release, "production", "sha256:" + "9".repeat(64), "promotion/1", VERIFIED_AT);
    assertThatThrownBy(() -> gantry(gantry).attestVerified(request))
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("is not in the evidence store");
  }

  @Test
  void theSummaryReadsBackAndRefusesOneAboutAnotherResource() {
    VerificationSummary s = gantry(gantry).summary(new SummaryRequest(release, "dev", bundleSha, "p", VERIFIED_AT));
    assertThat(VerificationSummary.parse(Json.read(s.statement(), "vsa"))).isEqualTo(s);
    ObjectNode tampered = (ObjectNode) Json.read(s.statement(), "vsa");
    ((ObjectNode) tampered.path("predicate")).put("resourceUri", layout + "@sha256:" + "e".repeat(64));
    assertThatThrownBy(() -> VerificationSummary.parse(tampered))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("is not about its subject");
    ((ObjectNode) tampered.path("predicate")).put("resourceUri", s.resourceUri()).put("verificationResult", "MAYBE");
    assertThatThrownBy(() -> VerificationSummary.parse(tampered))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("neither PASSED nor FAILED");
  }

  // ---------------------------------------------------------------------- re-verification

  @Test
  void aTargetWithEverythingInPlaceReVerifies() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    promoted(signing, "production");
    Reverified ok = signing.reverify(rollbackTo("production"));
    assertThat(ok.checks()).hasSize(3);
    assertThat(ok.checks().get(0)).startsWith("CI's signature:");
    assertThat(ok.checks().get(1)).startsWith("Gantry's signature for production:");
    assertThat(ok.checks().get(2)).startsWith("verification summary for production: PASSED at 2026-11-20T10:15:30Z");
  }

  @Test
  void ciKeyRotatedOutIsRefused() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    promoted(signing, "production");
    ReverifyRequest rotated = new ReverifyRequest(release, "production", new SignaturePolicy(List.of(PublicKeys.pem(TestKeys.p256().getPublic()))));
    assertThat(refusal(() -> signing.reverify(rotated)))
        .contains("CI's signature does not verify with the keys configured today")
        .contains("no cosign signature of");
  }

  @Test
  void gantryKeyRotatedOutIsRefusedAndStillTrustedWhenListedAsPrevious() {
    ciSigns();
    promoted(gantry(gantry), "production");
    KeyPair next = TestKeys.p256();
    assertThat(refusal(() -> gantry(next).reverify(rollbackTo("production"))))
        .contains("Gantry's signature for production does not verify")
        .contains("Gantry's verification summary for production does not verify")
        .contains("not signed by a Gantry key trusted today");
    assertThat(gantry(next, gantry).reverify(rollbackTo("production")).checks()).hasSize(3);
  }

  @Test
  void aSignatureForAnotherEnvironmentDoesNotCount() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    promoted(signing, "staging");
    assertThat(refusal(() -> signing.reverify(rollbackTo("production"))))
        .contains("Gantry's signature for production does not verify")
        .contains("no verification summary (" + VerificationSummary.PREDICATE_TYPE + ") for production");
  }

  @Test
  void gantrysSignatureDeletedIsRefused() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    // only the summary, as if the .sig and its bundle had been deleted
    signing.attestVerified(new SummaryRequest(release, "production", bundleSha, "p", VERIFIED_AT));
    assertThat(refusal(() -> signing.reverify(rollbackTo("production"))))
        .contains("Gantry's signature for production does not verify");
  }

  @Test
  void aSummaryThatSaysFailedIsRefused() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    signing.sign(new SignRequest(release, "production", bundleSha));
    VerificationSummary failed = new VerificationSummary("https://gantry.example", VERIFIED_AT, layout, digest, "production",
        "https://gantry.example/policy", "sha256:" + "a".repeat(64), List.of(), false, List.of());
    VerificationSummaries.attest(new ImageRef(layout, digest), failed, PemSigner.fromKey(gantry.getPrivate()), settings);
    assertThat(refusal(() -> signing.reverify(rollbackTo("production")))).contains("says FAILED");
  }

  @Test
  void aSummaryAboutAnotherDigestIsRefused() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    signing.sign(new SignRequest(release, "production", bundleSha));
    // a summary about another image, copied onto this one
    VerificationSummary other = new VerificationSummary("https://gantry.example", VERIFIED_AT, layout, "sha256:" + "e".repeat(64),
        "production", "https://gantry.example/policy", "sha256:" + "a".repeat(64), List.of(), true, List.of());
    byte[] envelope = CosignSigner.signedEnvelope(other.statement(), PemSigner.fromKey(gantry.getPrivate()));
    AttestationWriter.attach(new ImageRef(layout, digest), envelope, VerificationSummary.PREDICATE_TYPE, AttestationWriter.Form.LEGACY_ATT, settings);
    assertThat(refusal(() -> signing.reverify(rollbackTo("production"))))
        .contains("is about sha256:" + "e".repeat(64) + ", not " + digest);
  }

  @Test
  void aTamperedSummaryIsRefused() {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    signing.sign(new SignRequest(release, "production", bundleSha));
    // someone else's key writes a PASSED summary for production
    VerificationSummaries.attest(new ImageRef(layout, digest),
        signing.summary(new SummaryRequest(release, "production", bundleSha, "p", VERIFIED_AT)),
        PemSigner.fromKey(TestKeys.p256().getPrivate()), settings);
    assertThat(refusal(() -> signing.reverify(rollbackTo("production"))))
        .contains("not signed by a Gantry key trusted today");
  }

  @Test
  void anUnsignedTargetIsRefusedWithEveryReason() {
    SigningActivitiesImpl signing = gantry(gantry);
    String reason = refusal(() -> signing.reverify(rollbackTo("production")));
    assertThat(reason).contains("CI's signature does not verify").contains("unsigned:")
        .contains("Gantry's signature for production does not verify")
        .contains("Gantry's verification summary for production does not verify");
  }

  @Test
  void aDigestGoneFromTheRegistryIsRefused() throws Exception {
    ciSigns();
    SigningActivitiesImpl signing = gantry(gantry);
    promoted(signing, "production");
    // the registry was cleaned: the image's manifest blob is gone
    Path blob = root.resolve("oci").resolve("shop").resolve("blobs").resolve("sha256").resolve(digest.substring(7));
    Files.delete(blob);
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> signing.reverify(rollbackTo("production")));
    assertThat(t).isInstanceOf(ApplicationFailure.class);
    assertThat(((ApplicationFailure) t).isNonRetryable()).isTrue();
    assertThat(t.getMessage()).containsAnyOf("not found", "no longer", "DigestNotFound", "not in");
  }

  @Test
  void withoutAGantryKeyOnlyCisSignatureIsChecked() {
    ciSigns();
    Reverified ok = gantry(null).reverify(rollbackTo("production"));
    assertThat(ok.checks()).hasSize(2);
    assertThat(ok.checks().get(1)).contains("not checked, no signing key is configured");
  }
}
