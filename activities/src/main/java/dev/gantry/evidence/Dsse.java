package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * DSSE envelopes (secure-systems-lab/dsse): parse, PAE, sign and verify with plain keys. Cosign
 * writes them under {@code .att} tags; Sigstore bundles v0.3 carry one as {@code dsseEnvelope}.
 */
public final class Dsse {
  private Dsse() {}

  public static final String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
  public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  public record Sig(String keyid, byte[] sig) {}

  public record Envelope(String payloadType, byte[] payload, List<Sig> signatures) {

    /** Pre-authentication encoding: what the signatures are over. */
    public byte[] pae() {
      return Dsse.pae(payloadType, payload);
    }

    /** The index of the first configured key that verifies a signature, or -1 when none does. */
    public int verifiedBy(List<PublicKey> keys) {
      byte[] pae = pae();
      for (int k = 0; k < keys.size(); k++) {
        for (Sig s : signatures) {
          if (verify(keys.get(k), pae, s.sig())) {
            return k;
          }
        }
      }
      return -1;
    }

    public ObjectNode toJson() {
      ObjectNode out = Json.WRITER.createObjectNode();
      out.put("payloadType", payloadType);
      out.put("payload", Base64.getEncoder().encodeToString(payload));
      ArrayNode sigs = out.putArray("signatures");
      for (Sig s : signatures) {
        ObjectNode n = sigs.addObject();
        n.put("keyid", s.keyid() == null ? "" : s.keyid());
        n.put("sig", Base64.getEncoder().encodeToString(s.sig()));
      }
      return out;
    }
  }

  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /**
   * The envelope in a record: a bare envelope, or a Sigstore bundle's {@code dsseEnvelope}; null
   * when the record is neither (a raw document).
   *
   * @throws EvidenceException when it looks like an envelope but is malformed
   */
  public static Envelope envelopeOf(JsonNode json) {
    if (json == null || !json.isObject()) {
      return null;
    }
    JsonNode env = json.has("dsseEnvelope") ? json.get("dsseEnvelope") : json;
    if (!env.has("payloadType") || !env.has("payload")) {
      if (json.has("dsseEnvelope")) {
        throw new EvidenceException("Sigstore bundle's dsseEnvelope has no payloadType or payload");
      }
      return null;
    }
    String type = Json.text(env, "payloadType");
    String payload = Json.text(env, "payload");
    if (type == null || payload == null) {
      throw new EvidenceException("DSSE envelope: payloadType and payload must be strings");
    }
    List<Sig> sigs = new ArrayList<>();
    JsonNode list = env.get("signatures");
    if (list != null && !list.isArray()) {
      throw new EvidenceException("DSSE envelope: signatures must be an array");
    }
    if (list != null) {
      for (JsonNode s : list) {
        String sig = Json.text(s, "sig");
        if (sig == null) {
          throw new EvidenceException("DSSE envelope: a signature has no sig");
        }
        sigs.add(new Sig(Json.text(s, "keyid"), decode(sig, "signature")));
      }
    }
    return new Envelope(type, decode(payload, "payload"), List.copyOf(sigs));
  }

  /** Standard or URL-safe base64, as the DSSE protocol asks verifiers to accept. */
  static byte[] decode(String b64, String what) {
    try {
      return b64.indexOf('-') >= 0 || b64.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(b64)
          : Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new EvidenceException("DSSE envelope: " + what + " is not base64");
    }
  }

  public static Envelope sign(String payloadType, byte[] payload, PrivateKey key, String keyid) {
    try {
      Signature s = Signature.getInstance(SignatureAlgorithms.jcaName(key));
      s.initSign(key);
      s.update(pae(payloadType, payload));
      return new Envelope(payloadType, payload, List.of(new Sig(keyid, s.sign())));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key", e);
    }
  }

  static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    String algorithm;
    try {
      algorithm = SignatureAlgorithms.jcaName(key);
    } catch (IllegalArgumentException e) {
      return false;
    }
    // ECDSA comes DER-encoded from cosign and KMS, and as raw r||s (IEEE P1363) from other DSSE
    // signers, the DSSE spec's own test vector among them: both encode the same (r, s).
    return verify(algorithm, key, data, signature)
        || (key instanceof ECKey && verify(algorithm + "inP1363Format", key, data, signature));
  }

  private static boolean verify(String algorithm, PublicKey key, byte[] data, byte[] signature) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(data);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // a malformed signature is one that does not verify
    }
  }

}
