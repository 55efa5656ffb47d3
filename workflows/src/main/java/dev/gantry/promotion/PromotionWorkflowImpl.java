package dev.gantry.promotion;

import dev.gantry.audit.AuditActivities;
import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.EnvironmentRecord;
import dev.gantry.catalog.RollbackTarget;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.gitops.GitChange;
import dev.gantry.gitops.GitOpsActivities;
import dev.gantry.gitops.PinRequest;
import dev.gantry.health.HealthActivities;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.Failures;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.Stubs;
import dev.gantry.model.Versions;
import dev.gantry.release.EnvironmentState;
import dev.gantry.signing.ReverifyRequest;
import dev.gantry.signing.SigningActivities;
import dev.gantry.signing.SummaryRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * One promotion into one environment: wait for the lane (and any hold), pin the digest through
 * GitOps, wait until it is live, healthy and soaked, attest it; on failure the saga pins last known
 * good again. What it writes down is in {@link PromotionRecords}; what it tells the release, in
 * {@link ProgressReports}. Both are plain parts of this workflow, called where each step belongs.
 */
public class PromotionWorkflowImpl implements PromotionWorkflow {
  private static final Logger log = Workflow.getLogger(PromotionWorkflowImpl.class);
  private static final Duration MAX_HOLD_RECHECK = Duration.ofMinutes(1);

  private final CatalogActivities catalog = Stubs.catalog();
  private final LaneActivities lane = Stubs.lane();
  private final AuditActivities audit = Stubs.audit();
  private final SigningActivities signing = Stubs.signing();

  private boolean shortPath;
  private boolean granted;
  private String supersededBy;
  private PromotionRequest request;
  private String id;
  private ProgressReports reports;
  private PromotionRecords records;

  @Override
  public PromotionResult run(PromotionRequest request) {
    this.request = request;
    this.shortPath = Versions.shortApprovalPath();
    this.id = Workflow.getInfo().getWorkflowId() + "/" + Workflow.getInfo().getRunId();
    this.reports = new ProgressReports(request, shortPath);
    this.records = new PromotionRecords(request, id, catalog, audit);
    EnvironmentSpec env = request.environment();
    Workflow.upsertTypedSearchAttributes(
        SearchAttributes.SERVICE.valueSet(request.service()),
        SearchAttributes.COMMIT.valueSet(request.commit()),
        SearchAttributes.DIGEST.valueSet(request.digest()),
        SearchAttributes.ENVIRONMENT.valueSet(env.name()),
        SearchAttributes.STATUS.valueSet(EnvironmentState.PENDING.name()));

    String laneId = PromotionLaneWorkflow.workflowId(request.service(), env.name());
    while (true) {
      if (!shortPath) {
        waitWhileHeld(null);
      }
      (shortPath ? Stubs.laneLocal() : lane).enqueue(
          laneId,
          new LaneRequest(
              Workflow.getInfo().getWorkflowId(),
              request.commit(),
              env.liveTimeout().plus(env.soakTime()).plusMinutes(30)));
      Workflow.await(() -> granted || supersededBy != null);
      if (supersededBy != null) {
        return finish(
            new PromotionResult(
                EnvironmentState.SUPERSEDED,
                null,
                null,
                "superseded by the newer release " + supersededBy + " queued for " + env.name()));
      }
      // a hold may have been set while this promotion queued
      EnvironmentRecord now = holds().environment(request.service(), env.name());
      if (now.hold() == null) {
        break;
      }
      granted = false;
      leaveLane(laneId);
      if (shortPath) {
        waitWhileHeld(now);
      }
    }
    try {
      return finish(promote());
    } finally {
      Workflow.newDetachedCancellationScope(() -> leaveLane(laneId)).run();
    }
  }

  private CatalogActivities holds() {
    return shortPath ? Stubs.catalogLocal() : catalog;
  }

  /** Sleeps, with backoff, until the environment has no hold; {@code known} is a record just read. */
  private void waitWhileHeld(EnvironmentRecord known) {
    Duration recheck = request.holdRecheck();
    EnvironmentRecord record = known;
    while (true) {
      if (record == null) {
        record = holds().environment(request.service(), request.environment().name());
      }
      if (record.hold() == null) {
        return;
      }
      reports.progress(
          EnvironmentState.PENDING,
          null,
          "held by " + record.hold().by() + ": " + record.hold().reason() + " (promotion waits until the hold is cleared)");
      Workflow.sleep(recheck);
      recheck = recheck.multipliedBy(2).compareTo(MAX_HOLD_RECHECK) > 0 ? MAX_HOLD_RECHECK : recheck.multipliedBy(2);
      record = null;
    }
  }

