package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.model.ImageRef;
import java.util.List;
import java.util.Map;

/**
 * One repository of a distribution registry, or one OCI image layout, seen as content-addressed
 * manifests and blobs: what reading and writing attachments needs. Every byte handed out has been
 * checked against its digest and a size limit.
 */
interface ArtifactStore extends AutoCloseable {

  /** A manifest or index with its digest, media type and parsed content. */
  record Manifest(byte[] bytes, String digest, String mediaType, JsonNode json) {
    Descriptor descriptor() {
      return new Descriptor(mediaType, digest, bytes.length, null, Map.of());
    }

    boolean isIndex() {
      return mediaType.equals(OciMedia.OCI_INDEX) || mediaType.equals(OciMedia.DOCKER_LIST);
    }

    boolean isImageManifest() {
      return (mediaType.equals(OciMedia.OCI_MANIFEST) || mediaType.equals(OciMedia.DOCKER_MANIFEST))
          && json.path("layers").isArray()
          && json.path("config").isObject();
    }
  }

  static ArtifactStore open(ImageRef ref, RegistrySettings settings, boolean write) {
    return ref.layout()
        ? new LayoutStore(ref)
        : new DistributionStore(ref, new RegistryHttp(settings), write);
  }

  /** {@code registry} or {@code layout}: the first half of an attachment's source. */
  String kind();

  /** The repository or directory, for messages. */
  String where();

  /**
   * The manifest a tag or digest names, or null when there is none. Refused when larger than
   * {@code maxBytes}, not JSON, or not of the digest asked for.
   */
  Manifest manifest(String reference, int maxBytes);

  /** A blob's bytes, refused unless they match the descriptor's size and digest. */
  byte[] blob(Descriptor descriptor, long maxBytes);

  /**
   * The referrers of {@code digest} as the store lists them itself (the registry's referrers API;
   * a layout's manifests with that subject), or null when it cannot list them (no referrers API:
   * the tag-schema fallback applies).
   */
  List<Descriptor> referrers(String digest, Attachments.Limits limits);

  /** Stores a blob unless it is there already. */
  void putBlob(byte[] content);

  /**
   * Stores a manifest under a tag, or under its digest when {@code tag} is null.
   *
   * @param descriptor the manifest's descriptor, with the artifactType and annotations a listing
   *     of it should carry
   * @return true when the store indexes the manifest's subject itself (a registry's
   *     {@code OCI-Subject} answer; a layout always), false when the tag-schema fallback index
   *     must list it
   */
  boolean putManifest(String tag, byte[] content, Descriptor descriptor);

  @Override
  void close();
}
