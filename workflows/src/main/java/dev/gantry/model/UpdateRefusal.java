package dev.gantry.model;

import io.temporal.failure.ApplicationFailure;

/**
 * An update validator's "no" (wrong group, stale evidence bundle, not waiting): an expected
 * answer, not a fault. The Temporal SDK logs every {@code TemporalFailure} a validator throws as a
 * "Workflow execution failure" with its stack at WARN, although nothing failed; an exception that
 * is not a {@code TemporalFailure} rejects the update all the same without that log. So the
 * validator throws this one, and the typed, non-retryable {@link ApplicationFailure} it carries as
 * its cause reaches the caller inside it ({@link Failures#application} looks through it). It has no
 * stack trace of its own: there is no fault to trace.
 */
public final class UpdateRefusal extends RuntimeException {
  /** The type the SDK gives the outer failure: the class name, as for any non-Temporal exception. */
  public static final String TYPE = UpdateRefusal.class.getName();

  public UpdateRefusal(String type, String message) {
    super(message, ApplicationFailure.newNonRetryableFailure(message, type), false, false);
  }
}