  private PromotionResult promote() {
    EnvironmentSpec env = request.environment();
    long startedAt = Workflow.currentTimeMillis();
    reports.progress(EnvironmentState.PROMOTING, null, null);

    Map<String, String> trailers = new LinkedHashMap<>();
    trailers.put("Gantry-Promotion", id);
    trailers.put("Gantry-Release", request.commit());
    GitOpsActivities gitops = Stubs.gitops(env.gitops().outage());
    GitChange change;
    try {
      change =
          gitops.pin(
              new PinRequest(
                  env.gitops(),
                  request.digest(),
                  "Promote " + request.service() + " " + shortCommit(request.commit()) + " to " + env.name(),
                  trailers));
    } catch (ActivityFailure f) {
      // nothing reached git: a pin either pushes or fails
      // retries stop when the next one would pass the schedule-to-close limit: the outage limit
      String reason = (f.getRetryState() == io.temporal.api.enums.v1.RetryState.RETRY_STATE_TIMEOUT
              || f.getCause() instanceof io.temporal.failure.TimeoutFailure
              ? "GitOps change failed: the remote refused or was out of reach for longer than the outage limit "
                  + env.gitops().outage() + "; last: "
              : "GitOps change failed: ")
          + Failures.reason(f);
      records.record(EnvironmentState.FAILED, null, reason);
      return new PromotionResult(EnvironmentState.FAILED, null, null, reason);
    }

    Saga saga = new Saga(new Saga.Options.Builder().build());
    records.record(EnvironmentState.VERIFYING, change.commit(), null);
    final GitChange pinned = change;
    Compensation[] compensation = new Compensation[1];
    saga.addCompensation(() -> compensation[0] = compensate(pinned, startedAt));
    try {
      reports.progress(EnvironmentState.VERIFYING, change.commit(), null);
      HealthActivities health = Stubs.health(env.liveTimeout().compareTo(env.soakTime()) > 0 ? env.liveTimeout() : env.soakTime());
      health.awaitLive(env.healthUrl(), request.digest(), env.liveTimeout(), env.pollInterval());
      if (!env.soakTime().isZero()) {
        health.soak(env.healthUrl(), request.digest(), env.soakTime(), env.pollInterval());
      }
      if (Versions.verifiedRollbacks() && request.image() != null) {
        // the summary is what rollbacks and admission check later: without it the promotion does not count
        signing.attestVerified(
            new SummaryRequest(
                new ReleaseRef(request.service(), request.commit(), request.image(), request.digest()),
                env.name(),
                request.evidenceBundle(),
                id,
                now()));
      }
      records.record(EnvironmentState.PROMOTED, change.commit(), null);
      return new PromotionResult(EnvironmentState.PROMOTED, change.commit(), null, null);
    } catch (ActivityFailure | CanceledFailure f) {
      String reason = "verification failed: " + Failures.reason(f);
      log.warn("promotion {} failed after the push, compensating: {}", id, reason);
      records.record(EnvironmentState.FAILED, change.commit(), reason);
      Workflow.newDetachedCancellationScope(saga::compensate).run();
      Compensation done = compensation[0] == null ? new Compensation(null, "nothing to put back") : compensation[0];
      return new PromotionResult(
          EnvironmentState.COMPENSATED, change.commit(), done.gitCommit(), reason + "; " + done.summary());
    }
  }

  private record Compensation(String gitCommit, String summary) {}

  /** Pins last known good again (or the file's previous digest when there is none). */
  private Compensation compensate(GitChange failed, long promotionStartedAt) {
    EnvironmentSpec env = request.environment();
    EnvironmentRecord now = catalog.environment(request.service(), env.name());
    if (now.hold() != null && now.hold().at() != null && now.hold().at().toEpochMilli() >= promotionStartedAt) {
      // a rollback started after this promotion owns the environment now
      String why = "left to " + now.hold().by() + "'s hold set during the promotion";
      records.recordCompensation(null, null, null, why);
      return new Compensation(null, why);
    }
    RollbackTarget lkg = catalog.lastKnownGood(request.service(), env.name(), request.digest());
    String restore = lkg != null ? lkg.digest() : failed.previousDigest();
    if (restore == null || restore.equals(request.digest())) {
      String why = "no earlier digest to put back";
      records.recordCompensation(null, null, null, why);
      return new Compensation(null, why);
    }
    if (Versions.verifiedRollbacks() && request.image() != null) {
      try {
        signing.reverify(
            new ReverifyRequest(
                new ReleaseRef(request.service(), lkg != null ? lkg.commit() : null, request.image(), restore),
                env.name(),
                env.evidence().signature()));
      } catch (ActivityFailure f) {
        String why = "did not put back " + restore + ": " + Failures.reason(f) + "; " + request.digest()
            + " stays pinned until a person rolls back";
        records.recordCompensation(null, null, null, why);
        return new Compensation(null, why);
      }
    }
    Map<String, String> trailers = new LinkedHashMap<>();
    trailers.put("Gantry-Compensates", id);
    GitChange back =
        Stubs.gitops(env.gitops().outage()).pin(
            new PinRequest(
                env.gitops(),
                restore,
                "Put back " + (lkg != null ? "last known good" : "the previous digest") + " of " + request.service()
                    + " in " + env.name() + " after a failed promotion of " + shortCommit(request.commit()),
                trailers));
    String what = (lkg != null ? "last known good " : "previous digest ") + restore + " pinned again in " + back.commit();
    records.recordCompensation(restore, lkg == null ? null : lkg.commit(), back.commit(), what);
    return new Compensation(back.commit(), what);
  }

  private PromotionResult finish(PromotionResult result) {
    reports.progress(result.outcome(), result.gitCommit(), result.reason());
    reports.settle();
    return result;
  }

  private void leaveLane(String laneId) {
    try {
      Workflow.newExternalWorkflowStub(PromotionLaneWorkflow.class, laneId).leave(Workflow.getInfo().getWorkflowId());
    } catch (RuntimeException e) {
      log.warn("could not leave lane {}: {}", laneId, e.getMessage());
    }
  }

  @Override
  public void granted() {
    granted = true;
  }

  @Override
  public void superseded(String byCommit) {
    if (!granted) {
      supersededBy = byCommit;
    }
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  private static String shortCommit(String commit) {
    return commit.length() > 12 ? commit.substring(0, 12) : commit;
  }
}
