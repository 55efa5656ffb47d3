package dev.gantry.model;

import java.util.Objects;

/**
 * An image in a registry: {@code repository} is either {@code host[:port]/path} (OCI distribution)
 * or {@code oci:/absolute/dir} (an OCI image layout directory); {@code reference} is a tag or a
 * {@code sha256:} digest.
 */
public record ImageRef(String repository, String reference) {
  public static final String LAYOUT_PREFIX = "oci:";

  public ImageRef {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(reference, "reference");
  }

  public boolean layout() {
    return repository.startsWith(LAYOUT_PREFIX);
  }

  /** The registry part used for the allow-list: {@code host[:port]}, or {@code oci:<dir>}. */
  public String registry() {
    if (layout()) {
      return repository;
    }
    int slash = repository.indexOf('/');
    return slash < 0 ? repository : repository.substring(0, slash);
  }

  /** Repository path inside the registry (empty for a layout). */
  public String name() {
    if (layout()) {
      return "";
    }
    int slash = repository.indexOf('/');
    return slash < 0 ? "" : repository.substring(slash + 1);
  }

  @Override
  public String toString() {
    return Digests.isDigest(reference) ? repository + "@" + reference : repository + ":" + reference;
  }
}
