package dev.gantry.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A configured public key and when it may be trusted. A key outside its validity, or revoked,
 * verifies nothing; the time compared is the verification time, since a keyed signature carries no
 * trusted timestamp of its own.
 *
 * @param pem the PEM public key (ECDSA P-256/P-384, RSA, Ed25519)
 * @param notBefore trusted from this instant on; null: no lower limit
 * @param notAfter trusted until this instant (exclusive); null: no upper limit
 * @param revoked never trusted again, whatever the dates say
 * @param note why it was revoked or what it is, for the operator reading a refusal
 */
public record TrustedKey(String pem, Instant notBefore, Instant notAfter, boolean revoked, String note) {

  public TrustedKey {
    Objects.requireNonNull(pem, "a trusted key needs its PEM public key");
    if (notBefore != null && notAfter != null && !notBefore.isBefore(notAfter)) {
      throw new IllegalArgumentException("a trusted key's not-before " + notBefore + " must be before its not-after " + notAfter);
    }
  }

  /** A key without limits; also how a bare PEM string in a policy (older histories) reads. */
  public TrustedKey(String pem) {
    this(pem, null, null, false, null);
  }

  /** PEM-only lists, as configurations and callers wrote them before keys had a validity. */
  public static List<TrustedKey> of(List<String> pems) {
    return pems == null ? List.of() : pems.stream().map(TrustedKey::new).toList();
  }

  /**
   * Why this key must not verify at {@code now}, naming the key; null when it may.
   */
  public String refusal(Instant now) {
    if (revoked) {
      return "key " + keyId() + " is revoked" + (note == null || note.isBlank() ? "" : ": " + note);
    }
    if (notAfter != null && !now.isBefore(notAfter)) {
      return "key " + keyId() + " expired " + notAfter;
    }
    if (notBefore != null && now.isBefore(notBefore)) {
      return "key " + keyId() + " is not valid before " + notBefore;
    }
    return null;
  }

  /**
   * The key's id as Gantry's signatures name it: base64 SHA-256 of its SubjectPublicKeyInfo (the
   * PEM's text hashed instead when it cannot be read; configuration refuses such a key anyway).
   */
  public String keyId() {
    byte[] der;
    try {
      der = PublicKeys.fromPem(pem).getEncoded();
    } catch (IllegalArgumentException e) {
      der = pem.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(der));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }
}
