package dev.gantry.signing;

import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.evidence.PublicKeys;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.VerificationOptions.CertificateMatcher;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.dsse.InTotoPayload;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.json.ProtoJson;
import dev.sigstore.proto.ProtoMutators;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import dev.sigstore.proto.trustroot.v1.TrustedRoot;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorTypes;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies a Sigstore bundle (v0.1–v0.3; message signature or DSSE) over an artifact, offline:
 * either keyless (certificate identity + OIDC issuer, against a trusted root file) or keyed (a PEM
 * public key, a "managed key" bundle).
 *
 * <p>Keyless verification is sigstore-java's {@link KeylessVerifier} as is. sigstore-java 2.0.0
 * refuses bundles whose verification material is a public key ("Plain public keys are not
 * supported by this client"), so the keyed path is Gantry's own: it parses the bundle with the
 * library's protobuf types and reuses its signature verifiers, Rekor entry verifier (SET,
 * inclusion proof, checkpoint) and RFC 3161 timestamp verifier; only the glue and the checks that
 * the log entry describes this key, signature and artifact are written here.
 */
public final class BundleVerifier {

  /** What to verify. {@code key} set means keyed; otherwise identity and issuer are required. */
  public record Request(
      Path bundle, Path artifact, Path key, String identity, String issuer, Path trustedRoot) {
    public Request {
      Objects.requireNonNull(bundle, "bundle");
      Objects.requireNonNull(artifact, "artifact");
    }

    public static Request keyed(Path bundle, Path artifact, Path key, Path trustedRoot) {
      return new Request(bundle, artifact, key, null, null, trustedRoot);
    }

    public static Request keyless(
        Path bundle, Path artifact, String identity, String issuer, Path trustedRoot) {
      return new Request(bundle, artifact, null, identity, issuer, trustedRoot);
    }
  }

  /**
   * The outcome; {@code reason} says what was checked, or why it was refused.
   *
   * @param identity a keyless signer's certificate identity (subject alternative name and issuer);
   *     null for keyed verification and refusals
   */
  public record Result(boolean verified, String reason, String identity) {
    public Result(boolean verified, String reason) {
      this(verified, reason, null);
    }

    static Result ok(String what) {
      return new Result(true, what);
    }

    static Result refused(String why) {
      return new Result(false, why);
    }
  }

  // the media types sigstore-java's own reader accepts (its list is package-private)
  private static final Set<String> MEDIA_TYPES =
      Set.of(
          "application/vnd.dev.sigstore.bundle+json;version=0.1",
          "application/vnd.dev.sigstore.bundle+json;version=0.2",
          "application/vnd.dev.sigstore.bundle+json;version=0.3",
          "application/vnd.dev.sigstore.bundle.v0.3+json");

  public Result verify(Request request) {
    try {
      return request.key() != null ? keyed(request) : keyless(request);
    } catch (Refused r) {
      return Result.refused(r.getMessage());
    } catch (RuntimeException e) {
      // fail closed: a library surprise is a refusal with its message, never a pass
      return Result.refused("verification failed: " + messages(e));
    }
  }

  // ---------------------------------------------------------------------------------- keyless

