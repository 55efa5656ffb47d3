package dev.gantry.registry;

import java.util.Arrays;
import java.util.Objects;

/**
 * One document attached to an image: a DSSE envelope, a Sigstore bundle, or a plain JSON artifact
 * such as an SBOM.
 *
 * @param source {@code registry:att} / {@code layout:att} (a cosign {@code .att} tag) or {@code
 *     registry:referrer} / {@code layout:referrer} (an OCI 1.1 referrer, from the referrers API,
 *     the {@code sha256-<hex>} fallback index or a layout's {@code index.json})
 * @param mediaType the layer's media type, e.g. {@code application/vnd.dsse.envelope.v1+json}
 * @param artifactType the referrer manifest's artifact type; null for {@code .att} layers
 * @param predicateType the in-toto predicate type its annotations (or, for a bare in-toto
 *     statement, the statement) name; null when none is named
 * @param content the layer's bytes, checked against the layer digest
 * @param manifestDigest the manifest the layer belongs to
 */
public record Attachment(
    String source,
    String mediaType,
    String artifactType,
    String predicateType,
    byte[] content,
    String manifestDigest) {

  public Attachment {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(manifestDigest, "manifestDigest");
    content = Objects.requireNonNull(content, "content").clone();
  }

  /** A copy: the record stays immutable. */
  @Override
  public byte[] content() {
    return content.clone();
  }

  /** {@code sha256:<hex>} of the content (the layer digest). */
  public String contentDigest() {
    return OciMedia.sha256(content);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attachment a
        && source.equals(a.source)
        && mediaType.equals(a.mediaType)
        && Objects.equals(artifactType, a.artifactType)
        && Objects.equals(predicateType, a.predicateType)
        && Arrays.equals(content, a.content)
        && manifestDigest.equals(a.manifestDigest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, mediaType, artifactType, predicateType, manifestDigest)
        * 31 + Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    return "Attachment[" + source + " " + mediaType
        + (artifactType == null ? "" : " artifactType=" + artifactType)
        + (predicateType == null ? "" : " predicateType=" + predicateType)
        + " " + content.length + " bytes of " + manifestDigest + "]";
  }
}
