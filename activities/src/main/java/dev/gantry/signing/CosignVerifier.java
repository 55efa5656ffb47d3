package dev.gantry.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.model.Digests;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachment;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.signing.CosignSigner.Form;
import io.temporal.failure.ApplicationFailure;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Verifies the keyed cosign signatures of an image digest, offline, as {@code cosign verify --key
 * … --insecure-ignore-tlog} does, in both forms cosign writes: the legacy {@code
 * sha256-<hex>.sig} tag (simple-signing payloads) and cosign v3's Sigstore bundle v0.3 referrers
 * (DSSE over an in-toto statement with predicate type {@code https://sigstore.dev/cosign/sign/v1};
 * the referrers API, or the {@code sha256-<hex>} index when the registry has none).
 *
 * <p>A signature counts when one of the trusted keys verifies it and its signed content is about
 * this digest: the simple-signing {@code critical.type} is cosign's, {@code
 * critical.image.docker-manifest-digest} (or a statement subject) is the image digest, and every
 * required annotation has its value. The image is verified when at least one signature counts, as
 * with cosign; every signature that does not count is listed with the reason. Nothing in the
 * signed content is looked at before its signature verifies. Like cosign, {@code
 * critical.identity.docker-reference} is not compared: a signature stays valid when the image is
 * copied to another repository, since it is bound to the digest.
 *
 * <p>A refusal is a result, not an exception: an unsigned image, an unknown key, a tampered
 * payload, a {@code .sig} tag naming garbage or a manifest over the {@link Attachments.Limits}
 * (AttachmentRejected), an image gone from the registry (DigestNotFound). An unreachable registry
 * stays the retryable failure it is: it says nothing about the signature.
 */
public final class CosignVerifier {
  private static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
  private static final String BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle";
  private static final List<String> BUNDLE_V03 =
      List.of(
          "application/vnd.dev.sigstore.bundle.v0.3+json",
          "application/vnd.dev.sigstore.bundle+json;version=0.3");

  /**
   * One signature that counts.
   *
   * @param keyIndex the index of the verifying key in the list given; -1 for a keyless signature
   * @param keyId the verifying key's id (base64 SHA-256 of its SubjectPublicKeyInfo); for a keyless
   *     signature {@code certificate <subject> (issuer <issuer>)}
   * @param manifestDigest the {@code .sig} or referrer manifest holding the signature
   * @param annotations the signed annotations (payload {@code optional}, or the subject's)
   */
  public record Verified(
      Form form, int keyIndex, String keyId, String manifestDigest, Map<String, String> annotations) {
    public Verified {
      annotations = Map.copyOf(annotations);
    }
  }

  /**
   * The outcome for one image.
   *
   * @param verified the signatures that count; empty means refused
   * @param refusals why each other signature does not count (or why the image has none)
   */
  public record Result(ImageRef image, List<Verified> verified, List<String> refusals) {
    public Result {
      verified = List.copyOf(verified);
      refusals = List.copyOf(refusals);
    }

    /** True when at least one signature by a trusted key verifies. */
    public boolean ok() {
      return !verified.isEmpty();
    }

    /** Whether a signature of this form counts. */
    public boolean verified(Form form) {
      return verified.stream().anyMatch(v -> v.form() == form);
    }

    /** What a person reads: what verified, or why nothing did. */
    public String reason() {
      if (ok()) {
        return image + " verified: "
            + String.join(", ", verified.stream().map(v -> v.form() + " signature by key " + v.keyId()).toList());
      }
      return String.join("; ", refusals);
    }
  }

  private CosignVerifier() {}

  /** {@link #verify(ImageRef, List, Map, RegistrySettings, Attachments.Limits)}, no required annotations. */
  public static Result verify(ImageRef digestRef, List<PublicKey> keys, RegistrySettings settings) {
    return verify(digestRef, keys, Map.of(), settings, Attachments.Limits.DEFAULT);
  }

  /** {@link #verify(ImageRef, List, Map, RegistrySettings, Attachments.Limits)} with the default limits. */
  public static Result verify(
      ImageRef digestRef, List<PublicKey> keys, Map<String, String> requiredAnnotations,
      RegistrySettings settings) {
    return verify(digestRef, keys, requiredAnnotations, settings, Attachments.Limits.DEFAULT);
  }

  /**
   * Verifies the signatures of {@code digestRef} ({@code repository@sha256:…}).
   *
   * @param keys the trusted public keys (ECDSA P-256/P-384/P-521, RSA, Ed25519); at least one
   * @param requiredAnnotations annotations every counted signature must carry with these values, as
   *     {@code cosign verify -a key=value}
   * @param limits bounds on the manifests and payloads read
   */
  public static Result verify(
      ImageRef digestRef, List<PublicKey> keys, Map<String, String> requiredAnnotations,
      RegistrySettings settings, Attachments.Limits limits) {
    return verify(digestRef, keys, null, requiredAnnotations, settings, limits, Instant.now());
  }

