package dev.gantry.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.Json;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachment;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.RegistrySettings;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs an image digest in a registry (or an OCI layout) the way {@code cosign sign --key} does,
 * so that {@code cosign verify --key} and admission controllers accept it:
 *
 * <ul>
 *   <li>{@link Form#LEGACY}: a simple-signing payload as a layer of the {@code sha256-<hex>.sig}
 *       tag, its signature base64 in the layer annotation {@code dev.cosignproject.cosign/signature}
 *       (cosign up to v2, and v3 with {@code --new-bundle-format=false});
 *   <li>{@link Form#BUNDLE}: a DSSE envelope over an in-toto v1 statement with predicate type
 *       {@code https://sigstore.dev/cosign/sign/v1} about the digest, in a Sigstore bundle v0.3
 *       attached as an OCI 1.1 referrer, with the {@code sha256-<hex>} tag-schema index when the
 *       registry has no referrers API (cosign v3's default).
 * </ul>
 *
 * <p>Idempotent: when the image already carries a signature by the same key over the same payload
 * (same repository, digest and annotations), that signature is returned and nothing is written —
 * a retried activity adds no second layer. Signatures by other keys stay as they are.
 */
public final class CosignSigner {

  /** The two places cosign keeps image signatures. */
  public enum Form {
    /** The {@code sha256-<hex>.sig} tag with a simple-signing layer. */
    LEGACY,
    /** A Sigstore bundle v0.3 referrer (cosign v3). */
    BUNDLE
  }

  /**
   * A signature on an image.
   *
   * @param image the signed image, by digest
   * @param form where it is kept
   * @param manifestDigest the {@code .sig} manifest or the referrer manifest holding it
   * @param keyId the signing key's id ({@link Signer#keyId()})
   * @param added false when an equivalent signature was there already and nothing was written
   */
  public record Signature(ImageRef image, Form form, String manifestDigest, String keyId, boolean added) {}

  private CosignSigner() {}

  /**
   * Signs {@code digestRef} (a {@code repository@sha256:…} reference to an existing image).
   *
   * @param annotations written into the payload's {@code optional} map (legacy) or the statement
   *     subject's annotations (bundle), as {@code cosign sign -a key=value} does; e.g. the release
   *     and environment
   */
  public static Signature sign(
      ImageRef digestRef, Signer signer, Map<String, String> annotations, Form form,
      RegistrySettings settings) {
    Objects.requireNonNull(digestRef, "digestRef");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(form, "form");
    Objects.requireNonNull(settings, "settings");
    Map<String, String> notes = Map.copyOf(annotations == null ? Map.of() : annotations);
    if (!Digests.isDigest(digestRef.reference())) {
      throw new IllegalArgumentException(
          "cosign signs a digest, not the tag " + digestRef.reference() + " of " + digestRef.repository()
              + ": resolve the tag first");
    }
    return switch (form) {
      case LEGACY -> legacy(digestRef, signer, notes, settings);
      case BUNDLE -> bundle(digestRef, signer, notes, settings);
    };
  }

  private static Signature legacy(
      ImageRef ref, Signer signer, Map<String, String> annotations, RegistrySettings settings) {
    byte[] payload = CosignPayloads.simpleSigning(ref.repository(), ref.reference(), annotations);
    JsonNode wanted = Json.read(payload, "payload");
    for (Attachments.SignatureLayer layer :
        Attachments.signatures(ref, settings, Attachments.Limits.DEFAULT)) {
      if (sameLegacy(layer, wanted, signer)) {
        return new Signature(ref, Form.LEGACY, layer.manifestDigest(), signer.keyId(), false);
      }
    }
    String signature = Base64.getEncoder().encodeToString(signer.sign(payload));
    String manifest =
        AttestationWriter.appendSignature(
            ref, payload, Map.of(AttestationWriter.SIGNATURE_ANNOTATION, signature), settings);
    return new Signature(ref, Form.LEGACY, manifest, signer.keyId(), true);
  }

  // the same payload (as JSON: another writer may space it differently), signed by this key
  private static boolean sameLegacy(Attachments.SignatureLayer layer, JsonNode wanted, Signer signer) {
    if (!CosignPayloads.SIMPLE_SIGNING_MEDIA_TYPE.equals(layer.mediaType())) {
      return false;
    }
    String b64 = layer.annotations().get(AttestationWriter.SIGNATURE_ANNOTATION);
    try {
      return b64 != null
          && wanted.equals(Json.read(layer.payload(), "payload"))
          && KeyAlgorithms.verify(signer.publicKey(), layer.payload(), Base64.getDecoder().decode(b64));
    } catch (EvidenceException | IllegalArgumentException e) {
      return false; // not ours: another writer's malformed layer stays as it is
    }
  }

  private static Signature bundle(
      ImageRef ref, Signer signer, Map<String, String> annotations, RegistrySettings settings) {
    byte[] statement = CosignPayloads.signStatement(ref.reference(), annotations);
    JsonNode wanted = Json.read(statement, "statement");
    for (Attachment a : Attachments.referrers(ref, settings, Attachments.Limits.DEFAULT).attachments()) {
      if (sameBundle(a, wanted, signer)) {
        return new Signature(ref, Form.BUNDLE, a.manifestDigest(), signer.keyId(), false);
      }
    }
    String manifest =
        AttestationWriter.attach(
            ref, signedEnvelope(statement, signer), CosignPayloads.SIGN_PREDICATE_TYPE,
            AttestationWriter.Form.REFERRER, signer.keyId(), settings);
    return new Signature(ref, Form.BUNDLE, manifest, signer.keyId(), true);
  }

  /**
   * A DSSE envelope over an in-toto statement as cosign writes one (payload, payloadType,
   * signatures with sig only): sigstore-go skips a signature whose keyid is not its own notion of
   * the key's id, so the bundle's publicKey.hint names the key instead.
   */
  static byte[] signedEnvelope(byte[] statement, Signer signer) {
    byte[] sig = signer.sign(Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, statement));
    var json = new Dsse.Envelope(Dsse.IN_TOTO_PAYLOAD_TYPE, statement, List.of(new Dsse.Sig(null, sig))).toJson();
    json.withArray("signatures").forEach(s -> ((com.fasterxml.jackson.databind.node.ObjectNode) s).remove("keyid"));
    return CosignPayloads.bytes(json);
  }

  /**
   * Whether an attached envelope (bare or in a Sigstore bundle) carries {@code wanted} (compared
   * as JSON: another writer may space it differently), signed by {@code key}: what makes signing
   * and attesting idempotent.
   */
  static boolean sameSignedStatement(Attachment a, String predicateType, JsonNode wanted, PublicKey key) {
    if (a.predicateType() != null && !predicateType.equals(a.predicateType())) {
      return false;
    }
    try {
      Dsse.Envelope envelope = Dsse.envelopeOf(Json.read(a.content(), "attestation"));
      return envelope != null
          && Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())
          && wanted.equals(Json.read(envelope.payload(), "statement"))
          && envelope.verifiedBy(List.of(key)) == 0;
    } catch (EvidenceException e) {
      return false; // another writer's malformed attachment stays as it is
    }
  }

  private static boolean sameBundle(Attachment a, JsonNode wanted, Signer signer) {
    return a.mediaType().startsWith("application/vnd.dev.sigstore.bundle")
        && sameSignedStatement(a, CosignPayloads.SIGN_PREDICATE_TYPE, wanted, signer.publicKey());
  }
}
