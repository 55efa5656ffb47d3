package dev.gantry.audit;

import io.temporal.activity.ActivityInterface;

/**
 * The audit log: append-only and hash-chained. Each record is stored content-addressed in the
 * object store as canonical JSON (RFC 8785) naming the sha256 of the record before it.
 */
@ActivityInterface
public interface AuditActivities {

  /**
   * Appends the event (once: a retry with the same id returns the first record).
   *
   * @return {@code sha256:<hex>} of the stored record
   */
  String append(AuditEvent event);
}
