package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.testsupport.TestKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningActivitiesImplTest {
  @TempDir Path root;

  @Test
  void signsBothFormsOnceNamingReleaseEnvironmentAndBundle() {
    Path layout = root.resolve("oci").resolve("shop");
    String digest = new OciImageWriter().file("app", "1").writeLayout(layout, "v1");
    RegistrySettings settings = RegistrySettings.allowing("oci:" + root.resolve("oci"));
    KeyPair key = TestKeys.p256();
    SigningActivitiesImpl signing = new SigningActivitiesImpl(settings, PemSigner.fromKey(key.getPrivate()));
    String bundle = "sha256:" + "b".repeat(64);
    SignRequest request = new SignRequest(new ReleaseRef("shop", "c".repeat(40), "oci:" + layout, digest), "production", bundle);

    SignedRelease first = signing.sign(request);
    SignedRelease retry = signing.sign(request);
    assertThat(first.added()).isTrue();
    assertThat(retry.added()).as("a retried activity signs nothing twice").isFalse();
    assertThat(retry.legacy()).isEqualTo(first.legacy());
    assertThat(retry.bundle()).isEqualTo(first.bundle());

    CosignVerifier.Result verified = CosignVerifier.verify(new ImageRef("oci:" + layout, digest), List.of(key.getPublic()),
        Map.of(SigningActivitiesImpl.ENVIRONMENT, "production", SigningActivitiesImpl.EVIDENCE_BUNDLE, bundle), settings);
    assertThat(verified.ok()).as(verified.reason()).isTrue();
    assertThat(verified.verified(CosignSigner.Form.LEGACY)).isTrue();
    assertThat(verified.verified(CosignSigner.Form.BUNDLE)).isTrue();
    CosignVerifier.Result otherEnvironment = CosignVerifier.verify(new ImageRef("oci:" + layout, digest), List.of(key.getPublic()),
        Map.of(SigningActivitiesImpl.ENVIRONMENT, "dev"), settings);
    assertThat(otherEnvironment.ok()).as("the signature says which environment it was for").isFalse();
  }

  @Test
  void withoutAKeyNothingIsSignedAndTheResultSaysSo() {
    SignedRelease none = new SigningActivitiesImpl(RegistrySettings.allowing(), null)
        .sign(new SignRequest(new ReleaseRef("shop", "c".repeat(40), "oci:/nowhere", "sha256:" + "d".repeat(64)), "dev", null));
    assertThat(none.keyId()).isNull();
    assertThat(none.added()).isFalse();
  }
}
