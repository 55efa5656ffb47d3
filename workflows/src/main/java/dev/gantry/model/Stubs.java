package dev.gantry.model;

import static dev.gantry.model.FailureTypes.EVALUATION_REFUSED;
import static dev.gantry.model.FailureTypes.EVIDENCE_INVALID;

import dev.gantry.audit.AuditActivities;
import dev.gantry.catalog.CatalogActivities;
import dev.gantry.evidence.EvaluationActivities;
import dev.gantry.evidence.EvidenceActivities;
import dev.gantry.gitops.GitOpsActivities;
import dev.gantry.health.HealthActivities;
import dev.gantry.promotion.LaneActivities;
import dev.gantry.registry.RegistryActivities;
import dev.gantry.signing.SigningActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Activity stubs with their timeouts and retries, in one place. Transport failures retry with
 * backoff until the schedule-to-close limit; policy failures are non-retryable where raised.
 */
public final class Stubs {
  private Stubs() {}

  private static RetryOptions backoff(Duration maxInterval) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofMillis(500))
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(maxInterval)
        .build();
  }

  public static RegistryActivities registry() {
    return Workflow.newActivityStub(
        RegistryActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(Duration.ofMinutes(5))
            .setRetryOptions(backoff(Duration.ofSeconds(30)))
            .build());
  }

  public static CatalogActivities catalog() {
    return Workflow.newActivityStub(
        CatalogActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(15))
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(backoff(Duration.ofSeconds(30)))
            .build());
  }

  public static AuditActivities audit() {
    return Workflow.newActivityStub(
        AuditActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(15))
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(backoff(Duration.ofSeconds(30)))
            .build());
  }

  public static GitOpsActivities gitops() {
    return gitops(GitOpsTarget.DEFAULT_OUTAGE_LIMIT);
  }

  /** A GitOps change retried with backoff for at most {@code outageLimit} (the environment's). */
  public static GitOpsActivities gitops(Duration outageLimit) {
    return Workflow.newActivityStub(
        GitOpsActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2).compareTo(outageLimit) < 0 ? Duration.ofMinutes(2) : outageLimit)
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setScheduleToCloseTimeout(outageLimit)
            .setRetryOptions(backoff(Duration.ofSeconds(30)))
            .build());
  }

  /**
   * Health polls run as long as the environment's policy allows, heartbeating each poll. Retries
   * are bounded by time, not by count: a worker shutting down fails its running polls and the
   * server may hand the retries straight back to it, so one SIGTERM can spend several attempts.
   * The polls' own deadline survives retries (heartbeat details), so late attempts end quickly.
   */
  public static HealthActivities health(Duration longest) {
    return Workflow.newActivityStub(
        HealthActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(longest.plusMinutes(1))
            .setScheduleToCloseTimeout(longest.plusMinutes(10))
            .setHeartbeatTimeout(Duration.ofSeconds(30))
            .setRetryOptions(backoff(Duration.ofSeconds(10)))
            .build());
  }

  /** Collecting and judging evidence parses untrusted documents: bounded, and a bad one never retries. */
  public static EvidenceActivities evidence() {
    return Workflow.newActivityStub(
        EvidenceActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(
                RetryOptions.newBuilder(backoff(Duration.ofSeconds(30)))
                    .setDoNotRetry(EVIDENCE_INVALID)
                    .build())
            .build());
  }

  /**
   * Retries share one budget, the evaluation's timeout. No heartbeat timeout: nothing heartbeats
   * while the activity waits for the evaluator's callback.
   */
  public static EvaluationActivities evaluation(Duration timeout) {
    return Workflow.newActivityStub(
        EvaluationActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(timeout)
            .setScheduleToCloseTimeout(timeout)
            .setRetryOptions(
                RetryOptions.newBuilder(backoff(Duration.ofSeconds(10)))
                    .setDoNotRetry(EVALUATION_REFUSED)
                    .build())
            .build());
  }

  /** Writes to the registry: transport failures retry; a refused write does not. */
  public static SigningActivities signing() {
    return Workflow.newActivityStub(
        SigningActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(1))
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(backoff(Duration.ofSeconds(30)))
            .build());
  }

  public static LaneActivities lane() {
    return Workflow.newActivityStub(
        LaneActivities.class,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(10))
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(backoff(Duration.ofSeconds(10)))
            .build());
  }

  // --- local activities: short calls on the approval path, run inside the workflow task ------

  private static LocalActivityOptions local(Duration startToClose, Duration scheduleToClose, Duration maxInterval) {
    return LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setScheduleToCloseTimeout(scheduleToClose)
        .setRetryOptions(backoff(maxInterval))
        .build();
  }

  /** The catalog read a promotion makes before it pins (is there a hold?), as {@link #catalog()}. */
  public static CatalogActivities catalogLocal() {
    return Workflow.newLocalActivityStub(
        CatalogActivities.class, local(Duration.ofSeconds(15), Duration.ofMinutes(10), Duration.ofSeconds(30)));
  }

  /** Joining the lane, as {@link #lane()}. */
  public static LaneActivities laneLocal() {
    return Workflow.newLocalActivityStub(
        LaneActivities.class, local(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofSeconds(10)));
  }

  /** Gantry's signature after an approval, as {@link #signing()}: idempotent, so a re-run after a crash adds nothing. */
  public static SigningActivities signingLocal() {
    return Workflow.newLocalActivityStub(
        SigningActivities.class, local(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofSeconds(30)));
  }
}
