package dev.gantry.registry;

import dev.gantry.model.ImageRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads what is attached to an image digest, where cosign and OCI 1.1 tools put it:
 *
 * <ul>
 *   <li>the cosign tag {@code sha256-<hex>.att}: one DSSE envelope per layer, the predicate type in
 *       the layer annotation {@code predicateType};
 *   <li>OCI 1.1 referrers: the registry's referrers API, or when it answers 404 (Debian's
 *       docker-registry has none) the tag-schema index {@code sha256-<hex>}; in a layout, the
 *       manifests {@code index.json} lists whose {@code subject} is the image, and that tag. Each
 *       referrer's Sigstore bundle, DSSE or JSON layers (e.g. a CycloneDX SBOM) are read.
 * </ul>
 *
 * <p>The allow-list is checked before anything is sent or read. Every manifest and blob is checked
 * against its digest and the {@link Limits}. Refusals are non-retryable {@code ApplicationFailure}s
 * of type {@link #REJECTED} with a reason; an unreachable registry is the retryable failure
 * resolving a tag gives. Signatures (simple signing, message-signature bundles) are skipped, not
 * refused: they are not attestations.
 */
public final class Attachments {
  /** Failure type of a refused attachment: malformed, over a limit, not its digest, a loop. */
  public static final String REJECTED = RegistryFailures.ATTACHMENT_REJECTED;

  /**
   * Bounds on what one listing reads, so no registry can exhaust memory or time.
   *
   * @param maxManifestBytes largest manifest or index read
   * @param maxBlobBytes largest attached document read
   * @param maxReferrers most referrers one image may have (over it is refused, not truncated)
   * @param maxLayers most layers one attachment manifest may have
   */
  public record Limits(int maxManifestBytes, long maxBlobBytes, int maxReferrers, int maxLayers) {
    public static final Limits DEFAULT = new Limits(4 * 1024 * 1024, 64L * 1024 * 1024, 128, 64);

    public Limits {
      if (maxManifestBytes <= 0 || maxBlobBytes <= 0 || maxReferrers <= 0 || maxLayers <= 0) {
        throw new IllegalArgumentException("attachment limits must be positive: " + this);
      }
    }
  }

  /**
   * A listing: what was read, and what was passed over with the reason (signatures, referrers of
   * another subject, layers that are no JSON document).
   */
  public record Listing(List<Attachment> attachments, List<String> skipped) {
    public Listing {
      attachments = List.copyOf(attachments);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * One layer of a cosign {@code sha256-<hex>.sig} manifest: the payload it signs (a simple-signing
   * document for {@code cosign sign}) and the layer annotations carrying the signature.
   *
   * @param mediaType the layer's media type, {@code application/vnd.dev.cosign.simplesigning.v1+json}
   *     when written by cosign
   * @param payload the layer's bytes, checked against the layer digest
   * @param annotations the layer's annotations, e.g. {@code dev.cosignproject.cosign/signature}
   * @param manifestDigest the {@code .sig} manifest's digest
   */
  public record SignatureLayer(
      String mediaType, byte[] payload, Map<String, String> annotations, String manifestDigest) {
    public SignatureLayer {
      Objects.requireNonNull(mediaType, "mediaType");
      payload = Objects.requireNonNull(payload, "payload").clone();
      annotations = Map.copyOf(annotations);
      Objects.requireNonNull(manifestDigest, "manifestDigest");
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    /** {@code sha256:<hex>} of the payload (the layer digest). */
    public String payloadDigest() {
      return OciMedia.sha256(payload);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SignatureLayer l
          && mediaType.equals(l.mediaType)
          && java.util.Arrays.equals(payload, l.payload)
          && annotations.equals(l.annotations)
          && manifestDigest.equals(l.manifestDigest);
    }

    @Override
    public int hashCode() {
      return Objects.hash(mediaType, annotations, manifestDigest) * 31 + java.util.Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "SignatureLayer[" + mediaType + " " + payload.length + " bytes of " + manifestDigest + "]";
    }
  }

  private Attachments() {}

  /**
   * The layers of the image's cosign signature tag {@code sha256-<hex>.sig}, in manifest order;
   * empty when the image has no such tag. Refused ({@link #REJECTED}) when the tag names the image
   * itself, anything but an image manifest, more layers than {@code maxLayers}, or a blob over the
   * limits or not matching its digest. An image that is not there is {@code DigestNotFound}.
   */
  public static List<SignatureLayer> signatures(
      ImageRef digestRef, RegistrySettings settings, Limits limits) {
    Objects.requireNonNull(limits, "limits");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, false)) {
      String digest = digestRef.reference();
      AttachmentRules.image(store, digest, limits);
      String tag = AttachmentRules.sigTag(digest);
      ArtifactStore.Manifest sig = store.manifest(tag, limits.maxManifestBytes());
      if (sig == null) {
        return List.of();
      }
      String what = "signature tag " + tag + " in " + store.where() + " (" + sig.digest() + ")";
      if (sig.digest().equals(digest)) {
        throw RegistryFailures.attachment(what + " names the image itself: an attachment loop");
      }
      if (!sig.isImageManifest()) {
        throw RegistryFailures.attachment(
            what + " names a " + sig.mediaType() + ", not an image manifest with signature layers");
      }
      List<SignatureLayer> out = new ArrayList<>();
      for (Descriptor layer : AttachmentRules.layers(sig, what, limits)) {
        byte[] payload = store.blob(layer, limits.maxBlobBytes());
        out.add(new SignatureLayer(layer.mediaType(), payload, layer.annotations(), sig.digest()));
      }
      return out;
    }
  }

  /**
   * The OCI 1.1 referrers of the image only (the referrers API or the {@code sha256-<hex>}
   * fallback index), read as {@link #read} reads them; the {@code .att} tag is left alone.
   */
  public static Listing referrers(ImageRef digestRef, RegistrySettings settings, Limits limits) {
    Objects.requireNonNull(limits, "limits");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, false)) {
      return new Reader(store, digestRef.reference(), limits).read(false);
    }
  }

  /** {@link #read} with the default limits, attachments only. */
  public static List<Attachment> list(ImageRef digestRef, RegistrySettings settings) {
    return list(digestRef, settings, Limits.DEFAULT);
  }

  /** {@link #read}, attachments only. */
  public static List<Attachment> list(ImageRef digestRef, RegistrySettings settings, Limits limits) {
    return read(digestRef, settings, limits).attachments();
  }

  /**
   * Everything attached to the image {@code digestRef} names: {@code .att} layers first, then
   * referrers in the order the registry lists them. No attachments is an empty listing, not an
   * error; an image that is not there is {@code DigestNotFound}.
   */
  public static Listing read(ImageRef digestRef, RegistrySettings settings, Limits limits) {
    Objects.requireNonNull(limits, "limits");
    try (ArtifactStore store = AttachmentRules.open(digestRef, settings, false)) {
      return new Reader(store, digestRef.reference(), limits).read(true);
    }
  }

  /** One listing over one store. */
  private static final class Reader {
    private final ArtifactStore store;
    private final String digest;
    private final Limits limits;
    private final List<Attachment> found = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    Reader(ArtifactStore store, String digest, Limits limits) {
      this.store = store;
      this.digest = digest;
      this.limits = limits;
    }

    Listing read(boolean withAtt) {
      AttachmentRules.image(store, digest, limits);
      if (withAtt) {
        legacy();
      }
      referrers();
      return new Listing(found, skipped);
    }

    private void legacy() {
      String tag = AttachmentRules.attTag(digest);
      ArtifactStore.Manifest att = store.manifest(tag, limits.maxManifestBytes());
      if (att == null) {
        return;
      }
      String what = "attestation tag " + tag + " in " + store.where() + " (" + att.digest() + ")";
      if (att.digest().equals(digest)) {
        throw RegistryFailures.attachment(what + " names the image itself: an attachment loop");
      }
      if (!att.isImageManifest()) {
        throw RegistryFailures.attachment(
            what + " names a " + att.mediaType() + ", not an image manifest with layers");
      }
      for (Descriptor layer : AttachmentRules.layers(att, what, limits)) {
        String layerWhat = "layer " + layer.digest() + " of " + what;
        if (!layer.mediaType().equals(OciMedia.DSSE)) {
          skipped.add(layerWhat + ": media type " + layer.mediaType() + " is not a DSSE envelope");
          continue;
        }
        byte[] content = store.blob(layer, limits.maxBlobBytes());
        AttachmentRules.requireEnvelope(content, layerWhat);
        found.add(
            new Attachment(
                store.kind() + ":att", OciMedia.DSSE, null,
                layer.annotation(OciMedia.PREDICATE_TYPE), content, att.digest()));
      }
    }

    private void referrers() {
      for (Descriptor listed : AttachmentRules.listedReferrers(store, digest, limits)) {
        String what = "referrer " + listed.digest() + " of " + digest + " in " + store.where();
        if (listed.digest().equals(digest)) {
          throw RegistryFailures.attachment(
              "the referrers of " + digest + " in " + store.where()
                  + " list the image itself: a referrer loop");
        }
        if (listed.mediaType().equals(OciMedia.OCI_INDEX)
            || listed.mediaType().equals(OciMedia.DOCKER_LIST)) {
          skipped.add(what + " is an image index; only image manifests are read as referrers");
          continue;
        }
        if (OciMedia.COSIGN_SIG_ARTIFACT.equals(listed.artifactType())) {
          skipped.add(what + " is a cosign signature, not an attestation");
          continue;
        }
        ArtifactStore.Manifest m = store.manifest(listed.digest(), limits.maxManifestBytes());
        if (m == null) {
          skipped.add(what + " is listed but not in " + store.where());
          continue;
        }
        if (!m.isImageManifest()) {
          skipped.add(what + " is a " + m.mediaType() + ", not an image manifest with layers");
          continue;
        }
        String subject = m.json().path("subject").path("digest").asText(null);
        if (!digest.equals(subject)) {
          skipped.add(
              what + (subject == null ? " has no subject" : " has subject " + subject)
                  + ", not the image " + digest);
          continue;
        }
        referrer(m, what);
      }
    }

    private void referrer(ArtifactStore.Manifest m, String what) {
      String artifactType = AttachmentRules.artifactType(m.json());
      Map<String, String> annotations = Descriptor.annotations(m.json().path("annotations"), what);
      String source = store.kind() + ":referrer";
      for (Descriptor layer : AttachmentRules.layers(m, what, limits)) {
        String type = layer.mediaType();
        String layerWhat = "layer " + layer.digest() + " of " + what;
        if (type.equals(OciMedia.OCI_EMPTY)) {
          continue;
        }
        if (type.equals(OciMedia.SIMPLE_SIGNING)) {
          skipped.add(layerWhat + " is a simple-signing signature, not an attestation");
          continue;
        }
        if (type.startsWith(OciMedia.BUNDLE_PREFIX)) {
          String content = first(layer.annotation(OciMedia.BUNDLE_CONTENT), annotations.get(OciMedia.BUNDLE_CONTENT));
          if ("message-signature".equals(content)) {
            skipped.add(layerWhat + " is a message-signature bundle, not an attestation");
            continue;
          }
          byte[] bytes = store.blob(layer, limits.maxBlobBytes());
          OciJson.Top top = OciJson.scan(bytes, "Sigstore bundle " + layerWhat);
          if (!top.objects().contains("dsseEnvelope")) {
            if (top.objects().contains("messageSignature")) {
              skipped.add(layerWhat + " is a message-signature bundle, not an attestation");
              continue;
            }
            throw RegistryFailures.attachment(
                layerWhat + " is not a Sigstore bundle: it has neither dsseEnvelope nor messageSignature");
          }
          String predicateType =
              first(annotations.get(OciMedia.BUNDLE_PREDICATE_TYPE), layer.annotation(OciMedia.BUNDLE_PREDICATE_TYPE));
          found.add(new Attachment(source, type, artifactType, predicateType, bytes, m.digest()));
        } else if (type.equals(OciMedia.DSSE)) {
          byte[] bytes = store.blob(layer, limits.maxBlobBytes());
          AttachmentRules.requireEnvelope(bytes, layerWhat);
          String predicateType =
              first(layer.annotation(OciMedia.PREDICATE_TYPE), annotations.get(OciMedia.BUNDLE_PREDICATE_TYPE));
          found.add(new Attachment(source, type, artifactType, predicateType, bytes, m.digest()));
        } else if (OciMedia.isJson(type)) {
          byte[] bytes = store.blob(layer, limits.maxBlobBytes());
          OciJson.Top top = OciJson.scan(bytes, layerWhat);
          // a bare (unsigned) in-toto statement names its predicate type itself
          String predicateType = type.equals(OciMedia.IN_TOTO) ? top.strings().get("predicateType") : null;
          found.add(new Attachment(source, type, artifactType, predicateType, bytes, m.digest()));
        } else {
          skipped.add(layerWhat + ": media type " + type + " is not a JSON document");
        }
      }
    }

    private static String first(String a, String b) {
      return a != null ? a : b;
    }
  }
}
