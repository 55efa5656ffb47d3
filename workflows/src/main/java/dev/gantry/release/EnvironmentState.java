package dev.gantry.release;

public enum EnvironmentState {
  PENDING,
  WAITING_FOR_APPROVAL,
  PROMOTING,
  VERIFYING,
  PROMOTED,
  COMPENSATED,
  REJECTED,
  EXPIRED,
  SUPERSEDED,
  FAILED;

  public boolean terminal() {
    return switch (this) {
      case PROMOTED, COMPENSATED, REJECTED, EXPIRED, SUPERSEDED, FAILED -> true;
      default -> false;
    };
  }
}
