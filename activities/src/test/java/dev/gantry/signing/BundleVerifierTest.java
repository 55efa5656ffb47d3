package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.common.v1.HashOutput;
import dev.sigstore.proto.common.v1.MessageSignature;
import dev.sigstore.proto.common.v1.PublicKeyIdentifier;
import io.intoto.EnvelopeOuterClass.Envelope;
import io.intoto.EnvelopeOuterClass.Signature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keyed bundles made here with generated keys; keyless refusals that need no real signature. */
class BundleVerifierTest {
  @TempDir Path dir;
  Path artifact;
  final BundleVerifier verifier = new BundleVerifier();

  @BeforeEach
  void artifact() throws Exception {
    artifact = Files.writeString(dir.resolve("artifact.txt"), "sha256:0123 promoted to production\n");
  }

  @Test
  void messageSignatureWithP256KeyVerifies() throws Exception {
    KeyPair keys = ec("secp256r1");
    Path bundle = messageSignatureBundle(keys.getPrivate(), "SHA256withECDSA", bytes(artifact));

    var result = verifier.verify(BundleVerifier.Request.keyed(bundle, artifact, pem(keys.getPublic()), null));

    assertThat(result.verified()).as(result.reason()).isTrue();
    assertThat(result.reason()).contains("not checked (no --trusted-root given)");
  }

  @Test
  void dsseWithP256KeyVerifies() throws Exception {
    KeyPair keys = ec("secp256r1");
    Path bundle = dsseBundle(keys.getPrivate(), "SHA256withECDSA", sha256Hex(bytes(artifact)));

    var result = verifier.verify(BundleVerifier.Request.keyed(bundle, artifact, pem(keys.getPublic()), null));

    assertThat(result.verified()).as(result.reason()).isTrue();
  }

  @Test
  void tamperedArtifactIsRefused() throws Exception {
    KeyPair keys = ec("secp256r1");
    Path signed = messageSignatureBundle(keys.getPrivate(), "SHA256withECDSA", bytes(artifact));
    Path attested = dsseBundle(keys.getPrivate(), "SHA256withECDSA", sha256Hex(bytes(artifact)));
    Files.writeString(artifact, "sha256:0123 promoted to production!\n");

    var message = verifier.verify(BundleVerifier.Request.keyed(signed, artifact, pem(keys.getPublic()), null));
    var dsse = verifier.verify(BundleVerifier.Request.keyed(attested, artifact, pem(keys.getPublic()), null));

    assertThat(message.verified()).isFalse();
    assertThat(message.reason()).contains("does not match the digest the bundle signs");
    assertThat(dsse.verified()).isFalse();
    assertThat(dsse.reason()).contains("is not a subject of the in-toto statement");
  }

  @Test
  void tamperedSignatureWithoutDigestIsRefused() throws Exception {
    KeyPair keys = ec("secp256r1");
    // no messageDigest in the bundle: only the signature itself can catch the change
    byte[] sig = sign(keys.getPrivate(), "SHA256withECDSA", bytes(artifact));
    Path bundle = write(Bundle.newBuilder()
        .setMediaType("application/vnd.dev.sigstore.bundle.v0.3+json")
        .setVerificationMaterial(keyMaterial())
        .setMessageSignature(MessageSignature.newBuilder().setSignature(ByteString.copyFrom(sig)))
        .build());
    Files.writeString(artifact, "something else\n");

    var result = verifier.verify(BundleVerifier.Request.keyed(bundle, artifact, pem(keys.getPublic()), null));

    assertThat(result.verified()).isFalse();
    assertThat(result.reason()).isEqualTo("the signature does not verify with the given key over this artifact");
  }

  @Test
  void wrongKeyIsRefused() throws Exception {
    KeyPair signer = ec("secp256r1");
    Path other = pem(ec("secp256r1").getPublic());
    Path signed = messageSignatureBundle(signer.getPrivate(), "SHA256withECDSA", bytes(artifact));
    Path attested = dsseBundle(signer.getPrivate(), "SHA256withECDSA", sha256Hex(bytes(artifact)));

    var message = verifier.verify(BundleVerifier.Request.keyed(signed, artifact, other, null));
    var dsse = verifier.verify(BundleVerifier.Request.keyed(attested, artifact, other, null));

    assertThat(message.verified()).isFalse();
    assertThat(message.reason()).contains("does not verify with the given key");
    assertThat(dsse.verified()).isFalse();
    assertThat(dsse.reason()).isEqualTo("the DSSE signature does not verify with the given key");
  }

