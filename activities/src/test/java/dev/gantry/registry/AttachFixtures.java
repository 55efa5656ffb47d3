package dev.gantry.registry;

import dev.gantry.testsupport.TestKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.evidence.Dsse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

/** Real signed envelopes and documents about an image digest, from the fixtures beside this class. */
final class AttachFixtures {
  static final String SLSA_V1 = "https://slsa.dev/provenance/v1";
  static final String COSIGN_VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
  static final String CYCLONEDX = "application/vnd.cyclonedx+json";
  static final ObjectMapper JSON = new ObjectMapper();

  private static final KeyPair KEY = TestKeys.p256();

  private AttachFixtures() {}

  static KeyPair key() {
    return KEY;
  }

  /** A DSSE envelope, signed with {@link #key()}, over the fixture statement about {@code digest}. */
  static byte[] envelope(String fixture, String digest) {
    byte[] statement = fixture(fixture, digest);
    Dsse.Envelope envelope =
        Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement, KEY.getPrivate(),
            AttestationWriter.keyHint(KEY.getPublic()));
    try {
      return JSON.writeValueAsBytes(envelope.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] provenance(String digest) {
    return envelope("provenance-statement.json", digest);
  }

  static byte[] vulnScan(String digest) {
    return envelope("vuln-statement.json", digest);
  }

  static byte[] sbom(String digest) {
    return fixture("sbom.cdx.json", digest);
  }

  /** A fixture with {@code ${DIGEST_HEX}} replaced by the digest's hex. */
  static byte[] fixture(String name, String digest) {
    try (InputStream in = AttachFixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test fixture " + name);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.replace("${DIGEST_HEX}", digest.substring("sha256:".length()))
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(Object json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
