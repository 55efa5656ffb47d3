package dev.gantry.registry;

import dev.gantry.model.FailureTypes;
import io.temporal.failure.ApplicationFailure;

/** The failures the registry code raises, so every path classifies the same way. */
final class RegistryFailures {
  /** Retryable: the registry could not be reached or answered 5xx/429. */
  static final String UNAVAILABLE = FailureTypes.REGISTRY_UNAVAILABLE;

  /** Non-retryable: the registry refused a request for a reason retrying will not change. */
  static final String REJECTED = "RegistryRequestRejected";

  /** Non-retryable: an image layout directory is missing or not a valid layout. */
  static final String LAYOUT_INVALID = "OciLayoutInvalid";

  /**
   * Non-retryable: what is attached to an image is malformed, over a limit, does not match its
   * digest or loops back on itself.
   */
  static final String ATTACHMENT_REJECTED = "AttachmentRejected";

  private RegistryFailures() {}

  static ApplicationFailure notAllowed(String registry, Object allowed) {
    return ApplicationFailure.newNonRetryableFailure(
        "registry " + registry + " is not allowed; allowed registries: " + allowed,
        FailureTypes.REGISTRY_NOT_ALLOWED);
  }

  static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.INVALID_REFERENCE);
  }

  static ApplicationFailure auth(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.REGISTRY_AUTH);
  }

  static ApplicationFailure notFound(String what, boolean digest) {
    return ApplicationFailure.newNonRetryableFailure(
        what + " not found", digest ? FailureTypes.DIGEST_NOT_FOUND : FailureTypes.TAG_NOT_FOUND);
  }

  static ApplicationFailure unavailable(String message, Throwable cause) {
    return ApplicationFailure.newFailureWithCause(message, UNAVAILABLE, cause);
  }

  static ApplicationFailure rejected(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, REJECTED);
  }

  static ApplicationFailure attachment(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, ATTACHMENT_REJECTED);
  }

  static ApplicationFailure layout(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, LAYOUT_INVALID);
  }
}
