package dev.gantry.evidence;

import java.security.Key;
import java.security.interfaces.ECKey;

/**
 * The signature algorithm cosign pairs with each key type (sigstore's algorithm registry, default
 * details per key): P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512, RSA PKCS#1 v1.5
 * with SHA-256, Ed25519 pure. Here because DSSE signs and verifies with it and {@code evidence} is
 * the foundation the gates and signing build on; {@code signing.KeyAlgorithms} delegates to it.
 */
public final class SignatureAlgorithms {
  private SignatureAlgorithms() {}

  public static String jcaName(Key key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> {
        int bits = ((ECKey) key).getParams().getOrder().bitLength();
        yield bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
      }
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException(
          "unsupported key type " + key.getAlgorithm() + ": cosign keys are ECDSA, RSA or Ed25519");
    };
  }
}
