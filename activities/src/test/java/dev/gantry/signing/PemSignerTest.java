package dev.gantry.signing;

import dev.gantry.evidence.PublicKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.signing.EncryptedKey.ScryptParams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PemSignerTest {
  private static final byte[] DATA = "{\"critical\":{}}".getBytes(StandardCharsets.UTF_8);

  static KeyPair generate(String algorithm, Object spec) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (spec instanceof ECGenParameterSpec ec) {
        g.initialize(ec);
      } else if (spec instanceof Integer bits) {
        g.initialize(bits);
      }
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pkcs8Pem(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  static String cosignPem(PrivateKey key, String password, ScryptParams params, String type) {
    byte[] body = EncryptedKey.encrypt(key.getEncoded(), password.toCharArray(), params);
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(body)
        + "\n-----END " + type + "-----\n";
  }

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of("ECDSA P-256", generate("EC", new ECGenParameterSpec("secp256r1")), "SHA256withECDSA"),
        Arguments.of("ECDSA P-384", generate("EC", new ECGenParameterSpec("secp384r1")), "SHA384withECDSA"),
        Arguments.of("RSA 3072", generate("RSA", 3072), "SHA256withRSA"),
        Arguments.of("Ed25519", generate("Ed25519", null), "Ed25519"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void aPkcs8KeySignsAsCosignDoesAndDerivesItsPublicKey(String name, KeyPair pair, String algorithm)
      throws Exception {
    PemSigner signer = PemSigner.fromPem(pkcs8Pem(pair.getPrivate()));

    assertThat(signer.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    byte[] sig = signer.sign(DATA);
    Signature verify = Signature.getInstance(algorithm);
    verify.initVerify(pair.getPublic());
    verify.update(DATA);
    assertThat(verify.verify(sig)).as("%s signature verifies with %s", name, algorithm).isTrue();
    if (algorithm.endsWith("ECDSA")) {
      assertThat(sig[0]).as("ECDSA signatures are ASN.1 DER (a SEQUENCE)").isEqualTo((byte) 0x30);
    }
    // the bundle hint cosign computes: base64(sha256(SubjectPublicKeyInfo DER))
    assertThat(signer.keyId())
        .isEqualTo(Base64.getEncoder().encodeToString(
            MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void aCosignEncryptedKeyOpensWithItsPassword(String name, KeyPair pair, String algorithm) {
    String pem = cosignPem(pair.getPrivate(), "correct horse", ScryptParams.LEGACY, "ENCRYPTED SIGSTORE PRIVATE KEY");

    PemSigner signer = PemSigner.fromPem(pem, "correct horse".toCharArray());

    assertThat(signer.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
  }

  @Test
  void theOlderCosignHeaderAndTheDefaultScryptParametersAreRead() {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    String pem = cosignPem(pair.getPrivate(), "", ScryptParams.STANDARD, "ENCRYPTED COSIGN PRIVATE KEY");

    // COSIGN_PASSWORD='' encrypts with the empty password
    assertThat(PemSigner.fromPem(pem, new char[0]).publicKey()).isEqualTo(pair.getPublic());
  }

  @Test
  void aWrongPasswordIsRefusedClearly() {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    String pem = cosignPem(pair.getPrivate(), "right", ScryptParams.LEGACY, "ENCRYPTED SIGSTORE PRIVATE KEY");

    assertThatThrownBy(() -> PemSigner.fromPem(pem, "wrong".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot decrypt the cosign private key: wrong password (or the key file was altered)");
    assertThatThrownBy(() -> PemSigner.fromPem(pem))
        .hasMessageContaining("cosign encrypted private key (ENCRYPTED SIGSTORE PRIVATE KEY): its password is needed");
  }

  @Test
  void aTamperedCiphertextIsRefusedLikeAWrongPassword() {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    byte[] body = EncryptedKey.encrypt(pair.getPrivate().getEncoded(), "pw".toCharArray(), ScryptParams.LEGACY);
    String json = new String(body, StandardCharsets.UTF_8);
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) RawRegistry.bytesToTree(body);
    byte[] box = Base64.getDecoder().decode(node.get("ciphertext").asText());
    box[box.length - 1] ^= 1;
    node.put("ciphertext", Base64.getEncoder().encodeToString(box));

    assertThat(json).contains("\"nacl/secretbox\"");
    assertThatThrownBy(() -> EncryptedKey.decrypt(RawRegistry.bytes(node), "pw".toCharArray()))
        .hasMessageContaining("wrong password (or the key file was altered)");
  }

  @Test
  void scryptParametersOutsideCosignsSetsAreRefusedBeforeDerivingAnything() {
    String json =
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1073741824,\"r\":8,\"p\":1},\"salt\":\"AAAA\"},"
            + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}";
    String pem = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
        + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
        + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";

    assertThatThrownBy(() -> PemSigner.fromPem(pem, "x".toCharArray()))
        .hasMessageContaining("asks for scrypt N=1073741824 r=8 p=1")
        .hasMessageContaining("only the parameter sets cosign writes are accepted");
  }

  @Test
  void otherPemTypesAreRefusedWithWhatToDo() {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    String publicPem = dev.gantry.evidence.PublicKeys.pem(pair.getPublic());
    String sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n";

    assertThatThrownBy(() -> PemSigner.fromPem(publicPem)).hasMessageContaining("this is a public key");
    assertThatThrownBy(() -> PemSigner.fromPem(sec1))
        .hasMessageContaining("PEM type EC PRIVATE KEY is not read")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    assertThatThrownBy(() -> PemSigner.fromPem("not a key")).hasMessageContaining("not a PEM private key");
  }

  @Test
  void smallRsaKeysAreRefused() {
    KeyPair pair = generate("RSA", 1024);

    assertThatThrownBy(() -> PemSigner.fromPem(pkcs8Pem(pair.getPrivate())))
        .hasMessageContaining("RSA key of 1024 bits: cosign needs at least 2048");
  }

  @Test
  void aKeyFileIsReadAndAMissingOneNamed(@TempDir Path dir) throws Exception {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp384r1"));
    Path file = Files.writeString(dir.resolve("gantry.key"), pkcs8Pem(pair.getPrivate()));

    assertThat(PemSigner.read(file, null).publicKey()).isEqualTo(pair.getPublic());
    assertThatThrownBy(() -> PemSigner.read(dir.resolve("missing.key"), null))
        .hasMessage("private key file " + dir.resolve("missing.key") + " does not exist");
  }
}
