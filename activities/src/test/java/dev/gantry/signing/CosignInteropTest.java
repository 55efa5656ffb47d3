package dev.gantry.signing;

import dev.gantry.evidence.PublicKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.model.ImageRef;
import dev.gantry.signing.CosignSigner.Form;
import dev.gantry.testsupport.CosignBinary;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gantry's signatures against the real cosign v3.1.3 and v2.6.5, both directions, on Debian's
 * docker-registry (plain http on loopback, no referrers API: the bundle goes through the tag-schema
 * fallback). cosign talks plain http to 127.0.0.1 without any insecure-registry flag.
 */
class CosignInteropTest {
  private static final Map<String, String> PASSWORD = Map.of("COSIGN_PASSWORD", "x");
  private static final Map<String, String> NOTES = Map.of("env", "prod", "release", "r-42");
  private static final AtomicInteger IMAGES = new AtomicInteger();

  @TempDir static Path dir;
  private static RawRegistry registry;
  private static CosignBinary cosign3;
  private static CosignBinary cosign2;
  private static Path cosignKey;
  private static Path cosignPub;
  private static Path otherPub;
  private static Path emptyTrustedRoot;

  @BeforeAll
  static void start() throws Exception {
    cosign3 = CosignBinary.v3();
    cosign2 = CosignBinary.v2();
    registry = new RawRegistry();
    // a key pair as teams have them: cosign's encrypted format, password from COSIGN_PASSWORD
    cosign3.run(dir, PASSWORD, "generate-key-pair").ok();
    cosignKey = dir.resolve("cosign.key");
    cosignPub = dir.resolve("cosign.pub");
    // a Sigstore trusted root that trusts no CA, log or TSA: keyed bundles need nothing more
    emptyTrustedRoot =
        Files.writeString(dir.resolve("trusted_root.json"),
            "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
    otherPub = Files.writeString(dir.resolve("other.pub"), PublicKeys.pem(PemSignerTest.generate("EC", new ECGenParameterSpec("secp256r1")).getPublic()));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageRef image() {
    return registry.image("app", "build-" + IMAGES.incrementAndGet());
  }

  private static String ref(ImageRef image) {
    return image.repository() + "@" + image.reference();
  }

  private static PublicKey cosignPublicKey() throws Exception {
    return PublicKeys.fromPem(Files.readString(cosignPub));
  }

  private static Path pem(String name, PublicKey key) throws Exception {
    return Files.writeString(dir.resolve(name), PublicKeys.pem(key));
  }

  // ----------------------------------------------------------------- cosign verifies Gantry

  static Stream<Arguments> keyTypes() {
    return Stream.of(
        Arguments.of("ECDSA P-256", PemSignerTest.generate("EC", new ECGenParameterSpec("secp256r1"))),
        Arguments.of("ECDSA P-384", PemSignerTest.generate("EC", new ECGenParameterSpec("secp384r1"))),
        Arguments.of("RSA 3072", PemSignerTest.generate("RSA", 3072)),
        Arguments.of("Ed25519", PemSignerTest.generate("Ed25519", null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyTypes")
  void cosignV3AndV2VerifyGantrysLegacySignature(String name, KeyPair pair) throws Exception {
    ImageRef image = image();
    PemSigner signer = PemSigner.fromPem(PemSignerTest.pkcs8Pem(pair.getPrivate()));
    Path pub = pem("legacy-" + name.replace(' ', '-') + ".pub", pair.getPublic());

    CosignSigner.sign(image, signer, NOTES, Form.LEGACY, registry.settings);

    // cosign sign hashes P-384 with SHA-384, as Gantry does; cosign verify assumes SHA-256 unless told
    String digestAlgorithm = "--signature-digest-algorithm=" + (name.contains("P-384") ? "sha384" : "sha256");
    for (CosignBinary cosign : List.of(cosign3, cosign2)) {
      CosignBinary.Run run =
          cosign.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", digestAlgorithm,
              "-a", "env=prod", "-a", "release=r-42", ref(image));
      assertThat(run.exitCode()).as("cosign %s verify of a %s legacy signature:\n%s", cosign.version(), name, run.output())
          .isZero();
      assertThat(run.output()).contains("\"docker-manifest-digest\":\"" + image.reference() + "\"");
      assertThat(cosign.run(dir, "verify", "--key", otherPub.toString(), "--insecure-ignore-tlog=true", ref(image)).exitCode())
          .as("cosign %s with another key", cosign.version()).isNotZero();
      assertThat(cosign.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", "-a", "env=staging", ref(image)).exitCode())
          .as("cosign %s requiring another annotation value", cosign.version()).isNotZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyTypes")
  void cosignV3VerifiesGantrysBundle(String name, KeyPair pair) throws Exception {
    ImageRef image = image();
    PemSigner signer = PemSigner.fromPem(PemSignerTest.pkcs8Pem(pair.getPrivate()));
    Path pub = pem("bundle-" + name.replace(' ', '-') + ".pub", pair.getPublic());

    CosignSigner.sign(image, signer, NOTES, Form.BUNDLE, registry.settings);

    // as for cosign's own P-384 bundles: verify needs to be told the key's hash
    String digestAlgorithm = "--signature-digest-algorithm=" + (name.contains("P-384") ? "sha384" : "sha256");
    CosignBinary.Run run =
        cosign3.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", digestAlgorithm,
            "-a", "env=prod", ref(image));
    assertThat(run.exitCode()).as("cosign v3 verify of a %s bundle:\n%s", name, run.output()).isZero();
    assertThat(run.output()).contains(CosignPayloads.SIGN_PREDICATE_TYPE);
    // cosign v2.6.5 reads bundles too, given a trusted root (an empty one will do for a key)
    CosignBinary.Run v2 =
        cosign2.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", digestAlgorithm,
            "--new-bundle-format", "--trusted-root", emptyTrustedRoot.toString(), "-a", "env=prod", ref(image));
    assertThat(v2.exitCode()).as("cosign v2 verify of a %s bundle:\n%s", name, v2.output()).isZero();
    assertThat(cosign3.run(dir, "verify", "--key", otherPub.toString(), "--insecure-ignore-tlog=true", ref(image)).exitCode())
        .isNotZero();
    assertThat(cosign3.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", "-a", "env=staging", ref(image)).exitCode())
        .isNotZero();
  }

  // ----------------------------------------------------------------- Gantry verifies cosign

  @ParameterizedTest(name = "cosign {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {CosignBinary.V2, CosignBinary.V3})
  void gantryVerifiesWhatCosignSignedInTheLegacyForm(String version) throws Exception {
    ImageRef image = image();
    if (version.equals(CosignBinary.V2)) {
      cosign2.run(dir, PASSWORD, "sign", "--key", cosignKey.toString(), "--tlog-upload=false", "--yes",
          "-a", "env=prod", "-a", "release=r-42", ref(image)).ok();
    } else {
      // v3 writes the .sig tag when told not to write a bundle
      cosign3.run(dir, PASSWORD, "sign", "--key", cosignKey.toString(), "--new-bundle-format=false",
          "--use-signing-config=false", "--tlog-upload=false", "--yes",
          "-a", "env=prod", "-a", "release=r-42", ref(image)).ok();
    }

    CosignVerifier.Result result = CosignVerifier.verify(image, List.of(cosignPublicKey()), NOTES, registry.settings);

    assertThat(result.ok()).as(result.reason()).isTrue();
    assertThat(result.verified()).singleElement().satisfies(v -> {
      assertThat(v.form()).isEqualTo(Form.LEGACY);
      assertThat(v.annotations()).containsAllEntriesOf(NOTES);
      assertThat(v.keyId()).isEqualTo(PemSigner.read(cosignKey, "x".toCharArray()).keyId());
    });
    assertThat(CosignVerifier.verify(image, List.of(PublicKeys.fromPem(Files.readString(otherPub))), registry.settings).reason())
        .contains("is not signed by a trusted key");

    // the same key signing the same payload again adds nothing, whoever wrote the first one
    CosignSigner.Signature again =
        CosignSigner.sign(image, PemSigner.read(cosignKey, "x".toCharArray()), NOTES, Form.LEGACY, registry.settings);
    assertThat(again.added()).isFalse();
    assertThat(again.manifestDigest()).isEqualTo(result.verified().getFirst().manifestDigest());
  }

  @Test
  void gantryVerifiesWhatCosignV3SignedAsABundle() throws Exception {
    ImageRef image = image();
    cosign3.run(dir, PASSWORD, "sign", "--key", cosignKey.toString(), "--use-signing-config=false",
        "--tlog-upload=false", "--yes", "-a", "env=prod", "-a", "release=r-42", ref(image)).ok();

    CosignVerifier.Result result = CosignVerifier.verify(image, List.of(cosignPublicKey()), NOTES, registry.settings);

    assertThat(result.ok()).as(result.reason()).isTrue();
    assertThat(result.verified()).singleElement().satisfies(v -> {
      assertThat(v.form()).isEqualTo(Form.BUNDLE);
      assertThat(v.annotations()).containsAllEntriesOf(NOTES);
    });
    assertThat(registry.hasManifest("app", RawRegistry.tagOf(image.reference(), ".sig"))).isFalse();

    CosignSigner.Signature again =
        CosignSigner.sign(image, PemSigner.read(cosignKey, "x".toCharArray()), NOTES, Form.BUNDLE, registry.settings);
    assertThat(again.added()).isFalse();
    assertThat(again.manifestDigest()).isEqualTo(result.verified().getFirst().manifestDigest());
  }

  @Test
  void gantryReadsCosignsEncryptedKeyWithItsPassword() throws Exception {
    String key = Files.readString(cosignKey);
    assertThat(key).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----");

    PemSigner signer = PemSigner.read(cosignKey, "x".toCharArray());

    assertThat(signer.publicKey()).isEqualTo(cosignPublicKey());
    assertThatThrownBy(() -> PemSigner.read(cosignKey, "y".toCharArray()))
        .hasMessage(cosignKey + ": cannot decrypt the cosign private key: wrong password (or the key file was altered)");
  }

  @Test
  void aKeyCosignV2EncryptedWithAnEmptyPasswordIsReadToo() throws Exception {
    Path v2dir = Files.createDirectories(dir.resolve("v2-empty"));
    cosign2.run(v2dir, Map.of("COSIGN_PASSWORD", ""), "generate-key-pair").ok();

    PemSigner signer = PemSigner.read(v2dir.resolve("cosign.key"), new char[0]);

    assertThat(signer.publicKey()).isEqualTo(PublicKeys.fromPem(Files.readString(v2dir.resolve("cosign.pub"))));
    ImageRef image = image();
    CosignSigner.sign(image, signer, Map.of(), Form.LEGACY, registry.settings);
    cosign2.run(dir, "verify", "--key", v2dir.resolve("cosign.pub").toString(), "--insecure-ignore-tlog=true", ref(image)).ok();
  }

  @Test
  void cosignV3VerifiesWhatGantrySignedWithTheCosignKey() throws Exception {
    ImageRef image = image();
    PemSigner signer = PemSigner.read(cosignKey, "x".toCharArray());

    CosignSigner.sign(image, signer, Map.of(), Form.BUNDLE, registry.settings);
    CosignSigner.sign(image, signer, Map.of(), Form.LEGACY, registry.settings);

    cosign3.run(dir, "verify", "--key", cosignPub.toString(), "--insecure-ignore-tlog=true", ref(image)).ok();
    // cosign v2.6.5 sees the bundle referrer and insists on a trusted root, even for the .sig tag
    assertThat(cosign2.run(dir, "verify", "--key", cosignPub.toString(), "--insecure-ignore-tlog=true", ref(image)).output())
        .contains("trusted root is required when using new bundle format");
    cosign2.run(dir, "verify", "--key", cosignPub.toString(), "--insecure-ignore-tlog=true",
        "--new-bundle-format", "--trusted-root", emptyTrustedRoot.toString(), ref(image)).ok();
    CosignVerifier.Result result = CosignVerifier.verify(image, List.of(cosignPublicKey()), registry.settings);
    assertThat(result.verified(Form.LEGACY)).isTrue();
    assertThat(result.verified(Form.BUNDLE)).isTrue();
  }

  // ---------------------------------------------------------------- the image stays the same

  @Test
  void skopeoReadsTheSignedImageUnchanged() {
    ImageRef image = image();
    PemSigner signer = PemSigner.fromPem(PemSignerTest.pkcs8Pem(PemSignerTest.generate("EC", new ECGenParameterSpec("secp256r1")).getPrivate()));
    String before = skopeoRaw("docker://" + ref(image));

    CosignSigner.sign(image, signer, NOTES, Form.LEGACY, registry.settings);
    CosignSigner.sign(image, signer, NOTES, Form.BUNDLE, registry.settings);

    String byDigest = skopeoRaw("docker://" + ref(image));
    String byTag = skopeoRaw("docker://" + image.repository() + ":v1");
    assertThat(byDigest).isEqualTo(before);
    assertThat(RawRegistry.sha256(byDigest.getBytes(StandardCharsets.UTF_8))).isEqualTo(image.reference());
    assertThat(RawRegistry.sha256(byTag.getBytes(StandardCharsets.UTF_8))).isEqualTo(image.reference());
  }

  private static String skopeoRaw(String ref) {
    return DockerRegistryProcess.run(List.of("skopeo", "inspect", "--raw", "--tls-verify=false", ref), Duration.ofMinutes(1));
  }
}