  private Result keyless(Request r) {
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
   * Verifies a Sigstore bundle with a certificate over an artifact known only by its digest (an
   * image manifest, an attestation's subject), offline, against the policy's trusted root and
   * identity rules. For a DSSE bundle the digest must be a subject of its in-toto statement.
   *
   * @param bundleJson the bundle as JSON (v0.1–v0.3)
   * @param artifactDigest {@code sha256:<64 hex>} or the bare hex
   * @param now the verification time: a log entry integrated after it is refused
   */
  public static Result verifyKeyless(byte[] bundleJson, String artifactDigest, KeylessPolicy policy, Instant now) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    try {
      byte[] digest = digestBytes(artifactDigest);
      var leaf = keyless(bundleJson, "the bundle", digest, policy.trustedRoot().getBytes(StandardCharsets.UTF_8),
          "the trusted root " + policy.trustedRootId(), policy.identities(), now);
      return new Result(true,
          "signed keyless by " + describe(leaf) + ", certificate chains to the trusted root "
              + policy.trustedRootId() + ", transparency log entry checked, over sha256:"
              + HexFormat.of().formatHex(digest),
          describe(leaf));
    } catch (Refused r) {
      return Result.refused(r.getMessage());
    } catch (RuntimeException e) {
      return Result.refused("verification failed: " + messages(e));
    }
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

  // ------------------------------------------------------------------------------------ keyed

  private Result keyed(Request r) {
    if (r.identity() != null || r.issuer() != null) {
      throw new Refused("give either --key or --certificate-identity/--certificate-oidc-issuer, not both");
    }
    PublicKey key = readPublicKey(readable(r.key(), "public key"));
    byte[] artifact = readBytes(readable(r.artifact(), "artifact"));
    byte[] artifactDigest = sha256(artifact);
    var bundle = parseBundle(readBytes(readable(r.bundle(), "bundle")), "the bundle " + r.bundle());
    VerificationMaterial material = bundle.getVerificationMaterial();
    if (!material.hasPublicKey()) {
      throw new Refused(
          "the bundle carries a certificate, not a public key: verify it keyless with"
              + " --certificate-identity and --certificate-oidc-issuer");
    }

    byte[] signature;
    if (bundle.hasMessageSignature()) {
      var ms = bundle.getMessageSignature();
      if (ms.hasMessageDigest()) {
        String algorithm = jcaDigest(ms.getMessageDigest().getAlgorithm());
        if (!Arrays.equals(ms.getMessageDigest().getDigest().toByteArray(), digest(algorithm, artifact))) {
          throw new Refused("the artifact's " + algorithm + " does not match the digest the bundle signs");
        }
      }
      signature = ms.getSignature().toByteArray();
      if (!verifyWithKey(key, artifact, signature)) {
        throw new Refused("the signature does not verify with the given key over this artifact");
      }
    } else if (bundle.hasDsseEnvelope()) {
      var env = bundle.getDsseEnvelope();
      if (!InTotoPayload.PAYLOAD_TYPE.equals(env.getPayloadType())) {
        throw new Refused(
            "the DSSE payload type is '" + env.getPayloadType() + "', expected " + InTotoPayload.PAYLOAD_TYPE);
      }
      if (env.getSignaturesCount() != 1) {
        throw new Refused("the DSSE envelope must carry exactly one signature, it has " + env.getSignaturesCount());
      }
      signature = env.getSignatures(0).getSig().toByteArray();
      if (!verifyWithKey(key, pae(env.getPayloadType(), env.getPayload().toByteArray()), signature)) {
        throw new Refused("the DSSE signature does not verify with the given key");
      }
      requireSubject(env.getPayload().toStringUtf8(), artifactDigest);
    } else {
      throw new Refused("the bundle has neither a message signature nor a DSSE envelope");
    }

    if (r.trustedRoot() == null) {
      return Result.ok(
          "signature by the given key; transparency log and timestamps not checked"
              + " (no --trusted-root given)");
    }
    Path rootFile = readable(r.trustedRoot(), "trusted root");
    var root = trustedRoot(readBytes(rootFile), "the trusted root " + rootFile);
    List<TransparencyLogEntry> entries = material.getTlogEntriesList();
    var timestamps = material.getTimestampVerificationData().getRfc3161TimestampsList();
    if (entries.isEmpty() && timestamps.isEmpty()) {
      throw new Refused(
          "the bundle has no transparency log entry and no timestamp to check against the trusted root");
    }
    var rekor = RekorVerifier.newRekorVerifier(root);
    for (var tle : entries) {
      if (!tle.hasInclusionProof()) {
        throw new Refused("the transparency log entry has no inclusion proof");
      }
      RekorEntry entry = ProtoMutators.toRekorEntry(tle);
      try {
        rekor.verifyEntry(entry);
      } catch (dev.sigstore.rekor.client.RekorVerificationException e) {
        throw new Refused("transparency log entry could not be verified: " + messages(e));
      }
      requireEntryDescribes(entry, key, signature, artifact, bundle);
      checkLogTimes(List.of(entry), root, null, Instant.now());
    }
    if (!timestamps.isEmpty()) {
      TimestampVerifier tsVerifier;
      try {
        tsVerifier = TimestampVerifier.newTimestampVerifier(root);
      } catch (GeneralSecurityException e) {
        throw new Refused("the trusted root's timestamp authorities cannot be used: " + messages(e));
      }
      for (var ts : timestamps) {
        try {
          tsVerifier.verify(
              ImmutableTimestampResponse.builder().encoded(ts.getSignedTimestamp().toByteArray()).build(),
              signature);
        } catch (Exception e) {
          throw new Refused("RFC 3161 timestamp could not be verified: " + messages(e));
        }
      }
    }
    return Result.ok(
        "signature by the given key, " + entries.size() + " transparency log entr"
            + (entries.size() == 1 ? "y" : "ies") + " and " + timestamps.size()
            + " timestamp(s) checked against " + r.trustedRoot());
  }

  /**
   * The log entry must be about this signature, this key and this artifact; sigstore-java does
   * this for certificates only, so it is repeated here for keys.
   */
  private static void requireEntryDescribes(
      RekorEntry entry, PublicKey key, byte[] signature, byte[] artifact,
      dev.sigstore.proto.bundle.v1.Bundle bundle) {
    try {
      var body = entry.getBodyDecoded();
      String kindVersion = body.getKind() + ":" + body.getApiVersion();
      switch (kindVersion) {
        case "hashedrekord:0.0.1" -> {
          var hr = RekorTypes.getHashedRekordV001(entry);
          String algorithm = switch (hr.getData().getHash().getAlgorithm()) {
            case SHA_256 -> "SHA-256";
            case SHA_384 -> "SHA-384";
            case SHA_512 -> "SHA-512";
          };
          same(HexFormat.of().parseHex(hr.getData().getHash().getValue()), digest(algorithm, artifact), "artifact digest");
          same(Base64.getDecoder().decode(hr.getSignature().getContent()), signature, "signature");
          sameKey(pemOrDer(Base64.getDecoder().decode(hr.getSignature().getPublicKey().getContent())), key);
        }
        case "hashedrekord:0.0.2" -> {
          var hr = RekorTypes.getHashedRekordV002(entry);
          same(hr.getData().getDigest().toByteArray(), digest(jcaDigest(hr.getData().getAlgorithm()), artifact), "artifact digest");
          same(hr.getSignature().getContent().toByteArray(), signature, "signature");
          sameKey(hr.getSignature().getVerifier().getPublicKey().getRawBytes().toByteArray(), key);
        }
        case "dsse:0.0.1" -> {
          var d = RekorTypes.getDsseV001(entry);
          requireDsse(bundle);
          same(HexFormat.of().parseHex(d.getPayloadHash().getValue()),
              sha256(bundle.getDsseEnvelope().getPayload().toByteArray()), "DSSE payload digest");
          if (d.getSignatures().size() != 1) {
            throw new Refused("the log entry must carry exactly one DSSE signature");
          }
          same(Base64.getDecoder().decode(d.getSignatures().get(0).getSignature()), signature, "signature");
          sameKey(pemOrDer(Base64.getDecoder().decode(d.getSignatures().get(0).getVerifier())), key);
        }
        case "dsse:0.0.2" -> {
          var d = RekorTypes.getDsseV002(entry);
          requireDsse(bundle);
          same(d.getPayloadHash().getDigest().toByteArray(),
              sha256(bundle.getDsseEnvelope().getPayload().toByteArray()), "DSSE payload digest");
          if (d.getSignaturesCount() != 1) {
            throw new Refused("the log entry must carry exactly one DSSE signature");
          }
          same(d.getSignatures(0).getContent().toByteArray(), signature, "signature");
          sameKey(d.getSignatures(0).getVerifier().getPublicKey().getRawBytes().toByteArray(), key);
        }
        default -> throw new Refused("unsupported transparency log entry type " + kindVersion);
      }
    } catch (dev.sigstore.json.JsonParseException | dev.sigstore.rekor.client.RekorTypeException
        | IllegalArgumentException e) {
      throw new Refused("the transparency log entry body cannot be read: " + messages(e));
    }
  }

  private static void requireDsse(dev.sigstore.proto.bundle.v1.Bundle bundle) {
    if (!bundle.hasDsseEnvelope()) {
      throw new Refused("the transparency log entry is a DSSE entry but the bundle signs a message");
    }
  }

  private static void same(byte[] inLog, byte[] inBundle, String what) {
    if (!Arrays.equals(inLog, inBundle)) {
      throw new Refused("the transparency log entry does not match the bundle: different " + what);
    }
  }

  private static void sameKey(byte[] logKeyDer, PublicKey key) {
    if (!Arrays.equals(logKeyDer, key.getEncoded())) {
      throw new Refused("the transparency log entry names a different public key than the given one");
    }
  }

  /**
   * The signature check for a given key. sigstore-java's verifiers hash with SHA-256 only, which is
   * right for P-256, RSA (PKCS#1 v1.5) and Ed25519; P-384 and P-521 keys sign with SHA-384 and
   * SHA-512 in Sigstore's algorithm registry, so those two go through the JCA directly.
   */
  static boolean verifyWithKey(PublicKey key, byte[] message, byte[] signature) {
    try {
      if (key instanceof ECPublicKey ec && ec.getParams().getOrder().bitLength() > 256) {
        String hash = ec.getParams().getOrder().bitLength() > 384 ? "SHA512" : "SHA384";
        var verifier = java.security.Signature.getInstance(hash + "withECDSA");
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
      }
      return Verifiers.newVerifier(key).verify(message, signature);
    } catch (java.security.SignatureException e) {
      // a signature that is not even well-formed for this key does not verify
      return false;
    } catch (GeneralSecurityException e) {
      throw new Refused("the signature cannot be checked with this key: " + messages(e));
    }
  }

  private static String jcaDigest(HashAlgorithm algorithm) {
    return switch (algorithm) {
      case SHA2_256 -> "SHA-256";
      case SHA2_384 -> "SHA-384";
      case SHA2_512 -> "SHA-512";
      case SHA3_256 -> "SHA3-256";
      case SHA3_384 -> "SHA3-384";
      default -> throw new Refused("unsupported digest algorithm " + algorithm);
    };
  }

  private static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new Refused("unsupported digest algorithm " + algorithm);
    }
  }

