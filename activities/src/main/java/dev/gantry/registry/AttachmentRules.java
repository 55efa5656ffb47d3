package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules every reader and writer of attachments keeps, whatever the store: the allow-list
 * before anything is sent, cosign's and the referrers tag schema's tag names, the referrers an
 * image lists (bounded), and a blob, envelope or layer list checked against its descriptor and the
 * limits. {@link Attachments} reads with them; {@link AttestationWriter} and the stores write and
 * list with them.
 */
final class AttachmentRules {
  private AttachmentRules() {}

  /** Checks the allow-list and the reference before anything is sent or read. */
  static ArtifactStore open(ImageRef ref, RegistrySettings settings, boolean write) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(settings, "settings");
    if (!settings.isAllowed(ref)) {
      throw RegistryFailures.notAllowed(ref.registry(), settings.allowed());
    }
    References.validate(ref);
    if (!Digests.isDigest(ref.reference())) {
      throw RegistryFailures.invalid(
          "attachments belong to a digest, not to the tag " + ref.reference() + " of "
              + ref.repository() + ": resolve the tag first");
    }
    return ArtifactStore.open(ref, settings, write);
  }

  /** The image manifest the attachments are about; {@code DigestNotFound} when absent. */
  static ArtifactStore.Manifest image(ArtifactStore store, String digest, Attachments.Limits limits) {
    ArtifactStore.Manifest image = store.manifest(digest, limits.maxManifestBytes());
    if (image == null) {
      throw RegistryFailures.notFound("digest " + digest + " in " + store.where(), true);
    }
    return image;
  }

  /** cosign's attestation tag: {@code sha256-<hex>.att}. */
  static String attTag(String digest) {
    return fallbackTag(digest) + ".att";
  }

  /** cosign's signature tag: {@code sha256-<hex>.sig}. */
  static String sigTag(String digest) {
    return fallbackTag(digest) + ".sig";
  }

  /** The referrers tag schema: {@code sha256-<hex>}. */
  static String fallbackTag(String digest) {
    return digest.replace(':', '-');
  }

  /**
   * The referrers of {@code digest} the store lists, else those of the fallback index (a layout:
   * both), each once, at most {@code maxReferrers}.
   */
  static List<Descriptor> listedReferrers(ArtifactStore store, String digest, Attachments.Limits limits) {
    List<Descriptor> all = new ArrayList<>();
    List<Descriptor> listed = store.referrers(digest, limits);
    if (listed != null) {
      all.addAll(listed);
    }
    if (listed == null || store instanceof LayoutStore) {
      String tag = fallbackTag(digest);
      ArtifactStore.Manifest index = store.manifest(tag, limits.maxManifestBytes());
      if (index != null) {
        String what = "referrers index " + tag + " in " + store.where() + " (" + index.digest() + ")";
        if (!index.isIndex()) {
          throw RegistryFailures.attachment(what + " is a " + index.mediaType() + ", not an image index");
        }
        addDescriptors(all, index.json(), what, limits);
      }
    }
    Map<String, Descriptor> once = new LinkedHashMap<>();
    for (Descriptor d : all) {
      once.putIfAbsent(d.digest(), d);
    }
    return List.copyOf(once.values());
  }

  /** Adds an index's manifests, refusing more than the referrer limit. */
  static void addDescriptors(List<Descriptor> into, JsonNode index, String what, Attachments.Limits limits) {
    JsonNode manifests = index.path("manifests");
    if (!manifests.isArray()) {
      throw RegistryFailures.attachment(what + " has no manifests array");
    }
    if (into.size() + manifests.size() > limits.maxReferrers()) {
      throw RegistryFailures.attachment(
          what + " lists " + (into.size() + manifests.size()) + " referrers, more than the limit of "
              + limits.maxReferrers());
    }
    int i = 0;
    for (JsonNode m : manifests) {
      into.add(Descriptor.parse(m, what + " manifests[" + i++ + "]"));
    }
  }

  /** The blob's bytes once they match the descriptor's size and digest. */
  static byte[] checkBlob(byte[] bytes, Descriptor descriptor, long maxBytes, String what) {
    if (bytes.length > maxBytes) {
      throw RegistryFailures.attachment(what + " is larger than the limit of " + maxBytes + " bytes");
    }
    String actual = OciMedia.sha256(bytes);
    if (!actual.equals(descriptor.digest())) {
      throw RegistryFailures.attachment(
          what + " does not match its digest: its content hashes to " + actual);
    }
    if (bytes.length != descriptor.size()) {
      throw RegistryFailures.attachment(
          what + " is " + bytes.length + " bytes but its descriptor says " + descriptor.size());
    }
    return bytes;
  }

  /** Refuses anything but a JSON object with string {@code payloadType} and {@code payload}. */
  static void requireEnvelope(byte[] content, String what) {
    OciJson.Top top = OciJson.scan(content, what);
    if (!top.strings().containsKey("payloadType") || !top.strings().containsKey("payload")) {
      throw RegistryFailures.attachment(
          what + " is not a DSSE envelope (a JSON object with string payloadType and payload)");
    }
  }

  /** The layers of an attachment manifest, at most {@code maxLayers}. */
  static List<Descriptor> layers(ArtifactStore.Manifest manifest, String what, Attachments.Limits limits) {
    JsonNode layers = manifest.json().path("layers");
    if (layers.size() > limits.maxLayers()) {
      throw RegistryFailures.attachment(
          what + " has " + layers.size() + " layers, more than the limit of " + limits.maxLayers());
    }
    List<Descriptor> out = new ArrayList<>();
    int i = 0;
    for (JsonNode layer : layers) {
      out.add(Descriptor.parse(layer, what + " layers[" + i++ + "]"));
    }
    return out;
  }

  /** The artifact type of a manifest: its {@code artifactType}, else its config's media type. */
  static String artifactType(JsonNode manifest) {
    JsonNode type = manifest.path("artifactType");
    return type.isTextual() ? type.asText() : manifest.path("config").path("mediaType").asText(null);
  }

}
