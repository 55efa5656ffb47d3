package dev.gantry.evidence;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * PEM public keys (SubjectPublicKeyInfo) as cosign and Sigstore write them: ECDSA, RSA or Ed25519.
 * Plain JDK, so configuration checks (API), gates and verifiers (activities) read keys alike.
 */
public final class PublicKeys {
  private PublicKeys() {}

  /** @throws IllegalArgumentException not a PEM public key, or not ECDSA, RSA or Ed25519 */
  public static PublicKey fromPem(String pem) {
    String body = pem == null ? "" : pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    if (pem == null || !pem.contains("-----BEGIN PUBLIC KEY-----") || body.isEmpty()) {
      throw new IllegalArgumentException("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM public key is not valid base64: " + e.getMessage());
    }
    return fromDer(der);
  }

  /** @throws IllegalArgumentException not an ECDSA, RSA or Ed25519 SubjectPublicKeyInfo */
  public static PublicKey fromDer(byte[] der) {
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException tryNext) {
        // the SPKI names its algorithm; only the matching factory accepts it
      }
    }
    throw new IllegalArgumentException("PEM public key is not ECDSA, RSA or Ed25519");
  }

  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
