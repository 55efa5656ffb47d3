package dev.gantry.registry;

import dev.gantry.model.ImageRef;
import io.temporal.activity.ActivityInterface;

/**
 * Reads an OCI registry (distribution API or an image layout directory). A reference to a registry
 * that is not in {@code gantry.registries.allowed} is refused before any network call.
 */
@ActivityInterface
public interface RegistryActivities {

  /**
   * Resolves a tag to the digest of its manifest (or index).
   *
   * @return {@code sha256:<64 hex>}
   * @throws io.temporal.failure.ApplicationFailure non-retryable {@code RegistryNotAllowed},
   *     {@code TagNotFound}, {@code InvalidReference}, {@code RegistryAuthenticationFailed};
   *     transport failures are retryable
   */
  String resolve(ImageRef ref);

  /** Whether a manifest with this digest is still present in the repository. */
  boolean exists(ImageRef ref);
}
