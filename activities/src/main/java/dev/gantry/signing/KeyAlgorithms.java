package dev.gantry.signing;

import dev.gantry.evidence.SignatureAlgorithms;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;

/**
 * The signature algorithm cosign pairs with each key type ({@link SignatureAlgorithms}), how a
 * key is named in messages, and cosign's verification of a raw signature.
 */
public final class KeyAlgorithms {
  private KeyAlgorithms() {}

  /** {@link SignatureAlgorithms#jcaName}: the one table, which DSSE in {@code evidence} also reads. */
  public static String jcaName(Key key) {
    return SignatureAlgorithms.jcaName(key);
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
