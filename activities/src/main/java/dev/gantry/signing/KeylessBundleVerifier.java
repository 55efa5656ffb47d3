package dev.gantry.signing;

import static dev.gantry.signing.BundleInputs.checkLogTimes;
import static dev.gantry.signing.BundleInputs.messages;
import static dev.gantry.signing.BundleInputs.parseBundle;
import static dev.gantry.signing.BundleInputs.readBytes;
import static dev.gantry.signing.BundleInputs.readable;
import static dev.gantry.signing.BundleInputs.sha256;
import static dev.gantry.signing.BundleInputs.trustedRoot;

import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.signing.BundleInputs.Refused;
import dev.gantry.signing.BundleVerifier.Request;
import dev.gantry.signing.BundleVerifier.Result;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.VerificationOptions.CertificateMatcher;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.strings.StringMatcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Keyless verification of a Sigstore bundle: a Fulcio certificate whose identity (subject
 * alternative name and OIDC issuer) matches a rule, chaining to a certificate authority of an
 * offline trusted root, with a transparency log entry. The verification itself is sigstore-java's
 * {@link KeylessVerifier} as is; Gantry adds the checks it lacks (validity starts in the trusted
 * root, log entry times) and reasons a person can act on.
 */
final class KeylessBundleVerifier {

  private KeylessBundleVerifier() {}

  /** {@code gantry verify bundle} with a certificate identity: files in, a result out. */
  static Result verify(Request r) {
    if (r.identity() == null || r.identity().isBlank() || r.issuer() == null || r.issuer().isBlank()) {
      throw new Refused(
          "keyless verification needs both --certificate-identity and --certificate-oidc-issuer"
              + " (or --key for a bundle signed with a public key)");
    }
    if (r.trustedRoot() == null) {
      // no TUF fetch: Gantry never reaches for the network to decide whom to trust
      throw new Refused(
          "keyless verification needs --trusted-root FILE (a Sigstore trusted_root.json, e.g. the"
              + " public-good root); it runs offline and never fetches one");
    }
    byte[] artifactDigest = sha256(readable(r.artifact(), "artifact"));
    Path root = readable(r.trustedRoot(), "trusted root");
    byte[] bundle = readBytes(readable(r.bundle(), "bundle"));
    var identity = KeylessPolicy.Identity.exact(r.identity(), r.issuer());
    keyless(bundle, "the bundle " + r.bundle(), artifactDigest, readBytes(root), "the trusted root " + root,
        List.of(identity), Instant.now());
    return Result.ok(
        "signed by " + r.identity() + " (issuer " + r.issuer() + "), certificate chains to "
            + root + ", transparency log entry checked");
  }

  /**
   * {@link BundleVerifier#verifyKeyless}: a bundle over an artifact known only by its digest,
   * against the policy's trusted root and identity rules.
   */
  static Result verify(byte[] bundleJson, String artifactDigest, KeylessPolicy policy, Instant now) {
    byte[] digest = digestBytes(artifactDigest);
    var leaf = keyless(bundleJson, "the bundle", digest, policy.trustedRoot().getBytes(StandardCharsets.UTF_8),
        "the trusted root " + policy.trustedRootId(), policy.identities(), now);
    return new Result(true,
        "signed keyless by " + describe(leaf) + ", certificate chains to the trusted root "
            + policy.trustedRootId() + ", transparency log entry checked, over sha256:"
            + HexFormat.of().formatHex(digest),
        describe(leaf));
  }