  /** An in-toto statement naming the artifact's sha256 among its subjects. */
  private static void requireSubject(String statementJson, byte[] artifactDigest) {
    InTotoPayload statement;
    try {
      statement = InTotoPayload.from(statementJson);
    } catch (dev.sigstore.json.JsonParseException | RuntimeException e) {
      throw new Refused("the DSSE payload is not an in-toto statement: " + messages(e));
    }
    String hex = HexFormat.of().formatHex(artifactDigest);
    boolean named =
        statement.getSubject() != null
            && statement.getSubject().stream()
                .anyMatch(s -> s.getDigest() != null && hex.equalsIgnoreCase(s.getDigest().get("sha256")));
    if (!named) {
      throw new Refused("the artifact's sha256 " + hex + " is not a subject of the in-toto statement");
    }
  }

  /**
   * DSSE pre-authentication encoding with byte lengths, as the DSSE protocol defines it;
   * sigstore-java 2.0.0's {@code getPAE()} counts UTF-16 characters, which differs for non-ASCII
   * payloads.
   */
  static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
        .getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(head, head.length + payload.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  // -------------------------------------------------------------------------------- inputs

  private static dev.sigstore.proto.bundle.v1.Bundle parseBundle(byte[] json, String label) {
    var builder = dev.sigstore.proto.bundle.v1.Bundle.newBuilder();
    try {
      ProtoJson.parser().merge(new String(json, StandardCharsets.UTF_8), builder);
    } catch (IOException | RuntimeException e) {
      throw new Refused(label + " is not a valid Sigstore bundle: " + messages(e));
    }
    var bundle = builder.build();
    if (!MEDIA_TYPES.contains(bundle.getMediaType())) {
      throw new Refused("unsupported bundle media type '" + bundle.getMediaType() + "'");
    }
    return bundle;
  }

  private static SigstoreTrustedRoot trustedRoot(byte[] json, String label) {
    var tr = requireValidityStarts(json, label);
    try {
      return SigstoreTrustedRoot.from(tr);
    } catch (dev.sigstore.trustroot.SigstoreConfigurationException | RuntimeException e) {
      throw new Refused(label + " cannot be used: " + messages(e));
    }
  }

  /**
   * Every validity interval in the trusted root must have its start. sigstore-java 2.0.0 reads a
   * missing start as the epoch, i.e. unbounded, which would trust a key for all of the past.
   */
  private static TrustedRoot requireValidityStarts(byte[] json, String label) {
    var builder = TrustedRoot.newBuilder();
    try {
      ProtoJson.parser().merge(new String(json, StandardCharsets.UTF_8), builder);
    } catch (IOException | RuntimeException e) {
      throw new Refused(label + " cannot be read: " + messages(e));
    }
    var tr = builder.build();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < tr.getTlogsCount(); i++) {
      var pk = tr.getTlogs(i).getPublicKey();
      if (pk.hasValidFor() && !pk.getValidFor().hasStart()) {
        missing.add("tlogs[" + i + "] " + tr.getTlogs(i).getBaseUrl());
      }
    }
    for (int i = 0; i < tr.getCtlogsCount(); i++) {
      var pk = tr.getCtlogs(i).getPublicKey();
      if (pk.hasValidFor() && !pk.getValidFor().hasStart()) {
        missing.add("ctlogs[" + i + "] " + tr.getCtlogs(i).getBaseUrl());
      }
    }
    for (int i = 0; i < tr.getCertificateAuthoritiesCount(); i++) {
      var ca = tr.getCertificateAuthorities(i);
      if (ca.hasValidFor() && !ca.getValidFor().hasStart()) {
        missing.add("certificateAuthorities[" + i + "] " + ca.getUri());
      }
    }
    for (int i = 0; i < tr.getTimestampAuthoritiesCount(); i++) {
      var tsa = tr.getTimestampAuthorities(i);
      if (tsa.hasValidFor() && !tsa.getValidFor().hasStart()) {
        missing.add("timestampAuthorities[" + i + "] " + tsa.getUri());
      }
    }
    if (!missing.isEmpty()) {
      throw new Refused(label + " is malformed: validFor without a start in " + String.join(", ", missing));
    }
    return tr;
  }

