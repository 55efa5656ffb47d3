package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.evidence.PublicKeys;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.testsupport.MotoServer;
import dev.gantry.testsupport.TestKeys;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/** KmsSigner against moto's KMS server on loopback: keys made here with the SDK, signatures checked with the JDK. */
class KmsSignerTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static MotoServer moto;
  private static KmsClient kms;
  private static final List<KmsSigner> SIGNERS = new ArrayList<>();

  @BeforeAll
  static void start() {
    moto = MotoServer.start();
    kms = KmsClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1).credentialsProvider(MotoServer.CREDENTIALS).build();
  }

  @AfterAll
  static void stop() {
    SIGNERS.forEach(KmsSigner::close);
    if (kms != null) {
      kms.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  static String createKey(KeyUsageType usage, KeySpec spec) {
    return kms.createKey(r -> r.keyUsage(usage).keySpec(spec)).keyMetadata().keyId();
  }

  static KmsSigner signer(String key) {
    KmsSigner signer = KmsSigner.open(KmsKeyUri.parse("awskms:///" + key), moto.endpoint().toString(), "us-east-1", MotoServer.CREDENTIALS);
    SIGNERS.add(signer);
    return signer;
  }

  static PublicKey kmsPublicKey(String key) {
    return PublicKeys.fromDer(kms.getPublicKey(r -> r.keyId(key)).publicKey().asByteArray());
  }

  static boolean verifies(String jcaAlgorithm, PublicKey key, byte[] data, byte[] signature) throws Exception {
    Signature s = Signature.getInstance(jcaAlgorithm);
    s.initVerify(key);
    s.update(data);
    return s.verify(signature);
  }

  static byte[] random(int size) {
    byte[] data = new byte[size];
    RANDOM.nextBytes(data);
    return data;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ECC_NIST_P256, ECDSA_SHA_256,             SHA256withECDSA, SHA-256",
      "ECC_NIST_P384, ECDSA_SHA_384,             SHA384withECDSA, SHA-384",
      "RSA_2048,      RSASSA_PKCS1_V1_5_SHA_256, SHA256withRSA,   SHA-256"})
  void signsAsCosignDoesAndTheJdkVerifiesWithTheKeyFromGetPublicKey(
      KeySpec spec, SigningAlgorithmSpec algorithm, String jca, String hash) throws Exception {
    String keyId = createKey(KeyUsageType.SIGN_VERIFY, spec);
    KmsSigner signer = signer(keyId);
    PublicKey published = kmsPublicKey(keyId);

    assertThat(signer.publicKey().getEncoded()).isEqualTo(published.getEncoded());
    assertThat(signer.keyId()).isEqualTo(AttestationWriter.keyHint(published));
    assertThat(signer.signingAlgorithm()).isEqualTo(algorithm);
    assertThat(signer.keyArn()).isEqualTo(kms.describeKey(r -> r.keyId(keyId)).keyMetadata().arn());
    // the same algorithm a PEM key of this type signs with, so verifiers need not know where the key lives
    assertThat(KeyAlgorithms.jcaName(signer.publicKey())).isEqualTo(jca);

    // 1 to 4096 bytes: RAW, which KMS hashes itself; the JDK verifies the DER signature over the data
    for (int size : new int[] {1, 300, KmsSigner.MAX_RAW_MESSAGE}) {
      byte[] data = random(size);
      byte[] signature = signer.sign(data);
      assertThat(verifies(jca, published, data, signature)).as("%s signature over %d bytes", spec, size).isTrue();
      assertThat(KeyAlgorithms.verify(published, data, signature)).isTrue();
      assertThat(verifies(jca, published, random(size + 1), signature)).isFalse();
      if (jca.endsWith("ECDSA")) {
        assertThat(signature[0]).as("an ASN.1 DER SEQUENCE, as cosign stores ECDSA signatures").isEqualTo((byte) 0x30);
      }
    }

    // above 4096 bytes: hashed here and sent as DIGEST, as real KMS requires. moto (5.2.5) hashes a
    // DIGEST message once more and signs H(H(data)), so the JDK cannot verify this signature over
    // the data on moto (on real KMS it does: same code, KMS signs the digest as given). moto's own
    // Verify with MessageType=DIGEST repeats that hashing, so it accepts the signature for exactly
    // this digest and refuses it for any other.
    // The empty message (KMS takes no empty RAW message) goes the same way.
    for (byte[] data : List.of(random(KmsSigner.MAX_RAW_MESSAGE + 1), random(100_000), new byte[0])) {
      byte[] signature = signer.sign(data);
      byte[] digest = MessageDigest.getInstance(hash).digest(data);
      assertThat(kmsVerify(keyId, algorithm, digest, signature)).as("%s DIGEST signature over %d bytes", spec, data.length).isTrue();
      assertThat(kmsVerify(keyId, algorithm, MessageDigest.getInstance(hash).digest(random(10)), signature)).isFalse();
    }
  }

  private static boolean kmsVerify(String keyId, SigningAlgorithmSpec algorithm, byte[] digest, byte[] signature) {
    try {
      return kms.verify(r -> r.keyId(keyId).signingAlgorithm(algorithm).messageType(MessageType.DIGEST)
          .message(SdkBytes.fromByteArray(digest)).signature(SdkBytes.fromByteArray(signature))).signatureValid();
    } catch (KmsException invalid) {
      // real KMS answers KMSInvalidSignatureException for a signature that does not verify
      return false;
    }
  }

  @Test
  void aliasNamesAndAliasArnsSignWithTheKeyTheAliasNamedWhenFirstUsed() throws Exception {
    String first = createKey(KeyUsageType.SIGN_VERIFY, KeySpec.ECC_NIST_P256);
    String second = createKey(KeyUsageType.SIGN_VERIFY, KeySpec.ECC_NIST_P256);
    kms.createAlias(r -> r.aliasName("alias/gantry/prod").targetKeyId(first));
    String firstArn = kms.describeKey(r -> r.keyId(first)).keyMetadata().arn();
    String account = firstArn.split(":")[4];

    KmsSigner byName = signer("alias/gantry/prod");
    KmsSigner byArn = signer("arn:aws:kms:us-east-1:" + account + ":alias/gantry/prod");
    assertThat(byName.uri().kind()).isEqualTo(KmsKeyUri.Kind.ALIAS_NAME);
    assertThat(byArn.uri().kind()).isEqualTo(KmsKeyUri.Kind.ALIAS_ARN);
    assertThat(byName.keyArn()).isEqualTo(firstArn);
    assertThat(byArn.keyArn()).isEqualTo(firstArn);
    assertThat(byName.keyId()).isEqualTo(AttestationWriter.keyHint(kmsPublicKey(first)));

    // the alias moves; the running signer keeps the key its keyId and public key name
    kms.updateAlias(r -> r.aliasName("alias/gantry/prod").targetKeyId(second));
    byte[] data = random(100);
    byte[] signature = byName.sign(data);
    assertThat(verifies("SHA256withECDSA", kmsPublicKey(first), data, signature)).isTrue();
    assertThat(verifies("SHA256withECDSA", kmsPublicKey(second), data, signature)).isFalse();
    // a new signer follows the alias
    assertThat(signer("alias/gantry/prod").keyArn()).isEqualTo(kms.describeKey(r -> r.keyId(second)).keyMetadata().arn());
  }

  @Test
  void anUnknownKeyOrAliasIsRefusedWithTheReason() {
    for (String key : List.of("1234abcd-12ab-34cd-56ef-1234567890ab", "alias/nobody-made-this")) {
      KmsSigner signer = signer(key);
      assertThatThrownBy(() -> signer.sign(new byte[] {1}))
          .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
            assertThat(f.isNonRetryable()).isTrue();
            assertThat(f.getType()).isEqualTo(KmsSigner.KEY_REFUSED);
          })
          .hasMessageContaining("cannot read KMS key awskms:///" + key)
          .hasMessageContaining("NotFoundException")
          .hasMessageContaining("no such key in this Region and account");
      // a failed read is not cached: keyId() asks KMS again and fails the same way
      assertThatThrownBy(signer::keyId).hasMessageContaining("NotFoundException");
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "ENCRYPT_DECRYPT,     SYMMETRIC_DEFAULT, has key usage ENCRYPT_DECRYPT (SYMMETRIC_DEFAULT); signing needs a SIGN_VERIFY key",
      "ENCRYPT_DECRYPT,     RSA_2048,          has key usage ENCRYPT_DECRYPT (RSA_2048); signing needs a SIGN_VERIFY key",
      "GENERATE_VERIFY_MAC, HMAC_256,          has key usage GENERATE_VERIFY_MAC (HMAC_256); signing needs a SIGN_VERIFY key",
      "SIGN_VERIFY,         ECC_SECG_P256_K1,  has key spec ECC_SECG_P256K1, which cosign cannot verify"})
  void aKeyThatCannotSignAsCosignVerifiesIsRefused(KeyUsageType usage, KeySpec spec, String reason) {
    KmsSigner signer = signer(createKey(usage, spec));
    assertThatThrownBy(signer::publicKey)
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isTrue();
          assertThat(f.getType()).isEqualTo(KmsSigner.KEY_REFUSED);
        })
        .hasMessageContaining(reason);
  }

  @Test
  void aDisabledKeyOrOnePendingDeletionIsRefused() throws Exception {
    String disabled = createKey(KeyUsageType.SIGN_VERIFY, KeySpec.ECC_NIST_P256);
    kms.disableKey(r -> r.keyId(disabled));
    assertThatThrownBy(() -> signer(disabled).sign(new byte[] {1}))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isTrue())
        .hasMessageContaining("is Disabled: enable it (aws kms enable-key)");

    // enabled again, it signs
    kms.enableKey(r -> r.keyId(disabled));
    byte[] signature = signer(disabled).sign(new byte[] {1});
    assertThat(verifies("SHA256withECDSA", kmsPublicKey(disabled), new byte[] {1}, signature)).isTrue();

    String deleted = createKey(KeyUsageType.SIGN_VERIFY, KeySpec.ECC_NIST_P256);
    kms.scheduleKeyDeletion(r -> r.keyId(deleted).pendingWindowInDays(7));
    assertThatThrownBy(() -> signer(deleted).keyId())
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isTrue())
        .hasMessageContaining("is PendingDeletion: it cannot sign");
  }

  @Test
  void kmsOutOfReachIsRetryable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    KmsSigner signer = KmsSigner.open(KmsKeyUri.parse("awskms:///alias/gantry"), "http://127.0.0.1:" + port, "us-east-1", MotoServer.CREDENTIALS);
    SIGNERS.add(signer);
    assertThatThrownBy(() -> signer.sign(new byte[] {1}))
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
          assertThat(f.isNonRetryable()).isFalse();
          assertThat(f.getType()).isEqualTo(KmsSigner.KMS_UNAVAILABLE);
        })
        .hasMessageContaining("cannot read KMS key awskms:///alias/gantry (region us-east-1 at http://127.0.0.1:" + port + ")");
  }

  @Test
  void throttlingAndKmsFailuresAreRetriedAccessDeniedIsNot() {
    var throttled = KmsException.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("Rate exceeded").build()).build();
    assertThat(KmsSigner.failure("sign", throttled))
        .satisfies(f -> assertThat(f.isNonRetryable()).isFalse())
        .satisfies(f -> assertThat(f.getType()).isEqualTo(KmsSigner.KMS_UNAVAILABLE))
        .hasMessageContaining("ThrottlingException: Rate exceeded");
    var internal = KmsInternalException.builder().statusCode(500)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("KMSInternalException").errorMessage("oops").build()).build();
    assertThat(KmsSigner.failure("sign", internal).isNonRetryable()).isFalse();

    var denied = KmsException.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException")
            .errorMessage("User: arn:aws:iam::111122223333:role/gantry is not authorized to perform: kms:Sign").build()).build();
    assertThat(KmsSigner.failure("sign", denied))
        .satisfies(f -> assertThat(f.isNonRetryable()).isTrue())
        .satisfies(f -> assertThat(f.getType()).isEqualTo(KmsSigner.KEY_REFUSED))
        .hasMessageContaining("is not authorized to perform: kms:Sign")
        .hasMessageContaining("allow kms:DescribeKey, kms:GetPublicKey and kms:Sign");
    var notFound = NotFoundException.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("NotFoundException").errorMessage("Key … does not exist").build()).build();
    assertThat(KmsSigner.failure("sign", notFound).isNonRetryable()).isTrue();
    // no credentials anywhere: retrying does not find some
    var noCredentials = SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    assertThat(KmsSigner.failure("sign", noCredentials))
        .satisfies(f -> assertThat(f.isNonRetryable()).isTrue())
        .hasMessageContaining("Unable to load credentials");
  }

  // ----------------------------------------------------------------- configuration

  @Test
  void gantrySigningKeyNamesAKmsKeyWithTheDefaultCredentialChain(@TempDir Path dir) throws Exception {
    // the default chain reads these system properties first: dummies for moto, set for this JVM only
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
    String keyId = createKey(KeyUsageType.SIGN_VERIFY, KeySpec.ECC_NIST_P256);
    kms.createAlias(r -> r.aliasName("alias/gantry-config").targetKeyId(keyId));

    Signer signer = Signers.fromConfig("awskms:///alias/gantry-config", null, moto.endpoint().toString(), "us-east-1");
    assertThat(signer).isInstanceOf(KmsSigner.class);
    SIGNERS.add((KmsSigner) signer);
    byte[] signature = signer.sign(new byte[] {42});
    assertThat(verifies("SHA256withECDSA", kmsPublicKey(keyId), new byte[] {42}, signature)).isTrue();

    // a key that cannot sign stops start-up, naming the property
    kms.disableKey(r -> r.keyId(keyId));
    assertThatThrownBy(() -> Signers.fromConfig("awskms:///alias/gantry-config", null, moto.endpoint().toString(), "us-east-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gantry.signing.key awskms:///alias/gantry-config cannot be used")
        .hasMessageContaining("is Disabled");
    // KMS out of reach at start: the signer is kept, signing retries later
    Signer unreachable = Signers.fromConfig("awskms:///alias/gantry-config", null, "http://127.0.0.1:1", "us-east-1");
    assertThat(unreachable).isInstanceOf(KmsSigner.class);
    SIGNERS.add((KmsSigner) unreachable);

    // configuration that contradicts itself is refused with the reason
    assertThatThrownBy(() -> Signers.fromConfig("awskms:///alias/x", "secret".toCharArray(), null, "us-east-1"))
        .hasMessageContaining("gantry.signing.password is set, but awskms:///alias/x is a KMS key");
    assertThatThrownBy(() -> Signers.fromConfig("awskms:///not-a-key", null, null, "us-east-1"))
        .hasMessageContaining("gantry.signing.key awskms:///not-a-key: ")
        .hasMessageContaining("is not a key id, ARN or alias");
    assertThatThrownBy(() -> Signers.fromConfig("gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", null, null, null))
        .hasMessageContaining("only AWS KMS keys (awskms://…) and key files are supported");
    assertThatThrownBy(() -> Signers.fromConfig(null, null, "http://127.0.0.1:1", null))
        .hasMessageContaining("gantry.signing.kms-endpoint / kms-region are set but gantry.signing.key is not");
    Path pem = Files.writeString(dir.resolve("gantry.key"), PemSignerTest.pkcs8Pem(TestKeys.p256().getPrivate()));
    assertThatThrownBy(() -> Signers.fromConfig(pem.toString(), null, null, "eu-west-1"))
        .hasMessageContaining("is a key file, not awskms://");
    assertThat(Signers.fromConfig(pem.toString(), null, null, null)).isInstanceOf(PemSigner.class);
    assertThat(Signers.fromConfig(" ", null, null, null)).isNull();
  }
}