  @Test
  void p384RsaAndEd25519KeysVerify() throws Exception {
    KeyPair p384 = ec("secp384r1");
    var rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

    for (var c : new Object[][] {{p384, "SHA384withECDSA"}, {rsa, "SHA256withRSA"}, {ed, "Ed25519"}}) {
      KeyPair keys = (KeyPair) c[0];
      Path bundle = dsseBundle(keys.getPrivate(), (String) c[1], sha256Hex(bytes(artifact)));
      var result = verifier.verify(BundleVerifier.Request.keyed(bundle, artifact, pem(keys.getPublic()), null));
      assertThat(result.verified()).as("%s: %s", c[1], result.reason()).isTrue();
    }
    // Ed25519 signs the artifact itself, not its digest
    Path edMessage = messageSignatureBundle(ed.getPrivate(), "Ed25519", bytes(artifact));
    assertThat(verifier.verify(BundleVerifier.Request.keyed(edMessage, artifact, pem(ed.getPublic()), null)).verified())
        .isTrue();
  }

  @Test
  void keyedBundleWithTrustedRootNeedsALogEntryOrTimestamp() throws Exception {
    KeyPair keys = ec("secp256r1");
    Path bundle = messageSignatureBundle(keys.getPrivate(), "SHA256withECDSA", bytes(artifact));

    var result = verifier.verify(
        BundleVerifier.Request.keyed(bundle, artifact, pem(keys.getPublic()), publicGoodRoot()));

    assertThat(result.verified()).isFalse();
    assertThat(result.reason()).contains("no transparency log entry and no timestamp");
  }

  @Test
  void keylessNeedsATrustedRootFile() throws Exception {
    Path bundle = conformance("happy-path-v0.3").resolve("bundle.sigstore.json");

    var result = verifier.verify(BundleVerifier.Request.keyless(bundle, artifact, "me@example.com", "https://issuer", null));

    assertThat(result.verified()).isFalse();
    assertThat(result.reason()).contains("needs --trusted-root FILE").contains("never fetches");
  }

  @Test
  void keylessNeedsIdentityAndIssuer() throws Exception {
    Path bundle = conformance("happy-path-v0.3").resolve("bundle.sigstore.json");

    var result = verifier.verify(BundleVerifier.Request.keyless(bundle, artifact, "me@example.com", null, publicGoodRoot()));

    assertThat(result.verified()).isFalse();
    assertThat(result.reason()).contains("--certificate-identity and --certificate-oidc-issuer");
  }

  @Test
  void keylessIdentityMustMatchExactly() throws Exception {
    Path c = conformance("happy-path-v0.3");
    Path a = c.getParent().getParent().resolve("a.txt");
    String identity =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    String issuer = "https://token.actions.githubusercontent.com";
    Path bundle = c.resolve("bundle.sigstore.json");

    assertThat(verifier.verify(BundleVerifier.Request.keyless(bundle, a, identity, issuer, publicGoodRoot())).verified()).isTrue();
    var prefix = verifier.verify(BundleVerifier.Request.keyless(bundle, a, identity.substring(0, 40), issuer, publicGoodRoot()));
    assertThat(prefix.verified()).isFalse();
    assertThat(prefix.reason())
        .contains("matches none of the 1 identity rule(s)")
        .contains("the certificate identity " + identity + " (issuer " + issuer + ")");
    var otherIssuer = verifier.verify(BundleVerifier.Request.keyless(bundle, a, identity, "https://accounts.google.com", publicGoodRoot()));
    assertThat(otherIssuer.verified()).isFalse();
  }

  @Test
  void certificateBundleGivenAKeyIsRefused() throws Exception {
    KeyPair keys = ec("secp256r1");
    Path bundle = conformance("happy-path-v0.3").resolve("bundle.sigstore.json");

    var result = verifier.verify(BundleVerifier.Request.keyed(bundle, artifact, pem(keys.getPublic()), null));

    assertThat(result.verified()).isFalse();
    assertThat(result.reason()).contains("carries a certificate, not a public key");
  }

