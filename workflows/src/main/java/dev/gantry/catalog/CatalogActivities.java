package dev.gantry.catalog;

import io.temporal.activity.ActivityInterface;

/**
 * The PostgreSQL catalog: what is queried across releases. Written only by activities; every
 * write is idempotent so retries write once.
 */
@ActivityInterface
public interface CatalogActivities {

  void recordRelease(ReleaseRecord release);

  /** Appends or updates a history entry and moves current / last known good accordingly. */
  void recordPromotion(PromotionRecord promotion);

  /** Never null: an environment with no history has null digests. */
  EnvironmentRecord environment(String service, String environment);

  /**
   * The last known good that a failed promotion of {@code failedDigest} falls back to: the newest
   * digest verified healthy in the environment that is not {@code failedDigest}; null when there
   * is none.
   */
  RollbackTarget lastKnownGood(String service, String environment, String failedDigest);

  /**
   * The digest a rollback pins: {@code digest} if it was verified healthy there before (else
   * non-retryable {@code NotPromotedHere}); without one, the last known good before the current
   * digest (else non-retryable {@code NoRollbackTarget}).
   */
  RollbackTarget rollbackTarget(String service, String environment, String digest);

  void setHold(String service, String environment, Hold hold);
}
