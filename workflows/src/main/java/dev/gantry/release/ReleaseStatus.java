package dev.gantry.release;

/** A release as a whole: in progress, promoted everywhere, or stopped at an environment. */
public enum ReleaseStatus {
  RESOLVING,
  IN_PROGRESS,
  PROMOTED,
  REJECTED,
  EXPIRED,
  SUPERSEDED,
  COMPENSATED,
  REFUSED,
  FAILED
}
