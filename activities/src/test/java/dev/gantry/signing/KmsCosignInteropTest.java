package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.PublicKeys;
import dev.gantry.model.ImageRef;
import dev.gantry.signing.CosignSigner.Form;
import dev.gantry.testsupport.CosignBinary;
import dev.gantry.testsupport.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * Gantry signs with a KMS key (moto's KMS) in both cosign forms on Debian's docker-registry, and
 * the real cosign v3.1.3 and v2.6.5 verify it with the PEM of {@code GetPublicKey} and, reading the
 * same awskms:// URI, with the KMS key itself.
 */
class KmsCosignInteropTest {
  private static final Map<String, String> NOTES = Map.of("dev.gantry/environment", "production");
  private static final AtomicInteger IMAGES = new AtomicInteger();

  @TempDir static Path dir;
  private static MotoServer moto;
  private static KmsClient kms;
  private static RawRegistry registry;
  private static CosignBinary cosign3;
  private static CosignBinary cosign2;
  private static Path emptyTrustedRoot;

  @BeforeAll
  static void start() throws Exception {
    cosign3 = CosignBinary.v3();
    cosign2 = CosignBinary.v2();
    moto = MotoServer.start();
    kms = KmsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1).credentialsProvider(MotoServer.CREDENTIALS).build();
    registry = new RawRegistry();
    emptyTrustedRoot =
        Files.writeString(dir.resolve("trusted_root.json"),
            "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (kms != null) {
      kms.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  private static String ref(ImageRef image) {
    return image.repository() + "@" + image.reference();
  }

  // cosign's KMS client reads the endpoint, Region and credentials from the AWS environment
  private static Map<String, String> awsEnv() {
    return Map.of("AWS_ENDPOINT_URL", moto.endpoint().toString(), "AWS_REGION", "us-east-1",
        "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ECC_NIST_P256, sha256", "ECC_NIST_P384, sha384", "RSA_2048, sha256"})
  void cosignVerifiesWhatGantrySignedWithAKmsKey(KeySpec spec, String digestAlgorithm) throws Exception {
    String keyId = kms.createKey(r -> r.keyUsage(KeyUsageType.SIGN_VERIFY).keySpec(spec)).keyMetadata().keyId();
    String alias = "alias/gantry-" + spec.toString().toLowerCase();
    kms.createAlias(r -> r.aliasName(alias).targetKeyId(keyId));
    String uri = "awskms:///" + alias;
    Path pub = Files.writeString(dir.resolve(spec + ".pub"),
        PublicKeys.pem(PublicKeys.fromDer(kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray())));

    try (KmsSigner signer = KmsSigner.open(KmsKeyUri.parse(uri), moto.endpoint().toString(), "us-east-1", MotoServer.CREDENTIALS)) {
      ImageRef legacy = registry.image("kms", "legacy-" + IMAGES.incrementAndGet());
      ImageRef bundle = registry.image("kms", "bundle-" + IMAGES.incrementAndGet());
      CosignSigner.sign(legacy, signer, NOTES, Form.LEGACY, registry.settings);
      CosignSigner.sign(bundle, signer, NOTES, Form.BUNDLE, registry.settings);

      // as for PEM keys: cosign verify assumes SHA-256 unless told the P-384 key's hash
      String hash = "--signature-digest-algorithm=" + digestAlgorithm;
      for (CosignBinary cosign : List.of(cosign3, cosign2)) {
        CosignBinary.Run run = cosign.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", hash,
            "-a", "dev.gantry/environment=production", ref(legacy));
        assertThat(run.exitCode()).as("cosign %s verify of the legacy %s signature:\n%s", cosign.version(), spec, run.output()).isZero();
        assertThat(run.output()).contains("\"docker-manifest-digest\":\"" + legacy.reference() + "\"");
      }
      CosignBinary.Run v3 = cosign3.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", hash,
          "-a", "dev.gantry/environment=production", ref(bundle));
      assertThat(v3.exitCode()).as("cosign v3 verify of the %s bundle:\n%s", spec, v3.output()).isZero();
      assertThat(v3.output()).contains(CosignPayloads.SIGN_PREDICATE_TYPE);
      CosignBinary.Run v2 = cosign2.run(dir, "verify", "--key", pub.toString(), "--insecure-ignore-tlog=true", hash,
          "--new-bundle-format", "--trusted-root", emptyTrustedRoot.toString(), ref(bundle));
      assertThat(v2.exitCode()).as("cosign v2 verify of the %s bundle:\n%s", spec, v2.output()).isZero();
      // and a key that did not sign is refused, so the checks above could fail
      assertThat(cosign3.run(dir, "verify", "--key", otherKey().toString(), "--insecure-ignore-tlog=true", ref(legacy)).exitCode())
          .isNotZero();

      // cosign resolves the same URI to the same key, and verifies with the KMS key itself
      CosignBinary.Run publicKey = cosign3.run(dir, awsEnv(), "public-key", "--key", uri).ok();
      assertThat(PublicKeys.fromPem(publicKey.output().substring(publicKey.output().indexOf("-----BEGIN"))).getEncoded())
          .isEqualTo(signer.publicKey().getEncoded());
      CosignBinary.Run byUri = cosign3.run(dir, awsEnv(), "verify", "--key", uri, "--insecure-ignore-tlog=true", ref(legacy));
      assertThat(byUri.exitCode()).as("cosign v3 verify --key %s:\n%s", uri, byUri.output()).isZero();
    }
  }

  private static Path otherKey() throws Exception {
    Path other = dir.resolve("other.pub");
    if (!Files.exists(other)) {
      Files.writeString(other, PublicKeys.pem(dev.gantry.testsupport.TestKeys.p256().getPublic()));
    }
    return other;
  }
}