  /**
   * Verifies the signatures of {@code digestRef} with keys, keyless rules, or both: a Sigstore
   * bundle referrer with a certificate counts when it verifies keyless (certificate from the trusted
   * root's CA, logged in its transparency log, identity matching a rule) and is a cosign signature
   * over this digest. A legacy {@code .sig} signature with a certificate is refused with the reason:
   * its Rekor annotation carries no inclusion proof, which sigstore-java requires.
   *
   * @param keys the trusted public keys; may be empty when {@code keyless} is given
   * @param keyless keyless rules; null for keys only
   * @param now the verification time (a log entry integrated later is refused)
   */
  public static Result verify(
      ImageRef digestRef, List<PublicKey> keys, KeylessPolicy keyless, Map<String, String> requiredAnnotations,
      RegistrySettings settings, Attachments.Limits limits, Instant now) {
    Objects.requireNonNull(digestRef, "digestRef");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(now, "now");
    if ((keys == null || keys.isEmpty()) && keyless == null) {
      throw new IllegalArgumentException("verifying a signature needs at least one trusted public key or keyless rules");
    }
    if (!Digests.isDigest(digestRef.reference())) {
      throw new IllegalArgumentException(
          "signatures belong to a digest, not to the tag " + digestRef.reference() + ": resolve it first");
    }
    return new Run(digestRef, keys == null ? List.of() : List.copyOf(keys), keyless,
        Map.copyOf(requiredAnnotations == null ? Map.of() : requiredAnnotations), settings, limits, now).run();
  }

  /** One verification. */
  private static final class Run {
    private final ImageRef image;
    private final String digest;
    private final List<PublicKey> keys;
    private final KeylessPolicy keyless;
    private final Instant now;
    private final Map<String, String> required;
    private final RegistrySettings settings;
    private final Attachments.Limits limits;
    private final List<Verified> verified = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private int candidates;

    Run(ImageRef image, List<PublicKey> keys, KeylessPolicy keyless, Map<String, String> required,
        RegistrySettings settings, Attachments.Limits limits, Instant now) {
      this.image = image;
      this.digest = image.reference();
      this.keys = keys;
      this.keyless = keyless;
      this.now = now;
      this.required = required;
      this.settings = settings;
      this.limits = limits;
    }

    Result run() {
      try {
        legacy();
        bundles();
      } catch (ImageGone gone) {
        return new Result(image, List.of(), List.of(gone.getMessage()));
      }
      if (candidates == 0 && refusals.isEmpty()) {
        refusals.add(
            "unsigned: " + image + " has no cosign signature (no " + digest.replace(':', '-')
                + ".sig tag, no Sigstore bundle referrer with predicate type "
                + CosignPayloads.SIGN_PREDICATE_TYPE + ")");
      } else if (verified.isEmpty()) {
        refusals.addFirst(
            "no cosign signature of " + image + " verifies with the " + keys.size() + " trusted key"
                + (keys.size() == 1 ? "" : "s")
                + (keyless == null ? "" : " or the " + keyless.identities().size() + " keyless identity rule"
                    + (keyless.identities().size() == 1 ? "" : "s")));
      }
      return new Result(image, verified, refusals);
    }

    // ------------------------------------------------------------------------------- legacy

    private void legacy() {
      List<Attachments.SignatureLayer> layers;
      try {
        layers = Attachments.signatures(image, settings, limits);
      } catch (ApplicationFailure f) {
        refuseOrThrow(f, "legacy signatures");
        return;
      }
      int i = 0;
      for (Attachments.SignatureLayer layer : layers) {
        candidates++;
        String what =
            "legacy signature " + ++i + " of " + layers.size() + " (" + digest.replace(':', '-') + ".sig, "
                + layer.manifestDigest() + ")";
        try {
          verified.add(legacyLayer(layer, what));
        } catch (Refused r) {
          refusals.add(r.getMessage());
        }
      }
    }

