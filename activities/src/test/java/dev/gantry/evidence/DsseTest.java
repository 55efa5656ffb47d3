package dev.gantry.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DsseTest {

  /** secure-systems-lab/dsse protocol.md, "Test Vectors". */
  @Test
  void paeIsTheSpecExample() {
    byte[] pae = Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(pae, StandardCharsets.US_ASCII)).isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }

  @Test
  void paeCountsBytesNotCharacters() {
    byte[] pae = Dsse.pae("t", "é".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(pae, StandardCharsets.UTF_8)).isEqualTo("DSSEv1 1 t 2 é");
  }

  /** The spec's envelope verifies with its P-256 key; its signature is raw r||s, not DER. */
  @Test
  void specTestVectorVerifies() throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    PublicKey specKey =
        KeyFactory.getInstance("EC")
            .generatePublic(
                new ECPublicKeySpec(
                    new ECPoint(
                        new BigInteger("46950820868899156662930047687818585632848591499744589407958293238635476079160"),
                        new BigInteger("5640078356564379163099075877009565129882514886557779369047442380624545832820")),
                    params.getParameterSpec(ECParameterSpec.class)));
    var json =
        Json.read(
            """
            {"payload": "aGVsbG8gd29ybGQ=",
             "payloadType": "http://example.com/HelloWorld",
             "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}
            """
                .getBytes(StandardCharsets.UTF_8),
            "envelope");

    Dsse.Envelope envelope = Dsse.envelopeOf(json);

    assertThat(new String(envelope.payload(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    assertThat(envelope.verifiedBy(List.of(ec("secp256r1").getPublic(), specKey))).isEqualTo(1);
    assertThat(envelope.verifiedBy(List.of(ec("secp256r1").getPublic()))).isEqualTo(-1);
  }

  @Test
  void urlSafeBase64IsAccepted() throws Exception {
    KeyPair keys = ec("secp256r1");
    // "?>?" encodes to "Pz4/" in standard base64 and "Pz4_" in URL-safe base64.
    byte[] payload = "?>?{\"_type\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    Dsse.Envelope signed = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, payload, keys.getPrivate(), "");
    ObjectNode json = Json.WRITER.createObjectNode();
    json.put("payloadType", signed.payloadType());
    json.put("payload", Base64.getUrlEncoder().withoutPadding().encodeToString(payload));
    json.putArray("signatures").addObject().put("sig", Base64.getUrlEncoder().encodeToString(signed.signatures().get(0).sig()));
    assertThat(json.get("payload").asText()).startsWith("Pz4_");

    Dsse.Envelope read = Dsse.envelopeOf(json);

    assertThat(read.payload()).isEqualTo(payload);
    assertThat(read.verifiedBy(List.of(keys.getPublic()))).isZero();
  }

  @Test
  void garbageBase64IsRefused() {
    ObjectNode json = Json.WRITER.createObjectNode();
    json.put("payloadType", Dsse.IN_TOTO_PAYLOAD_TYPE);
    json.put("payload", "a+b-c"); // mixes both alphabets: valid in neither
    json.putArray("signatures").addObject().put("sig", "AAAA");

    assertThatThrownBy(() -> Dsse.envelopeOf(json)).isInstanceOf(EvidenceException.class).hasMessage("DSSE envelope: payload is not base64");
  }

  @ParameterizedTest
  @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1", "RSA", "Ed25519"})
  void eachKeyTypeRoundTripsThroughJsonAndPem(String type) throws Exception {
    KeyPair keys = keyPair(type);
    KeyPair other = keyPair(type);
    byte[] payload = "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);

    ObjectNode json = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, payload, keys.getPrivate(), "kid-1").toJson();
    Dsse.Envelope read = Dsse.envelopeOf(json);
    PublicKey fromPem = PublicKeys.fromPem(PublicKeys.pem(keys.getPublic()));

    assertThat(fromPem.getEncoded()).isEqualTo(keys.getPublic().getEncoded());
    assertThat(read.signatures()).singleElement().extracting(Dsse.Sig::keyid).isEqualTo("kid-1");
    assertThat(read.verifiedBy(List.of(other.getPublic(), fromPem))).isEqualTo(1);
    assertThat(read.verifiedBy(List.of(other.getPublic()))).isEqualTo(-1);
  }

  @Test
  void aChangedPayloadTypeBreaksTheSignature() throws Exception {
    KeyPair keys = ec("secp256r1");
    ObjectNode json = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8), keys.getPrivate(), "").toJson();
    json.put("payloadType", "application/json");

    assertThat(Dsse.envelopeOf(json).verifiedBy(List.of(keys.getPublic()))).isEqualTo(-1);
  }

  @Test
  void aSignatureOfAnotherKeyTypeDoesNotVerifyNorThrow() throws Exception {
    KeyPair ec = ec("secp256r1");
    KeyPair rsa = keyPair("RSA");
    Dsse.Envelope envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8), ec.getPrivate(), "");

    assertThat(envelope.verifiedBy(List.of(rsa.getPublic(), keyPair("Ed25519").getPublic()))).isEqualTo(-1);
  }

  @Test
  void sigstoreBundleIsUnwrapped() throws Exception {
    KeyPair keys = ec("secp256r1");
    ObjectNode bundle = Json.WRITER.createObjectNode();
    bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    bundle.set("dsseEnvelope", Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, "{}".getBytes(StandardCharsets.UTF_8), keys.getPrivate(), "").toJson());

    assertThat(Dsse.envelopeOf(bundle).verifiedBy(List.of(keys.getPublic()))).isZero();

    ((ObjectNode) bundle.get("dsseEnvelope")).remove("payload");
    assertThatThrownBy(() -> Dsse.envelopeOf(bundle))
        .isInstanceOf(EvidenceException.class)
        .hasMessageContaining("dsseEnvelope has no payloadType or payload");
  }

  @Test
  void aRawDocumentIsNoEnvelope() {
    ObjectNode cyclonedx = Json.WRITER.createObjectNode().put("bomFormat", "CycloneDX").put("specVersion", "1.6");

    assertThat(Dsse.envelopeOf(cyclonedx)).isNull();
  }

  @Test
  void publicKeyRefusesWhatIsNotAPemPublicKey() {
    assertThatThrownBy(() -> PublicKeys.fromPem("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PEM public key");
    assertThatThrownBy(() -> PublicKeys.fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not ECDSA, RSA or Ed25519");
  }

  private static KeyPair keyPair(String type) throws Exception {
    return switch (type) {
      case "RSA" -> {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        yield g.generateKeyPair();
      }
      case "Ed25519" -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      default -> ec(type);
    };
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }
}
