package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.ImageRef;
import dev.gantry.testsupport.CosignBinary;
import dev.gantry.testsupport.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real cosign (v3.1.3, v2.6.5) reads Gantry's verification summary, as an admission controller or
 * an auditor would: {@code cosign verify-attestation --type https://slsa.dev/verification_summary/v1}
 * with Gantry's public key, from the {@code .att} tag and from the bundle referrer, and a CUE policy
 * holds it to {@code verificationResult == PASSED} for the environment.
 */
class VerificationSummaryInteropTest {
  @TempDir static Path dir;
  private static RawRegistry registry;
  private static CosignBinary cosign3;
  private static CosignBinary cosign2;
  private static Path emptyTrustedRoot;
  private static final KeyPair GANTRY = TestKeys.p256();
  private static Path gantryPub;
  private static Path otherPub;

  @BeforeAll
  static void start() throws Exception {
    cosign3 = CosignBinary.v3();
    cosign2 = CosignBinary.v2();
    registry = new RawRegistry();
    gantryPub = Files.writeString(dir.resolve("gantry.pub"), PublicKeys.pem(GANTRY.getPublic()));
    otherPub = Files.writeString(dir.resolve("other.pub"), PublicKeys.pem(TestKeys.p256().getPublic()));
    emptyTrustedRoot = Files.writeString(dir.resolve("trusted_root.json"),
        "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static String ref(ImageRef image) {
    return image.repository() + "@" + image.reference();
  }

  private static ImageRef attested(String version, String environment) {
    ImageRef image = registry.image("svc", version);
    SigningActivitiesImpl signing = new SigningActivitiesImpl(
        registry.settings, PemSigner.fromKey(GANTRY.getPrivate()), List.of(), sha -> Optional.empty(), "https://gantry.example");
    SummaryAttestation written = signing.attestVerified(new SummaryRequest(
        new ReleaseRef("svc", "c".repeat(40), image.repository(), image.reference()), environment, null, "promotion/1",
        Instant.parse("2026-11-20T10:15:30Z")));
    assertThat(written.added()).isTrue();
    return image;
  }

  private static Path policy(String name, String environment) throws Exception {
    return Files.writeString(dir.resolve(name + ".cue"),
        "predicate: {\n  verificationResult: \"PASSED\"\n  environment: \"" + environment + "\"\n}\n");
  }

  @Test
  void cosignV3VerifiesTheSummaryAndHoldsItToThePolicy() throws Exception {
    ImageRef image = attested("v3", "production");
    CosignBinary.Run run = cosign3.run(dir, "verify-attestation", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
        "--type", VerificationSummary.PREDICATE_TYPE, "--policy", policy("prod3", "production").toString(), ref(image));
    assertThat(run.exitCode()).as("cosign v3 verify-attestation:\n%s", run.output()).isZero();
    assertThat(run.output()).contains("The signatures were verified against the specified public key");
    java.util.regex.Matcher payload = java.util.regex.Pattern.compile("\"payload\":\"([A-Za-z0-9+/=]+)\"").matcher(run.output());
    assertThat(payload.find()).isTrue();
    assertThat(new String(java.util.Base64.getDecoder().decode(payload.group(1)), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"predicateType\":\"" + VerificationSummary.PREDICATE_TYPE + "\"")
        .contains("\"verificationResult\":\"PASSED\"");

    assertThat(cosign3.run(dir, "verify-attestation", "--key", otherPub.toString(), "--insecure-ignore-tlog=true",
        "--type", VerificationSummary.PREDICATE_TYPE, ref(image)).exitCode()).as("another key").isNotZero();
    CosignBinary.Run staging = cosign3.run(dir, "verify-attestation", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
        "--type", VerificationSummary.PREDICATE_TYPE, "--policy", policy("staging3", "staging").toString(), ref(image));
    assertThat(staging.exitCode()).as("a policy for another environment:\n%s", staging.output()).isNotZero();
  }

  @Test
  void cosignV2VerifiesTheSummaryAndBothReadTheAttTagAlone() throws Exception {
    ImageRef image = attested("v2", "production");
    // v2 sees the bundle referrer and reads it given a trusted root (an empty one will do for a key)
    CosignBinary.Run bundle = cosign2.run(dir, "verify-attestation", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
        "--new-bundle-format", "--trusted-root", emptyTrustedRoot.toString(),
        "--type", VerificationSummary.PREDICATE_TYPE, "--policy", policy("prod2", "production").toString(), ref(image));
    assertThat(bundle.exitCode()).as("cosign v2 verify-attestation of the bundle:\n%s", bundle.output()).isZero();
    // the .att tag alone (as cosign v2 itself writes attestations), without the referrer beside it
    ImageRef legacyOnly = registry.image("svc", "v2-att");
    VerificationSummary summary = new VerificationSummary("https://gantry.example", Instant.parse("2026-11-20T10:15:30Z"),
        legacyOnly.repository(), legacyOnly.reference(), "production", "https://gantry.example/policy",
        "sha256:" + "a".repeat(64), List.of(), true, List.of("SLSA_BUILD_LEVEL_0"));
    byte[] envelope = CosignSigner.signedEnvelope(summary.statement(), PemSigner.fromKey(GANTRY.getPrivate()));
    dev.gantry.registry.AttestationWriter.attach(legacyOnly, envelope, VerificationSummary.PREDICATE_TYPE,
        dev.gantry.registry.AttestationWriter.Form.LEGACY_ATT, registry.settings);
    CosignBinary.Run att = cosign2.run(dir, "verify-attestation", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
        "--type", VerificationSummary.PREDICATE_TYPE, "--policy", policy("prod2b", "production").toString(), ref(legacyOnly));
    assertThat(att.exitCode()).as("cosign v2 verify-attestation of the .att tag:\n%s", att.output()).isZero();
    CosignBinary.Run att3 = cosign3.run(dir, "verify-attestation", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
        "--type", VerificationSummary.PREDICATE_TYPE, "--policy", policy("prod3b", "production").toString(), ref(legacyOnly));
    assertThat(att3.exitCode()).as("cosign v3 verify-attestation of the .att tag:\n%s", att3.output()).isZero();
    assertThat(cosign2.run(dir, "verify-attestation", "--key", otherPub.toString(), "--insecure-ignore-tlog=true",
        "--new-bundle-format", "--trusted-root", emptyTrustedRoot.toString(),
        "--type", VerificationSummary.PREDICATE_TYPE, ref(image)).exitCode()).as("another key").isNotZero();
  }
}
