package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.signing.CosignSigner.Form;
import dev.gantry.testsupport.TestKeys;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Gantry signs and verifies its own signatures, on a real docker-registry and in an OCI layout. */
class CosignSignVerifyTest {
  private static final Map<String, String> NOTES = Map.of("env", "prod", "release", "r-7");
  private static final AtomicInteger IMAGES = new AtomicInteger();
  private static RawRegistry registry;

  @BeforeAll
  static void start() {
    registry = new RawRegistry();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageRef image() {
    return registry.image("svc", "v" + IMAGES.incrementAndGet());
  }

  private static PemSigner signer() {
    return PemSigner.fromKey(TestKeys.p256().getPrivate());
  }

  private static int sigLayers(ImageRef image) {
    return RawRegistry.bytesToTree(registry.manifest("svc", RawRegistry.tagOf(image.reference(), ".sig")))
        .path("layers").size();
  }

  private static List<String> referrers(ImageRef image) {
    JsonNode index = RawRegistry.bytesToTree(registry.manifest("svc", RawRegistry.tagOf(image.reference(), "")));
    return index.path("manifests").findValuesAsText("digest");
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void whatGantrySignsItVerifiesWithTheAnnotations(Form form) {
    ImageRef image = image();
    PemSigner signer = signer();

    CosignSigner.Signature signed = CosignSigner.sign(image, signer, NOTES, form, registry.settings);
    CosignVerifier.Result result =
        CosignVerifier.verify(image, List.of(signer.publicKey()), Map.of("env", "prod"), registry.settings);

    assertThat(signed.added()).isTrue();
    assertThat(result.ok()).as(result.reason()).isTrue();
    assertThat(result.refusals()).isEmpty();
    assertThat(result.verified()).singleElement().satisfies(v -> {
      assertThat(v.form()).isEqualTo(form);
      assertThat(v.keyIndex()).isZero();
      assertThat(v.keyId()).isEqualTo(signer.keyId());
      assertThat(v.manifestDigest()).isEqualTo(signed.manifestDigest());
      assertThat(v.annotations()).containsAllEntriesOf(NOTES);
    });
    assertThat(result.reason()).contains(form + " signature by key " + signer.keyId());
  }

  @Test
  void signingTheSameDigestAgainAddsNothing() {
    ImageRef image = image();
    PemSigner signer = signer();

    CosignSigner.Signature first = CosignSigner.sign(image, signer, NOTES, Form.LEGACY, registry.settings);
    CosignSigner.Signature again = CosignSigner.sign(image, signer, NOTES, Form.LEGACY, registry.settings);
    CosignSigner.Signature firstBundle = CosignSigner.sign(image, signer, NOTES, Form.BUNDLE, registry.settings);
    CosignSigner.Signature againBundle = CosignSigner.sign(image, signer, NOTES, Form.BUNDLE, registry.settings);

    assertThat(again.added()).isFalse();
    assertThat(again.manifestDigest()).isEqualTo(first.manifestDigest());
    assertThat(sigLayers(image)).isEqualTo(1);
    assertThat(againBundle.added()).isFalse();
    assertThat(againBundle.manifestDigest()).isEqualTo(firstBundle.manifestDigest());
    assertThat(referrers(image)).containsExactly(firstBundle.manifestDigest());
  }

  @Test
  void anotherKeyOrOtherAnnotationsAddASignatureBesideTheFirst() {
    ImageRef image = image();
    PemSigner ci = signer();
    PemSigner gantry = signer();

    CosignSigner.sign(image, ci, Map.of("by", "ci"), Form.LEGACY, registry.settings);
    CosignSigner.Signature second = CosignSigner.sign(image, gantry, Map.of("by", "ci"), Form.LEGACY, registry.settings);
    CosignSigner.Signature third = CosignSigner.sign(image, gantry, NOTES, Form.LEGACY, registry.settings);

    assertThat(second.added()).isTrue();
    assertThat(third.added()).isTrue();
    assertThat(sigLayers(image)).isEqualTo(3);
    CosignVerifier.Result result =
        CosignVerifier.verify(image, List.of(gantry.publicKey()), Map.of("env", "prod"), registry.settings);
    assertThat(result.ok()).as(result.reason()).isTrue();
    // the gantry-signed layer with env=prod counts; the two with by=ci are listed with their reason
    assertThat(result.verified()).singleElement().satisfies(v -> assertThat(v.annotations()).containsEntry("env", "prod"));
    assertThat(result.refusals()).hasSize(2);
    assertThat(result.refusals().get(0)).contains("is not signed by a trusted key");
    assertThat(result.refusals().get(1)).contains("lacks the required annotation env='prod'");
  }

  @Test
  void theKeyThatVerifiesIsNamedByItsIndex() {
    ImageRef image = image();
    PemSigner signer = signer();
    PublicKey other = TestKeys.p256().getPublic();
    CosignSigner.sign(image, signer, Map.of(), Form.BUNDLE, registry.settings);

    CosignVerifier.Result result = CosignVerifier.verify(image, List.of(other, signer.publicKey()), registry.settings);

    assertThat(result.verified()).singleElement().satisfies(v -> assertThat(v.keyIndex()).isEqualTo(1));
  }

  @Test
  void signaturesWorkInAnOciLayoutToo(@TempDir Path dir) {
    String digest = new OciImageWriter().file("app/version", "1").writeLayout(dir, "v1");
    ImageRef image = new ImageRef("oci:" + dir, digest);
    RegistrySettings layout = RegistrySettings.allowing("oci:" + dir);
    PemSigner signer = signer();

    CosignSigner.sign(image, signer, NOTES, Form.LEGACY, layout);
    CosignSigner.sign(image, signer, NOTES, Form.BUNDLE, layout);

    CosignVerifier.Result result = CosignVerifier.verify(image, List.of(signer.publicKey()), NOTES, layout);
    assertThat(result.verified(Form.LEGACY)).as(result.reason()).isTrue();
    assertThat(result.verified(Form.BUNDLE)).as(result.reason()).isTrue();
  }

  @Test
  void aTagIsNeverSignedOrVerified() {
    ImageRef tag = registry.ref("svc", "v1");
    PemSigner signer = signer();

    assertThatThrownBy(() -> CosignSigner.sign(tag, signer, Map.of(), Form.LEGACY, registry.settings))
        .hasMessageContaining("cosign signs a digest, not the tag v1");
    assertThatThrownBy(() -> CosignVerifier.verify(tag, List.of(signer.publicKey()), registry.settings))
        .hasMessageContaining("signatures belong to a digest, not to the tag v1");
    assertThatThrownBy(() -> CosignVerifier.verify(image(), List.of(), registry.settings))
        .hasMessageContaining("at least one trusted public key");
  }
}
