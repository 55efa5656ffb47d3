package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.model.ImageRef;
import dev.gantry.signing.CosignSigner.Form;
import dev.gantry.testsupport.CraneBinary;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crane (go-containerregistry v0.22.1) reads an image Gantry signed (both cosign forms) and
 * attested ({@link VerificationSummaries#attest}: a VSA in the {@code .att} tag and as a bundle
 * referrer) exactly as before: same digest,
 * same manifest bytes, by tag and by digest; and it lists the tags cosign's storage added.
 */
class CraneInteropTest {
  @TempDir static Path dir;
  private static RawRegistry registry;
  private static CraneBinary crane;

  @BeforeAll
  static void start() {
    crane = CraneBinary.find();
    registry = new RawRegistry();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void craneReadsTheSignedAndAttestedImageUnchangedAndListsItsAttachments() throws Exception {
    ImageRef image = registry.image("acme/storefront", "build-1");
    String byTag = image.repository() + ":v1";
    String byDigest = image.repository() + "@" + image.reference();
    String digestBefore = crane("digest", byTag).text().strip();
    byte[] manifestBefore = crane("manifest", byTag).stdout();
    byte[] configBefore = crane("config", byTag).stdout();
    assertThat(digestBefore).isEqualTo(image.reference());

    KeyPair pair = PemSignerTest.generate("EC", new ECGenParameterSpec("secp256r1"));
    PemSigner signer = PemSigner.fromPem(PemSignerTest.pkcs8Pem(pair.getPrivate()));
    Map<String, String> notes = Map.of(SigningActivitiesImpl.ENVIRONMENT, "production");
    CosignSigner.Signature legacy = CosignSigner.sign(image, signer, notes, Form.LEGACY, registry.settings);
    CosignSigner.Signature bundle = CosignSigner.sign(image, signer, notes, Form.BUNDLE, registry.settings);
    VerificationSummaries.Written vsa = VerificationSummaries.attest(image, summary(image), signer, registry.settings);
    String att = vsa.legacy();
    String referrer = vsa.referrer();

    // the image: same digest and the same bytes, by tag and by digest
    assertThat(crane("digest", byTag).text().strip()).isEqualTo(image.reference());
    assertThat(crane("digest", byDigest).text().strip()).isEqualTo(image.reference());
    assertThat(crane("manifest", byTag).stdout()).isEqualTo(manifestBefore);
    assertThat(crane("manifest", byDigest).stdout()).isEqualTo(manifestBefore);
    assertThat(RawRegistry.sha256(manifestBefore)).isEqualTo(image.reference());
    assertThat(crane("config", byTag).stdout()).isEqualTo(configBefore);
    crane("validate", "--remote", byDigest);

    // the tags cosign's storage adds beside it, each naming what Gantry wrote
    String sig = RawRegistry.tagOf(image.reference(), ".sig");
    String attTag = RawRegistry.tagOf(image.reference(), ".att");
    String fallback = RawRegistry.tagOf(image.reference(), "");
    assertThat(crane("ls", image.repository()).lines()).containsExactlyInAnyOrder("v1", sig, attTag, fallback);
    assertThat(crane("digest", image.repository() + ":" + sig).text().strip()).isEqualTo(legacy.manifestDigest());
    assertThat(crane("digest", image.repository() + ":" + attTag).text().strip()).isEqualTo(att);

    JsonNode attManifest = RawRegistry.JSON.readTree(crane("manifest", image.repository() + ":" + attTag).stdout());
    assertThat(attManifest.path("layers")).singleElement().satisfies(l -> {
      assertThat(l.path("mediaType").asText()).isEqualTo("application/vnd.dsse.envelope.v1+json");
      assertThat(l.path("annotations").path("predicateType").asText()).isEqualTo(VerificationSummary.PREDICATE_TYPE);
    });
    JsonNode index = RawRegistry.JSON.readTree(crane("manifest", image.repository() + ":" + fallback).stdout());
    assertThat(index.path("manifests").findValuesAsText("digest"))
        .containsExactlyInAnyOrder(bundle.manifestDigest(), referrer);
    JsonNode referrerManifest = RawRegistry.JSON.readTree(crane("manifest", image.repository() + "@" + referrer).stdout());
    assertThat(referrerManifest.path("subject").path("digest").asText()).isEqualTo(image.reference());
    assertThat(referrerManifest.path("annotations").path("dev.sigstore.bundle.predicateType").asText())
        .isEqualTo(VerificationSummary.PREDICATE_TYPE);
  }

  private static CraneBinary.Run crane(String... args) {
    String[] all = new String[args.length + 1];
    // --insecure: the loopback registry speaks plain http
    all[0] = "--insecure";
    System.arraycopy(args, 0, all, 1, args.length);
    return crane.run(dir, all).ok();
  }

  static VerificationSummary summary(ImageRef image) {
    return new VerificationSummary(
        "https://gantry.example/verifier", Instant.parse("2026-11-20T09:30:00Z"), image.repository(),
        image.reference(), "production", "https://gantry.example/policies/storefront/production",
        "sha256:" + "a".repeat(64),
        List.of(new VerificationSummary.Input("https://gantry.example/evidence/bundle", "sha256:" + "b".repeat(64))),
        true, List.of("SLSA_BUILD_LEVEL_2"));
  }
}