  /** The leaf certificate of a bundle that verified keyless; every failure is a {@link Refused}. */
  private static X509Certificate keyless(
      byte[] bundleJson, String bundleLabel, byte[] artifactDigest, byte[] rootJson, String rootLabel,
      List<KeylessPolicy.Identity> identities, Instant now) {
    if (identities.isEmpty()) {
      throw new Refused("keyless verification needs at least one certificate identity rule");
    }
    var protoBundle = parseBundle(bundleJson, bundleLabel);
    if (protoBundle.getVerificationMaterial().hasPublicKey()) {
      throw new Refused(
          bundleLabel + " is signed with a public key, not a certificate: verify it with a key");
    }
    if (protoBundle.getVerificationMaterial().hasX509CertificateChain()
        && protoBundle.getVerificationMaterial().getX509CertificateChain().getCertificatesCount() == 0) {
      throw new Refused(bundleLabel + "'s certificate chain is empty");
    }
    var trustedRoot = trustedRoot(rootJson, rootLabel);
    Bundle bundle;
    try {
      bundle = Bundle.from(new java.io.StringReader(new String(bundleJson, StandardCharsets.UTF_8)));
    } catch (BundleParseException e) {
      throw new Refused(bundleLabel + " is not a valid Sigstore bundle: " + messages(e));
    }
    KeylessVerifier verifier;
    try {
      TrustedRootProvider parsedOnce = () -> trustedRoot;
      verifier = KeylessVerifier.builder().trustedRootProvider(parsedOnce).build();
    } catch (GeneralSecurityException | dev.sigstore.trustroot.SigstoreConfigurationException e) {
      throw new Refused(rootLabel + " cannot be used: " + messages(e));
    }
    var options = VerificationOptions.builder();
    for (var identity : identities) {
      options.addCertificateMatchers(matcher(identity));
    }
    var leaf = (X509Certificate) bundle.getCertPath().getCertificates().get(0);
    try {
      verifier.verify(artifactDigest, bundle, options.build());
    } catch (KeylessVerificationException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("No provided certificate identities matched")) {
        throw new Refused(
            "the certificate identity " + describe(leaf) + " matches none of the " + identities.size()
                + " identity rule(s): " + identities.stream().map(Object::toString).collect(Collectors.joining("; ")));
      }
      String why = messages(e).replaceAll("\\s*\n\\s*", " ");
      if (why.startsWith("Fulcio certificate was not valid")) {
        why = "the certificate (issued by " + leaf.getIssuerX500Principal().getName() + " at "
            + leaf.getNotBefore().toInstant() + ") does not chain to a certificate authority of " + rootLabel
            + " (signed by another Sigstore instance, or issued outside the CA's validity): " + why;
      }
      throw new Refused(why);
    }
    checkLogTimes(bundle.getEntries(), trustedRoot, leaf, now);
    return leaf;
  }

  private static CertificateMatcher matcher(KeylessPolicy.Identity identity) {
    StringMatcher subject;
    try {
      subject = identity.subject() != null ? StringMatcher.string(identity.subject()) : StringMatcher.regex(identity.subjectRegex());
    } catch (dev.sigstore.strings.RegexSyntaxException e) {
      throw new Refused("the identity rule " + identity + " is not a valid regular expression: " + messages(e));
    }
    return CertificateMatcher.fulcio().subjectAlternativeName(subject).issuer(StringMatcher.string(identity.issuer())).build();
  }

  private static final String FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
  private static final String FULCIO_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";

  /** A Fulcio certificate's identity as a person reads it: its subject alternative name and OIDC issuer. */
  static String describe(X509Certificate leaf) {
    String san;
    try {
      var names = leaf.getSubjectAlternativeNames();
      san = names == null || names.isEmpty()
          ? "(no subject alternative name)"
          : names.stream().map(n -> String.valueOf(n.get(1))).collect(Collectors.joining(", "));
    } catch (java.security.cert.CertificateParsingException e) {
      san = "(unreadable subject alternative name)";
    }
    String issuer = null;
    try {
      byte[] v2 = leaf.getExtensionValue(FULCIO_ISSUER_V2);
      if (v2 != null) {
        issuer = org.bouncycastle.asn1.ASN1UTF8String.getInstance(
            org.bouncycastle.asn1.ASN1OctetString.getInstance(v2).getOctets()).getString();
      } else {
        byte[] v1 = leaf.getExtensionValue(FULCIO_ISSUER_V1);
        if (v1 != null) {
          issuer = new String(org.bouncycastle.asn1.ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8);
        }
      }
    } catch (RuntimeException e) {
      issuer = "(unreadable)";
    }
    return san + " (issuer " + (issuer == null ? "missing" : issuer) + ")";
  }

  /** {@code sha256:<hex>} or bare hex, 64 lowercase or uppercase hex digits. */
  private static byte[] digestBytes(String digest) {
    String hex = digest == null ? "" : digest.startsWith("sha256:") ? digest.substring(7) : digest;
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new Refused("'" + digest + "' is not a sha256 digest (sha256:<64 hex>)");
    }
    return HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
  }
}
