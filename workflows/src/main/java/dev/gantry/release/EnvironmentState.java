package dev.gantry.release;

public enum EnvironmentState {
  PENDING,
  /** A required gate has no evidence yet; waits for CI to upload it, up to the policy's evidence wait. */
  WAITING_FOR_EVIDENCE,
  WAITING_FOR_APPROVAL,
  PROMOTING,
  VERIFYING,
  PROMOTED,
  COMPENSATED,
  REJECTED,
  EXPIRED,
  SUPERSEDED,
  /** A gate refused the evidence (or it stayed missing): nothing was promoted. */
  REFUSED,
  FAILED;

  public boolean terminal() {
    return switch (this) {
      case PROMOTED, COMPENSATED, REJECTED, EXPIRED, SUPERSEDED, REFUSED, FAILED -> true;
      default -> false;
    };
  }
}
