package dev.gantry.signing;

import static dev.gantry.signing.BundleInputs.checkLogTimes;
import static dev.gantry.signing.BundleInputs.messages;
import static dev.gantry.signing.BundleInputs.parseBundle;
import static dev.gantry.signing.BundleInputs.readBytes;
import static dev.gantry.signing.BundleInputs.readable;
import static dev.gantry.signing.BundleInputs.sha256;
import static dev.gantry.signing.BundleInputs.trustedRoot;

import dev.gantry.evidence.PublicKeys;
import dev.gantry.signing.BundleInputs.Refused;
import dev.gantry.signing.BundleVerifier.Request;
import dev.gantry.signing.BundleVerifier.Result;
import dev.sigstore.dsse.InTotoPayload;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.proto.ProtoMutators;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorTypes;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Keyed verification of a Sigstore bundle: a "managed key" bundle whose verification material is
 * a PEM public key. sigstore-java 2.0.0 refuses those ("Plain public keys are not supported by
 * this client"), so this path is Gantry's own: it parses the bundle with the library's protobuf
 * types and reuses its signature verifiers, Rekor entry verifier (SET, inclusion proof,
 * checkpoint) and RFC 3161 timestamp verifier; only the glue and the checks that the log entry
 * describes this key, signature and artifact are written here.
 */
final class KeyedBundleVerifier {

  private KeyedBundleVerifier() {}

  /** {@code gantry verify bundle --key}: files in, a result out. */
  static Result verify(Request r) {
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
}
