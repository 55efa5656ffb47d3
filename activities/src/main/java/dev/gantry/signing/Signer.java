package dev.gantry.signing;

import java.security.PublicKey;

/**
 * A key that signs as cosign does: ECDSA signatures ASN.1/DER over SHA-256 (P-256) or SHA-384
 * (P-384), RSA PKCS#1 v1.5 over SHA-256, Ed25519 over the message itself. Implementations: a PEM
 * or cosign key file ({@link PemSigner}); a KMS key behind the same interface.
 */
public interface Signer {

  /**
   * The key's id as Sigstore bundles hint it: base64 of the SHA-256 of the public key's DER
   * SubjectPublicKeyInfo.
   */
  String keyId();

  PublicKey publicKey();

  /** The signature over {@code data}, as cosign stores it (before base64). */
  byte[] sign(byte[] data);
}