  @Test
  void missingFilesAndNonKeysAreNamed() throws Exception {
    KeyPair keys = ec("secp256r1");
    Path bundle = messageSignatureBundle(keys.getPrivate(), "SHA256withECDSA", bytes(artifact));

    var noBundle = verifier.verify(BundleVerifier.Request.keyed(dir.resolve("nope.json"), artifact, pem(keys.getPublic()), null));
    var notAKey = verifier.verify(BundleVerifier.Request.keyed(bundle, artifact, artifact, null));

    assertThat(noBundle.reason()).contains("bundle file").contains("does not exist");
    assertThat(notAKey.reason()).contains("is not a PEM public key");
  }

  @Test
  void paeUsesByteLengths() {
    byte[] pae = KeyedBundleVerifier.pae("t", "é".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
  }

  // ------------------------------------------------------------------------------------ helpers

  private static KeyPair ec(String curve) throws Exception {
    var gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec(curve));
    return gen.generateKeyPair();
  }

  private Path messageSignatureBundle(PrivateKey key, String algorithm, byte[] content) throws Exception {
    return write(Bundle.newBuilder()
        .setMediaType("application/vnd.dev.sigstore.bundle.v0.3+json")
        .setVerificationMaterial(keyMaterial())
        .setMessageSignature(MessageSignature.newBuilder()
            .setMessageDigest(HashOutput.newBuilder()
                .setAlgorithm(HashAlgorithm.SHA2_256)
                .setDigest(ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(content))))
            .setSignature(ByteString.copyFrom(sign(key, algorithm, content))))
        .build());
  }

  private Path dsseBundle(PrivateKey key, String algorithm, String subjectSha256) throws Exception {
    String statement = """
        {"_type":"https://in-toto.io/Statement/v1",\
        "subject":[{"name":"artifact.txt","digest":{"sha256":"%s"}}],\
        "predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}""".formatted(subjectSha256);
    byte[] payload = statement.getBytes(StandardCharsets.UTF_8);
    String type = "application/vnd.in-toto+json";
    return write(Bundle.newBuilder()
        .setMediaType("application/vnd.dev.sigstore.bundle.v0.3+json")
        .setVerificationMaterial(keyMaterial())
        .setDsseEnvelope(Envelope.newBuilder()
            .setPayloadType(type)
            .setPayload(ByteString.copyFrom(payload))
            .addSignatures(Signature.newBuilder()
                .setSig(ByteString.copyFrom(sign(key, algorithm, KeyedBundleVerifier.pae(type, payload))))))
        .build());
  }

  private static VerificationMaterial.Builder keyMaterial() {
    return VerificationMaterial.newBuilder().setPublicKey(PublicKeyIdentifier.newBuilder().setHint("test-key"));
  }

  private static byte[] sign(PrivateKey key, String algorithm, byte[] content) throws Exception {
    var s = java.security.Signature.getInstance(algorithm);
    s.initSign(key);
    s.update(content);
    return s.sign();
  }

  private Path write(Bundle bundle) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "bundle", ".sigstore.json"), JsonFormat.printer().print(bundle));
  }

  private Path pem(PublicKey key) throws Exception {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
    return Files.writeString(Files.createTempFile(dir, "key", ".pub"),
        "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
  }

  private static byte[] bytes(Path p) throws Exception {
    return Files.readAllBytes(p);
  }

  private static String sha256Hex(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** The shared testdata beside the repository; missing means a broken checkout, not a skip. */
  static Path testdata() {
    Path d = Path.of("").toAbsolutePath();
    while (d != null && !Files.exists(d.resolve("mvnw"))) {
      d = d.getParent();
    }
    Path t = d == null ? null : d.resolve("../shared/testdata/sigstore-conformance").normalize();
    if (t == null || !Files.isDirectory(t)) {
      fail("the sigstore-conformance testdata is missing: expected <repo>/../shared/testdata/sigstore-conformance");
    }
    return t;
  }

  private static Path conformance(String name) {
    return testdata().resolve("bundle-verify").resolve(name);
  }

  private static Path publicGoodRoot() {
    return testdata().resolve("trusted_root.public-good.json");
  }
}
