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
  static final String CREATED = "org.opencontainers.image.created";

  /** The empty descriptor's type and content ({@code {}}), the config of artifacts. */
  static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  static final byte[] EMPTY_JSON = {'{', '}'};

  // what cosign and Sigstore attach to images
  static final String DSSE = "application/vnd.dsse.envelope.v1+json";
  static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  static final String BUNDLE_PREFIX = "application/vnd.dev.sigstore.bundle";
  static final String IN_TOTO = "application/vnd.in-toto+json";
  static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  /** The artifactType cosign's {@code --registry-referrers-mode=oci-1-1} gives signatures. */
  static final String COSIGN_SIG_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json";
  static final String PREDICATE_TYPE = "predicateType";
  static final String BUNDLE_PREDICATE_TYPE = "dev.sigstore.bundle.predicateType";
  static final String BUNDLE_CONTENT = "dev.sigstore.bundle.content";

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

  /** Whether a media type names a JSON document ({@code application/json} or {@code …+json}). */
  static boolean isJson(String mediaType) {
    if (mediaType == null) {
      return false;
    }
    int semicolon = mediaType.indexOf(';');
    String type = (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon)).strip();
    return type.equals("application/json") || type.endsWith("+json");
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