  /**
   * A log entry's integrated time (Rekor v1; v2 entries carry none) must fall inside the validity
   * of the log's key in the trusted root, and inside the signing certificate's validity.
   * sigstore-java 2.0.0 checks neither, so a certificate used after it expired would pass.
   */
  private static void checkLogTimes(List<RekorEntry> entries, SigstoreTrustedRoot root, X509Certificate leaf, Instant now) {
    for (var entry : entries) {
      if (entry.getIntegratedTime() <= 0) {
        continue;
      }
      Instant at = entry.getIntegratedTimeInstant();
      if (at.isAfter(now)) {
        throw new Refused("the transparency log entry's integrated time " + at + " is in the future");
      }
      byte[] logId = HexFormat.of().parseHex(entry.getLogID());
      boolean logValid =
          root.getTLogs().stream()
              .filter(t -> Arrays.equals(t.getLogId().getKeyId(), logId))
              .anyMatch(t -> t.getPublicKey().getValidFor().contains(at));
      if (!logValid) {
        throw new Refused(
            "no transparency log in the trusted root was valid at the entry's integrated time " + at);
      }
      if (leaf != null) {
        try {
          leaf.checkValidity(Date.from(at));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
          throw new Refused(
              "the transparency log integrated the signature at " + at + ", outside the signing"
                  + " certificate's validity " + leaf.getNotBefore().toInstant() + " .. "
                  + leaf.getNotAfter().toInstant());
        }
      }
    }
  }

