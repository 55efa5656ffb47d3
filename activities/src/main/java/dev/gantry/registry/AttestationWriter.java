package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.ImageRef;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Attaches documents to an image digest the way cosign and OCI 1.1 tools do, in a distribution
 * registry or an OCI layout, so that {@link Attachments} and the standard tools read them back.
 * Writing is idempotent: attaching the same document twice leaves one copy. The allow-list
 * applies as for reading. Appending to a tag ({@code .att}, the fallback index) reads, extends and
 * puts the manifest, as cosign does: two writers appending to the same image at the same moment can
 * lose one addition, so attach to one image from one activity at a time.
 */
public final class AttestationWriter {

  /** Where an attestation goes. */
  public enum Form {
    /**
     * A layer appended to the cosign tag {@code sha256-<hex>.att} (what {@code cosign attest}
     * writes by default up to v2): an OCI image manifest whose layers are DSSE envelopes annotated
     * with {@code predicateType}.
     */
    LEGACY_ATT,
    /**
     * An OCI 1.1 referrer holding a Sigstore bundle v0.3 that wraps the envelope (cosign's
     * BUNDLE_SPEC, the default of cosign v3): {@code artifactType}
     * {@code application/vnd.dev.sigstore.bundle.v0.3+json}, empty config, a {@code subject}, and
     * the {@code sha256-<hex>} fallback index when the registry has no referrers API.
     */
    REFERRER
  }

  /** Sigstore bundle v0.3, the artifact type of {@link Form#REFERRER} attestations. */
  public static final String BUNDLE_MEDIA_TYPE = OciMedia.BUNDLE_V03;

  private static final Attachments.Limits LIMITS = Attachments.Limits.DEFAULT;
  // what go-containerregistry writes for the config of an image built from nothing
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private AttestationWriter() {}

  /**
   * Attaches a DSSE envelope (an in-toto statement about the image) to the image.
   *
   * @param digestRef the image, by digest; it must exist
   * @param dsseEnvelopeJson the envelope's JSON ({@code payloadType}, {@code payload},
   *     {@code signatures}); for {@link Form#REFERRER} the bundle's {@code publicKey.hint} is the
   *     first signature's {@code keyid} (see {@link #keyHint})
   * @param predicateType the statement's predicate type, written to the annotations readers filter
   *     on
   * @return the digest of the manifest that now holds the envelope: the {@code .att} manifest, or
   *     the referrer manifest
   */
  public static String attach(
      ImageRef digestRef, byte[] dsseEnvelopeJson, String predicateType, Form form,
      RegistrySettings settings) {
    return attach(digestRef, dsseEnvelopeJson, predicateType, form, null, settings);
  }