    private Verified legacyLayer(Attachments.SignatureLayer layer, String what) {
      if (!CosignPayloads.SIMPLE_SIGNING_MEDIA_TYPE.equals(layer.mediaType())) {
        throw new Refused(
            what + " has media type " + layer.mediaType() + ", not " + CosignPayloads.SIMPLE_SIGNING_MEDIA_TYPE);
      }
      String b64 = layer.annotations().get(AttestationWriter.SIGNATURE_ANNOTATION);
      if (b64 == null || b64.isBlank()) {
        throw new Refused(what + " has no " + AttestationWriter.SIGNATURE_ANNOTATION + " annotation");
      }
      byte[] signature;
      try {
        signature = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw new Refused(what + ": its " + AttestationWriter.SIGNATURE_ANNOTATION + " annotation is not base64");
      }
      byte[] payload = layer.payload();
      int k = firstKey(payload, signature);
      if (k < 0) {
        throw new Refused(
            what + " is not signed by a trusted key"
                + (layer.annotations().containsKey(CERTIFICATE_ANNOTATION)
                    ? ": it is a keyless signature with a certificate in the legacy form, which Gantry does not"
                        + " verify (its Rekor annotation carries a signed entry timestamp but no inclusion proof,"
                        + " which offline verification with sigstore-java requires); sign keyless in the Sigstore"
                        + " bundle form (cosign v3's default, or cosign sign --new-bundle-format)"
                    : ": none of the " + keys.size() + " configured keys verifies it"));
      }
      JsonNode doc = json(payload, what + "'s simple-signing payload");
      JsonNode critical = doc.path("critical");
      String type = critical.path("type").isTextual() ? critical.path("type").asText() : null;
      if (!CosignPayloads.SIMPLE_SIGNING_TYPE.equals(type)) {
        throw new Refused(
            what + ": its payload's critical.type is " + quote(type) + ", not '"
                + CosignPayloads.SIMPLE_SIGNING_TYPE + "'");
      }
      JsonNode signed = critical.path("image").path("docker-manifest-digest");
      if (!signed.isTextual()) {
        throw new Refused(what + ": its payload names no critical.image.docker-manifest-digest");
      }
      if (!digest.equals(signed.asText())) {
        throw new Refused(
            what + " is a signature over " + signed.asText() + ", but the image is " + digest);
      }
      Map<String, String> annotations = strings(doc.path("optional"));
      requireAnnotations(annotations, what);
      return new Verified(Form.LEGACY, k, AttestationWriter.keyHint(keys.get(k)), layer.manifestDigest(), annotations);
    }

    private int firstKey(byte[] data, byte[] signature) {
      for (int k = 0; k < keys.size(); k++) {
        if (KeyAlgorithms.verify(keys.get(k), data, signature)) {
          return k;
        }
      }
      return -1;
    }

    // ------------------------------------------------------------------------------ bundles

    private void bundles() {
      Attachments.Listing listing;
      try {
        listing = Attachments.referrers(image, settings, limits);
      } catch (ApplicationFailure f) {
        refuseOrThrow(f, "Sigstore bundle referrers");
        return;
      }
      for (Attachment a : listing.attachments()) {
        if (!a.mediaType().startsWith(BUNDLE_PREFIX)) {
          continue; // SBOMs, bare DSSE envelopes: not cosign signatures
        }
        boolean claimed = CosignPayloads.SIGN_PREDICATE_TYPE.equals(a.predicateType());
        if (a.predicateType() != null && !claimed) {
          continue; // an attestation (provenance, SBOM…), not a signature
        }
        String what = "Sigstore bundle referrer " + a.manifestDigest();
        try {
          Verified v = bundle(a, what, claimed);
          if (v != null) {
            candidates++;
            verified.add(v);
          }
        } catch (Refused r) {
          candidates++;
          refusals.add(r.getMessage());
        }
      }
    }

