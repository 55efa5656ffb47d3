package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.testsupport.CosignBinary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * Real {@code cosign verify-attestation --type https://slsa.dev/verification_summary/v1} (v3.1.3 and
 * v2.6.5) accepts the VSA Gantry attaches ({@link VerificationSummaries#attest}), read from the
 * {@code .att} tag and from the bundle referrer, and prints the statement with the fields admission
 * policies check; another key is refused.
 */
class VerificationSummaryFormsInteropTest {
  private static final AtomicInteger IMAGES = new AtomicInteger();

  @TempDir static Path dir;
  private static RawRegistry registry;
  private static CosignBinary cosign3;
  private static CosignBinary cosign2;
  private static KeyPair pair;
  private static PemSigner signer;
  private static Path pub;
  private static Path otherPub;
  private static Path emptyTrustedRoot;

  @BeforeAll
  static void start() throws Exception {
    cosign3 = CosignBinary.v3();
    cosign2 = CosignBinary.v2();
    registry = new RawRegistry();
    pair = PemSignerTest.generate("EC", new ECGenParameterSpec("secp256r1"));
    signer = PemSigner.fromPem(PemSignerTest.pkcs8Pem(pair.getPrivate()));
    pub = Files.writeString(dir.resolve("gantry.pub"), PublicKeys.pem(pair.getPublic()));
    otherPub = Files.writeString(dir.resolve("other.pub"),
        PublicKeys.pem(PemSignerTest.generate("EC", new ECGenParameterSpec("secp256r1")).getPublic()));
    // a Sigstore trusted root that trusts no CA, log or TSA: keyed bundles need nothing more
    emptyTrustedRoot = Files.writeString(dir.resolve("trusted_root.json"),
        "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void cosignV3AndV2VerifyTheSummaryGantryAttestsInBothForms() throws Exception {
    ImageRef image = registry.image("acme/storefront", "vsa-" + IMAGES.incrementAndGet());
    VerificationSummaries.Written written =
        VerificationSummaries.attest(image, CraneInteropTest.summary(image), signer, registry.settings);
    assertThat(written.legacy()).isNotNull();
    assertThat(written.referrer()).isNotNull();
    String ref = image.repository() + "@" + image.reference();

    // v3 reads the bundle by default and the .att tag when told to
    verified(cosign3, image, "--new-bundle-format=true", ref);
    verified(cosign3, image, "--new-bundle-format=false", ref);
    // v2 sees the bundle referrer and wants a trusted root even for a key (an empty one will do)
    assertThat(cosign2.run(dir, args(pub, ref)).output()).contains("trusted root is required when using new bundle format");
    verified(cosign2, image, "--new-bundle-format", "--trusted-root", emptyTrustedRoot.toString(), ref);
  }

  @Test
  void cosignV2AndV3VerifyASummaryInTheAttTagAlone() throws Exception {
    ImageRef image = registry.image("acme/storefront", "vsa-" + IMAGES.incrementAndGet());
    byte[] statement = CraneInteropTest.summary(image).statement();
    byte[] envelope = CosignSigner.envelopeJson(new Dsse.Envelope(Dsse.IN_TOTO_PAYLOAD_TYPE, statement,
        List.of(new Dsse.Sig(null, signer.sign(Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, statement))))));
    AttestationWriter.attach(image, envelope, VerificationSummary.PREDICATE_TYPE, AttestationWriter.Form.LEGACY_ATT,
        registry.settings);
    String ref = image.repository() + "@" + image.reference();

    verified(cosign2, image, ref);
    verified(cosign3, image, "--new-bundle-format=false", ref);
  }

  /** cosign verify-attestation passes with Gantry's key, prints the summary, and fails with another key. */
  private static void verified(CosignBinary cosign, ImageRef image, String... extra) throws Exception {
    CosignBinary.Run run = cosign.run(dir, args(pub, extra));
    assertThat(run.exitCode()).as("cosign %s verify-attestation %s:\n%s", cosign.version(), List.of(extra), run.output())
        .isZero();
    JsonNode statement = statementIn(run.output());
    assertThat(statement.path("predicateType").asText()).isEqualTo(VerificationSummary.PREDICATE_TYPE);
    assertThat(statement.path("predicate").path("verificationResult").asText()).isEqualTo(VerificationSummary.PASSED);
    assertThat(statement.path("predicate").path("environment").asText()).isEqualTo("production");
    assertThat(VerificationSummary.parse(statement).digest()).isEqualTo(image.reference());
    assertThat(cosign.run(dir, args(otherPub, extra)).exitCode())
        .as("cosign %s verify-attestation %s with another key", cosign.version(), List.of(extra)).isNotZero();
  }

  private static String[] args(Path key, String... extra) {
    List<String> args = new ArrayList<>(List.of("verify-attestation", "--key", key.toString(),
        "--insecure-ignore-tlog=true", "--type", VerificationSummary.PREDICATE_TYPE));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** cosign prints one envelope per verified attestation, a JSON line; its payload is the statement. */
  private static JsonNode statementIn(String output) throws Exception {
    for (String line : output.lines().toList()) {
      if (line.startsWith("{") && line.contains("\"payload\"")) {
        JsonNode envelope = RawRegistry.JSON.readTree(line);
        return RawRegistry.JSON.readTree(Base64.getDecoder().decode(envelope.path("payload").asText()));
      }
    }
    throw new AssertionError("no envelope in cosign's output:\n" + output);
  }
}
