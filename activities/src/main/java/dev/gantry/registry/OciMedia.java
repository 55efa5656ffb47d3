package dev.gantry.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/** Media types and digests of the OCI image and Docker v2 formats. */
final class OciMedia {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String REF_NAME = "org.opencontainers.image.ref.name";

  static final Set<String> MANIFEST_TYPES =
      Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

  /** Accept header for manifests: without it registries may convert to schema 1 or refuse. */
  static final String ACCEPT = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

  /** Manifests larger than this are refused (the distribution spec's recommended limit). */
  static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  private OciMedia() {}

  static String sha256(byte[] data) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  /** Whether a parsed JSON document is an image manifest or index, by media type or shape. */
  static boolean isManifest(JsonNode json) {
    if (json == null || !json.isObject() || json.path("schemaVersion").asInt() != 2) {
      return false;
    }
    String mediaType = json.path("mediaType").asText("");
    if (!mediaType.isEmpty()) {
      return MANIFEST_TYPES.contains(mediaType);
    }
    // mediaType is optional in OCI manifests; the fields tell them apart
    return (json.has("config") && json.has("layers")) || json.has("manifests");
  }

  /** The media type of a manifest document, falling back on its shape. */
  static String mediaTypeOf(JsonNode json) {
    String mediaType = json.path("mediaType").asText("");
    if (!mediaType.isEmpty()) {
      return mediaType;
    }
    return json.has("manifests") ? OCI_INDEX : OCI_MANIFEST;
  }
}