    // null: a bundle that does not claim to be a signature and is not one (an unannotated attestation)
    private Verified bundle(Attachment a, String what, boolean claimed) {
      JsonNode bundle = json(a.content(), what);
      String mediaType = bundle.path("mediaType").asText("");
      if (!BUNDLE_V03.contains(mediaType)) {
        throw new Refused(what + " has bundle media type " + quote(mediaType) + "; cosign signatures are bundle v0.3");
      }
      JsonNode material = bundle.path("verificationMaterial");
      boolean certificate = material.has("certificate") || material.has("x509CertificateChain");
      if (!material.has("publicKey") && !certificate) {
        throw new Refused(
            what + " is signed neither with a public key nor with a certificate (its verification material is "
                + (material.isObject() ? String.join(", ", iterable(material.fieldNames())) : "missing") + ")");
      }
      if (certificate && keyless == null) {
        throw new Refused(
            what + " is keyless (signed with a certificate), and no keyless identity is configured for this"
                + " service: add keyless identities and a trusted root, or sign with a configured key");
      }
      if (!certificate && keys.isEmpty()) {
        throw new Refused(
            what + " is signed with a public key, and no key is configured for this service (keyless only)");
      }
      if (!bundle.path("dsseEnvelope").isObject()) {
        throw new Refused(what + " has no dsseEnvelope: a cosign image signature bundle carries one");
      }
      Dsse.Envelope envelope;
      try {
        envelope = Dsse.envelopeOf(bundle);
      } catch (EvidenceException e) {
        throw new Refused(what + ": " + e.getMessage());
      }
      if (envelope.signatures().isEmpty()) {
        throw new Refused(what + "'s DSSE envelope has no signature");
      }
      int k;
      String signer;
      if (certificate) {
        // certificate chain, transparency log, identity, DSSE signature and subject = digest
        BundleVerifier.Result r = BundleVerifier.verifyKeyless(a.content(), digest, keyless, now);
        if (!r.verified()) {
          throw new Refused(what + " does not verify keyless: " + r.reason());
        }
        k = -1;
        signer = "certificate " + r.identity();
      } else {
        k = envelope.verifiedBy(keys);
        if (k < 0) {
          throw new Refused(
              what + " is not signed by a trusted key: none of the " + keys.size()
                  + " configured keys verifies its DSSE signature");
        }
        signer = AttestationWriter.keyHint(keys.get(k));
      }
      if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
        throw new Refused(
            what + ": its DSSE payload type is " + quote(envelope.payloadType()) + ", not "
                + Dsse.IN_TOTO_PAYLOAD_TYPE);
      }
      JsonNode statement = json(envelope.payload(), what + "'s in-toto statement");
      String type = statement.path("_type").asText(null);
      if (!InTotoStatement.V1.equals(type) && !InTotoStatement.V01.equals(type)) {
        throw new Refused(what + ": its statement _type is " + quote(type) + ", not an in-toto statement");
      }
      String predicateType = statement.path("predicateType").asText(null);
      if (!CosignPayloads.SIGN_PREDICATE_TYPE.equals(predicateType)) {
        if (!claimed) {
          return null;
        }
        throw new Refused(
            what + ": its statement's predicate type is " + quote(predicateType) + ", not "
                + CosignPayloads.SIGN_PREDICATE_TYPE);
      }
      JsonNode subjects = statement.path("subject");
      if (!subjects.isArray() || subjects.isEmpty()) {
        throw new Refused(what + ": its statement has no subject");
      }
      String hex = digest.substring("sha256:".length());
      JsonNode subject = null;
      List<String> named = new ArrayList<>();
      for (JsonNode s : subjects) {
        JsonNode sha = s.path("digest").path("sha256");
        if (sha.isTextual()) {
          named.add("sha256:" + sha.asText());
          if (hex.equals(sha.asText()) && subject == null) {
            subject = s;
          }
        }
      }
      if (subject == null) {
        throw new Refused(
            what + ": its statement is about "
                + (named.isEmpty() ? "no sha256 digest" : String.join(", ", named))
                + ", not the image " + digest);
      }
      Map<String, String> annotations = strings(subject.path("annotations"));
      requireAnnotations(annotations, what);
      return new Verified(Form.BUNDLE, k, signer, a.manifestDigest(), annotations);
    }

    // ------------------------------------------------------------------------------ shared

    private void requireAnnotations(Map<String, String> annotations, String what) {
      for (var e : new TreeMap<>(required).entrySet()) {
        String has = annotations.get(e.getKey());
        if (has == null) {
          throw new Refused(
              what + " lacks the required annotation " + e.getKey() + "='" + e.getValue() + "'");
        }
        if (!has.equals(e.getValue())) {
          throw new Refused(
              what + " has annotation " + e.getKey() + "='" + has + "', but '" + e.getValue() + "' is required");
        }
      }
    }

    private JsonNode json(byte[] content, String what) {
      try {
        return Json.read(content, limits.maxBlobBytes(), what);
      } catch (EvidenceException e) {
        throw new Refused(e.getMessage());
      }
    }

    // a registry's refusal of what it holds is a verdict; being unreachable is not
    private void refuseOrThrow(ApplicationFailure f, String what) {
      if (FailureTypes.DIGEST_NOT_FOUND.equals(f.getType())) {
        throw new ImageGone(image + " is not in the registry: " + f.getOriginalMessage());
      }
      if (Attachments.REJECTED.equals(f.getType())) {
        candidates++;
        refusals.add(what + " cannot be read: " + f.getOriginalMessage());
        return;
      }
      throw f;
    }
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node.isObject()) {
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    }
    return out;
  }

  private static String quote(String s) {
    return s == null ? "missing" : "'" + s + "'";
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }

  /** Why one signature does not count. */
  private static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** The image itself is gone: nothing else is worth checking. */
  private static final class ImageGone extends RuntimeException {
    ImageGone(String message) {
      super(message, null, false, false);
    }
  }
}