  /**
   * {@link #attach(ImageRef, byte[], String, Form, RegistrySettings)} with the bundle's {@code
   * publicKey.hint} given: cosign v3 leaves the DSSE signature's {@code keyid} empty (its verifier
   * skips a signature whose keyid is not its own key id) and names the key in the hint only.
   *
   * @param keyHint the hint for {@link Form#REFERRER} (see {@link #keyHint}); null takes the first
   *     signature's {@code keyid}
   */
  public static String attach(
      ImageRef digestRef, byte[] dsseEnvelopeJson, String predicateType, Form form, String keyHint,
      RegistrySettings settings) {
    Objects.requireNonNull(dsseEnvelopeJson, "dsseEnvelopeJson");
    Objects.requireNonNull(form, "form");
    if (predicateType == null || predicateType.isBlank()) {
      throw new IllegalArgumentException("an attestation needs its predicate type");
    }
    AttachmentRules.requireEnvelope(dsseEnvelopeJson, "the DSSE envelope to attach");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, true)) {
      ArtifactStore.Manifest image = AttachmentRules.image(store, digestRef.reference(), LIMITS);
      return switch (form) {
        case LEGACY_ATT -> appendToAtt(store, image, dsseEnvelopeJson, predicateType);
        case REFERRER -> bundleReferrer(store, image, bundle(dsseEnvelopeJson, keyHint), predicateType);
      };
    }
  }

  /**
   * Attaches a Sigstore bundle v0.3 made elsewhere (a DSSE envelope with its verification material:
   * a Fulcio certificate and transparency log entries, or a key) as an OCI 1.1 referrer, as
   * {@code cosign sign} v3 and {@code actions/attest-build-provenance} with {@code push-to-registry}
   * attach theirs: artifact type {@code application/vnd.dev.sigstore.bundle.v0.3+json}, annotated
   * with the statement's predicate type, with the {@code sha256-<hex>} fallback index when the
   * registry has no referrers API.
   *
   * @param bundleJson the bundle's JSON; it must carry a {@code dsseEnvelope}
   * @return the referrer manifest's digest (an identical referrer already there is reused)
   */
  public static String attachBundle(
      ImageRef digestRef, byte[] bundleJson, String predicateType, RegistrySettings settings) {
    Objects.requireNonNull(bundleJson, "bundleJson");
    if (predicateType == null || predicateType.isBlank()) {
      throw new IllegalArgumentException("a bundle attestation needs its predicate type");
    }
    JsonNode bundle = OciJson.tree(bundleJson, "the Sigstore bundle to attach");
    if (!OciMedia.BUNDLE_V03.equals(bundle.path("mediaType").asText())) {
      throw new IllegalArgumentException(
          "the Sigstore bundle to attach has media type '" + bundle.path("mediaType").asText() + "', not " + OciMedia.BUNDLE_V03);
    }
    AttachmentRules.requireEnvelope(OciJson.bytes(bundle.path("dsseEnvelope")), "the Sigstore bundle's dsseEnvelope");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, true)) {
      ArtifactStore.Manifest image = AttachmentRules.image(store, digestRef.reference(), LIMITS);
      return bundleReferrer(store, image, bundleJson, predicateType);
    }
  }

  private static String bundleReferrer(
      ArtifactStore store, ArtifactStore.Manifest image, byte[] bundle, String predicateType) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(OciMedia.CREATED, now());
    annotations.put(OciMedia.BUNDLE_CONTENT, "dsse-envelope");
    annotations.put(OciMedia.BUNDLE_PREDICATE_TYPE, predicateType);
    return writeReferrer(store, image, OciMedia.BUNDLE_V03, bundle, annotations);
  }

  /**
   * Attaches a plain JSON document (an SBOM, a scan report) as an OCI 1.1 referrer whose artifact
   * type and single layer type are {@code artifactType}, as {@code oras attach} does.
   *
   * @param artifactType a JSON media type, e.g. {@code application/vnd.cyclonedx+json}
   * @return the referrer manifest's digest
   */
  public static String attachArtifact(
      ImageRef digestRef, byte[] json, String artifactType, RegistrySettings settings) {
    Objects.requireNonNull(json, "json");
    if (!OciMedia.isJson(artifactType)) {
      throw new IllegalArgumentException(
          "artifact type " + artifactType + " is not a JSON media type (application/json or …+json)");
    }
    OciJson.scan(json, "the " + artifactType + " document to attach");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, true)) {
      ArtifactStore.Manifest image = AttachmentRules.image(store, digestRef.reference(), LIMITS);
      return writeReferrer(store, image, artifactType, json, Map.of(OciMedia.CREATED, now()));
    }
  }

  /**
   * The key hint Sigstore bundles carry for a plain public key, as cosign computes it: base64 of
   * the SHA-256 of the key's DER SubjectPublicKeyInfo. Use it as the DSSE signature's {@code
   * keyid} so the bundle names the key.
   */
  public static String keyHint(PublicKey key) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return Base64.getEncoder().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  /**
   * Appends a cosign simple-signing signature to the image's {@code sha256-<hex>.sig} tag, as
   * {@code cosign sign} up to v2 does: one layer per signature, the payload as the layer, the
   * signature (and certificate, bundle…) in the layer's annotations. A layer with the same payload
   * and the same annotations is there already: nothing is added. Checking that an equivalent
   * signature exists (the same key over the same payload: ECDSA signatures differ each time) is the
   * caller's part.
   *
   * @param payload the simple-signing payload the signature is over
   * @param layerAnnotations at least {@code dev.cosignproject.cosign/signature}
   * @return the digest of the {@code .sig} manifest that now holds the signature
   */
  public static String appendSignature(
      ImageRef digestRef, byte[] payload, Map<String, String> layerAnnotations,
      RegistrySettings settings) {
    Objects.requireNonNull(payload, "payload");
    if (layerAnnotations == null || !layerAnnotations.containsKey(SIGNATURE_ANNOTATION)) {
      throw new IllegalArgumentException("a signature layer needs the annotation " + SIGNATURE_ANNOTATION);
    }
    OciJson.tree(payload, "the simple-signing payload to attach");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, true)) {
      ArtifactStore.Manifest image = AttachmentRules.image(store, digestRef.reference(), LIMITS);
      Descriptor layer =
          new Descriptor(
              OciMedia.SIMPLE_SIGNING, OciMedia.sha256(payload), payload.length, null, layerAnnotations);
      return appendLayer(store, image, AttachmentRules.sigTag(image.digest()), "signature", layer, payload);
    }
  }

  /** The layer annotation holding a cosign signature (base64). */
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

  private static String appendToAtt(
      ArtifactStore store, ArtifactStore.Manifest image, byte[] envelope, String predicateType) {
    // cosign writes an empty signature annotation on .att layers (the signature is in the
    // envelope), and cosign v3's verify-attestation refuses a layer without it
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(SIGNATURE_ANNOTATION, "");
    annotations.put(OciMedia.PREDICATE_TYPE, predicateType);
    Descriptor layer =
        new Descriptor(OciMedia.DSSE, OciMedia.sha256(envelope), envelope.length, null, annotations);
    return appendLayer(store, image, AttachmentRules.attTag(image.digest()), "attestation", layer, envelope);
  }

  // reads, extends and puts the image manifest under a cosign tag (.att, .sig); a layer with the
  // same content and annotations is not added twice
  private static String appendLayer(
      ArtifactStore store, ArtifactStore.Manifest image, String tag, String kind, Descriptor layer,
      byte[] content) {
    ArtifactStore.Manifest existing = store.manifest(tag, LIMITS.maxManifestBytes());
    ObjectNode manifest = OciJson.MAPPER.createObjectNode();
    ArrayNode layers = OciJson.MAPPER.createArrayNode();
    List<String> layerDigests = new ArrayList<>();
    if (existing != null) {
      String what = kind + " tag " + tag + " in " + store.where() + " (" + existing.digest() + ")";
      if (existing.digest().equals(image.digest())) {
        throw RegistryFailures.attachment(what + " names the image itself: an attachment loop");
      }
      if (!existing.isImageManifest()) {
        throw RegistryFailures.attachment(
            what + " names a " + existing.mediaType() + ", not an image manifest: cannot append to it");
      }
      for (Descriptor d : AttachmentRules.layers(existing, what, LIMITS)) {
        if (d.digest().equals(layer.digest()) && d.annotations().equals(layer.annotations())) {
          return existing.digest();
        }
        layerDigests.add(d.digest());
      }
      if (layerDigests.size() >= LIMITS.maxLayers()) {
        throw RegistryFailures.attachment(
            what + " already has " + layerDigests.size() + " layers, the most one is read with");
      }
      // the layers as they are, with whatever annotations other tools gave them
      existing.json().path("layers").forEach(l -> layers.add(l.deepCopy()));
    }
    store.putBlob(content);
    layers.add(layer.toJson());
    layerDigests.add(layer.digest());

    byte[] config = attConfig(layerDigests);
    store.putBlob(config);
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciMedia.OCI_MANIFEST);
    manifest.set("config", Descriptor.of(OciMedia.OCI_CONFIG, config).toJson());
    manifest.set("layers", layers);
    if (existing != null && existing.json().path("annotations").isObject()) {
      manifest.set("annotations", existing.json().get("annotations").deepCopy());
    }
    byte[] bytes = OciJson.bytes(manifest);
    store.putManifest(tag, bytes, Descriptor.of(OciMedia.OCI_MANIFEST, bytes));
    return OciMedia.sha256(bytes);
  }

  // cosign's .att image config: go-containerregistry's empty image with the layers appended
  private static byte[] attConfig(List<String> layerDigests) {
    ObjectNode config = OciJson.MAPPER.createObjectNode();
    config.put("architecture", "");
    config.put("created", ZERO_TIME);
    ArrayNode history = config.putArray("history");
    layerDigests.forEach(d -> history.addObject().put("created", ZERO_TIME));
    config.put("os", "");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    // the layers are uncompressed: their diff IDs are their digests
    layerDigests.forEach(diffIds::add);
    config.putObject("config");
    return OciJson.bytes(config);
  }

  // a Sigstore bundle v0.3 (protobuf-specs sigstore_bundle.proto) for a key-signed DSSE envelope
  private static byte[] bundle(byte[] envelopeJson, String keyHint) {
    JsonNode envelope = OciJson.tree(envelopeJson, "the DSSE envelope to attach");
    String hint = keyHint != null ? keyHint : envelope.path("signatures").path(0).path("keyid").asText("");
    ObjectNode bundle = OciJson.MAPPER.createObjectNode();
    bundle.put("mediaType", OciMedia.BUNDLE_V03);
    ObjectNode material = bundle.putObject("verificationMaterial");
    material.putObject("publicKey").put("hint", hint);
    material.putArray("tlogEntries");
    bundle.set("dsseEnvelope", envelope);
    return OciJson.bytes(bundle);
  }

  private static String writeReferrer(
      ArtifactStore store, ArtifactStore.Manifest image, String artifactType, byte[] content,
      Map<String, String> annotations) {
    Descriptor layer = Descriptor.of(artifactType, content);
    String existing = findReferrer(store, image.digest(), artifactType, layer.digest());
    if (existing != null) {
      return existing;
    }
    store.putBlob(OciMedia.EMPTY_JSON);
    store.putBlob(content);
    ObjectNode manifest = OciJson.MAPPER.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciMedia.OCI_MANIFEST);
    manifest.put("artifactType", artifactType);
    manifest.set("config", Descriptor.of(OciMedia.OCI_EMPTY, OciMedia.EMPTY_JSON).toJson());
    manifest.putArray("layers").add(layer.toJson());
    manifest.set("subject", image.descriptor().toJson());
    ObjectNode a = manifest.putObject("annotations");
    annotations.forEach(a::put);
    byte[] bytes = OciJson.bytes(manifest);
    Descriptor descriptor =
        new Descriptor(OciMedia.OCI_MANIFEST, OciMedia.sha256(bytes), bytes.length, artifactType, annotations);
    if (!store.putManifest(null, bytes, descriptor)) {
      addToFallbackIndex(store, image.digest(), descriptor);
    }
    return descriptor.digest();
  }

  // a referrer of this image and type whose one layer is this content is this attachment
  private static String findReferrer(
      ArtifactStore store, String digest, String artifactType, String layerDigest) {
    for (Descriptor d : AttachmentRules.listedReferrers(store, digest, LIMITS)) {
      if ((d.artifactType() != null && !d.artifactType().equals(artifactType))
          || !d.mediaType().equals(OciMedia.OCI_MANIFEST)) {
        continue;
      }
      ArtifactStore.Manifest m = store.manifest(d.digest(), LIMITS.maxManifestBytes());
      if (m == null
          || !m.isImageManifest()
          || !digest.equals(m.json().path("subject").path("digest").asText(null))
          || !artifactType.equals(AttachmentRules.artifactType(m.json()))) {
        continue;
      }
      JsonNode layers = m.json().path("layers");
      if (layers.size() == 1 && layerDigest.equals(layers.get(0).path("digest").asText())) {
        return m.digest();
      }
    }
    return null;
  }

  // the referrers tag schema: an index under sha256-<hex> listing each referrer once
  private static void addToFallbackIndex(ArtifactStore store, String digest, Descriptor referrer) {
    String tag = AttachmentRules.fallbackTag(digest);
    ArtifactStore.Manifest existing = store.manifest(tag, LIMITS.maxManifestBytes());
    ObjectNode index;
    if (existing == null) {
      index = OciJson.MAPPER.createObjectNode();
      index.put("schemaVersion", 2);
      index.put("mediaType", OciMedia.OCI_INDEX);
      index.putArray("manifests");
    } else {
      if (!existing.isIndex() || !existing.json().path("manifests").isArray()) {
        throw RegistryFailures.attachment(
            "referrers index " + tag + " in " + store.where() + " (" + existing.digest() + ") is a "
                + existing.mediaType() + ", not an image index: cannot add a referrer to it");
      }
      for (JsonNode m : existing.json().path("manifests")) {
        if (referrer.digest().equals(m.path("digest").asText())) {
          return;
        }
      }
      index = (ObjectNode) existing.json().deepCopy();
    }
    ((ArrayNode) index.get("manifests")).add(referrer.toJson());
    byte[] bytes = OciJson.bytes(index);
    store.putManifest(tag, bytes, Descriptor.of(OciMedia.OCI_INDEX, bytes));
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