  /** A PEM "PUBLIC KEY" (SubjectPublicKeyInfo): ECDSA P-256/P-384, RSA or Ed25519. */
  static PublicKey readPublicKey(Path file) {
    String text = new String(readBytes(file), StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN PUBLIC KEY-----")) {
      throw new Refused("the key " + file + " is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    return parseKey(pemOrDer(text.getBytes(StandardCharsets.US_ASCII)), "the key " + file);
  }

  private static PublicKey parseKey(byte[] der, String what) {
    try {
      return PublicKeys.fromDer(der);
    } catch (IllegalArgumentException e) {
      throw new Refused(what + " is not an ECDSA, RSA or Ed25519 public key");
    }
  }


  /** DER of a PEM block, or the bytes as they are when they are not PEM. */
  private static byte[] pemOrDer(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN ");
    if (begin < 0) {
      return bytes;
    }
    int bodyStart = text.indexOf('\n', begin);
    int end = text.indexOf("-----END ", bodyStart);
    if (bodyStart < 0 || end < 0) {
      throw new Refused("malformed PEM block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(bodyStart + 1, end));
    } catch (IllegalArgumentException e) {
      throw new Refused("malformed PEM block: " + e.getMessage());
    }
  }

  private static Path readable(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new Refused("the " + what + " file " + file + " does not exist or cannot be read");
    }
    return file;
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Refused(file + " does not exist");
    } catch (IOException e) {
      throw new Refused("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static byte[] sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      var md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return md.digest();
    } catch (IOException e) {
      throw new Refused("cannot read " + file + ": " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The messages of a cause chain, so the reason names the root problem too. */
  static String messages(Throwable t) {
    List<String> parts = new ArrayList<>();
    for (Throwable c = t; c != null && parts.size() < 5; c = c.getCause()) {
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip();
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
    }
    return String.join(": ", parts);
  }

  /** A refusal with a reason for a person; control flow inside this class only. */
  private static final class Refused extends RuntimeException {
    Refused(String reason) {
      super(reason, null, false, false);
    }
  }
}
