package dev.gantry.signing;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;

/**
 * The signature algorithm cosign pairs with each key type (sigstore's algorithm registry, default
 * details per key): P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512, RSA PKCS#1 v1.5
 * with SHA-256, Ed25519 pure.
 */
public final class KeyAlgorithms {
  private KeyAlgorithms() {}

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

  /** For messages: {@code ECDSA P-256}, {@code RSA 3072}, {@code Ed25519}. */
  static String describe(Key key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> "ECDSA P-" + ((ECKey) key).getParams().getOrder().bitLength();
      case "RSA" -> "RSA " + ((RSAKey) key).getModulus().bitLength();
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> key.getAlgorithm();
    };
  }

  /**
   * Whether {@code signature} (ECDSA: DER, as cosign writes and checks it) verifies over {@code
   * data}; a malformed signature or an unsupported key is one that does not verify. P-384 and
   * P-521 signatures are also tried over SHA-256: {@code cosign sign} hashes them with the curve's
   * hash, but {@code cosign verify} and KMS keys default to SHA-256, and both are in use.
   */
  static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    String algorithm;
    try {
      algorithm = jcaName(key);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return verify(algorithm, key, data, signature)
        || (algorithm.endsWith("withECDSA") && !algorithm.equals("SHA256withECDSA")
            && verify("SHA256withECDSA", key, data, signature));
  }

  private static boolean verify(String algorithm, PublicKey key, byte[] data, byte[] signature) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(data);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
