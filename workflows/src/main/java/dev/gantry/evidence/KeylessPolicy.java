package dev.gantry.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Keyless Sigstore verification: a certificate issued by the trusted root's Fulcio CA, logged in
 * its transparency log, whose identity matches one of the rules. Offline: the trusted root travels
 * here, so nothing reaches for Fulcio, Rekor or a TUF mirror, and the workflow history shows what
 * was trusted (the public-good root is under 10 KB).
 *
 * @param trustedRoot the {@code trusted_root.json} document (Sigstore's TrustedRoot, JSON)
 * @param identities the accepted certificate identities; one match is enough
 */
public record KeylessPolicy(String trustedRoot, List<Identity> identities) {

  public KeylessPolicy {
    if (trustedRoot == null || trustedRoot.isBlank()) {
      throw new IllegalArgumentException("keyless verification needs a trusted root (trusted_root.json)");
    }
    identities = identities == null ? List.of() : List.copyOf(identities);
    if (identities.isEmpty()) {
      throw new IllegalArgumentException("keyless verification needs at least one identity rule (subject or subject-regex, and issuer)");
    }
  }

  /** The trusted root as reasons name it: {@code sha256:<first 16 hex>}. */
  public String trustedRootId() {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(trustedRoot.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  /**
   * One accepted certificate identity.
   *
   * @param subject the certificate's subject alternative name, exactly (a GitHub workflow URI such as
   *     {@code https://github.com/acme/storefront/.github/workflows/release.yml@refs/heads/main}, or
   *     an e-mail address)
   * @param subjectRegex a regular expression the whole subject must match; exactly one of subject
   *     and subjectRegex
   * @param issuer the OIDC issuer, exactly (e.g. {@code https://token.actions.githubusercontent.com})
   */
  public record Identity(String subject, String subjectRegex, String issuer) {

    public Identity {
      boolean exact = subject != null && !subject.isBlank();
      boolean regex = subjectRegex != null && !subjectRegex.isBlank();
      if (exact == regex) {
        throw new IllegalArgumentException(
            "an identity needs exactly one of subject and subject-regex, it has " + (exact ? "both" : "neither"));
      }
      if (issuer == null || issuer.isBlank()) {
        throw new IllegalArgumentException("the identity " + (exact ? subject : subjectRegex) + " has no issuer: the OIDC issuer is required");
      }
      if (regex) {
        try {
          Pattern.compile(subjectRegex);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException("subject-regex '" + subjectRegex + "' is not a valid regular expression: " + e.getDescription());
        }
      }
    }

    public static Identity exact(String subject, String issuer) {
      return new Identity(subject, null, issuer);
    }

    public static Identity regex(String subjectRegex, String issuer) {
      return new Identity(null, subjectRegex, issuer);
    }

    /** Whether a certificate with this subject and issuer matches; the regex matches the whole subject. */
    public boolean matches(String certificateSubject, String certificateIssuer) {
      Objects.requireNonNull(certificateSubject, "certificateSubject");
      boolean s = subject != null ? subject.equals(certificateSubject) : Pattern.compile(subjectRegex).matcher(certificateSubject).matches();
      return s && issuer.equals(certificateIssuer);
    }

    @Override
    public String toString() {
      return (subject != null ? "subject " + subject : "subject matching " + subjectRegex) + " (issuer " + issuer + ")";
    }
  }
}
