package dev.gantry.release;

import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.ReleaseRecord;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.ImageRef;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.Stubs;
import dev.gantry.model.Versions;
import dev.gantry.promotion.PromotionRequest;
import dev.gantry.promotion.PromotionResult;
import dev.gantry.promotion.PromotionWorkflow;
import dev.gantry.registry.RegistryActivities;
import dev.gantry.release.ReleaseState.Env;
import dev.gantry.signing.SignRequest;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The release: resolve the tag, record the release, then per environment in order: the tag check,
 * the gates, the approval wait, Gantry's signature and the promotion (a child workflow). What it
 * shows lives in {@link ReleaseState}; the evidence and the gates in {@link EvidenceStage}; who may
 * approve or reject, and what a decision changes, in {@link Decisions}. Those three are plain
 * parts of this workflow: they run on its thread, in the order it calls them.
 */
public class ReleaseWorkflowImpl implements ReleaseWorkflow {
  static final Duration HOLD_RECHECK = Duration.ofSeconds(5);

  private final RegistryActivities registry = Stubs.registry();
  private final CatalogActivities catalog = Stubs.catalog();

  private final ReleaseRequest request;
  private final ReleaseState release;
  private final EvidenceStage evidence;
  private final Decisions decisions;
  private int registrations;

  @WorkflowInit
  public ReleaseWorkflowImpl(ReleaseRequest request) {
    this.request = request;
    this.release = new ReleaseState(request);
    this.evidence = new EvidenceStage(release);
    this.decisions = new Decisions(release);
  }

  @Override
  public ReleaseView run(ReleaseRequest request) {
    String service = request.service().name();
    Workflow.upsertTypedSearchAttributes(
        SearchAttributes.SERVICE.valueSet(service),
        SearchAttributes.COMMIT.valueSet(request.commit()),
        SearchAttributes.STATUS.valueSet(release.status.name()));
    try {
      release.digest = registry.resolve(new ImageRef(request.service().image(), request.tag()));
    } catch (ActivityFailure f) {
      // bad input: the release never existed, so the catalog does not learn of it
      release.status = ReleaseStatus.FAILED;
      release.failureType = Failures.type(f);
      release.reason = "could not resolve " + request.service().image() + ":" + request.tag() + ": " + Failures.reason(f);
      Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(release.status.name()));
      Workflow.await(Workflow::isEveryHandlerFinished);
      // failing the run (not completing it) lets a corrected start reuse the id
      throw ApplicationFailure.newNonRetryableFailure(release.reason, release.failureType);
    }
    release.status = ReleaseStatus.IN_PROGRESS;
    Workflow.upsertTypedSearchAttributes(
        SearchAttributes.DIGEST.valueSet(release.digest), SearchAttributes.STATUS.valueSet(release.status.name()));
    recordRelease();
    release.gated = Versions.evidenceGates();
    if (release.gated) {
      evidence.gatherEvidence();
    }

    Env stoppedAt = null;
    for (Env env : release.environments.values()) {
      if (stoppedAt != null) {
        env.state = followOn(stoppedAt.state);
        env.reason = "not attempted: " + stoppedAt.spec.name() + " ended " + stoppedAt.state;
        continue;
      }
      runEnvironment(env);
      if (env.state != EnvironmentState.PROMOTED) {
        stoppedAt = env;
      }
    }
    release.status = stoppedAt == null ? ReleaseStatus.PROMOTED : ReleaseStatus.valueOf(stoppedAt.state.name());
    release.reason = stoppedAt == null ? null : stoppedAt.spec.name() + ": " + stoppedAt.reason;
    Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(release.status.name()));
    recordRelease();
    Workflow.await(Workflow::isEveryHandlerFinished);
    return view();
  }

  private static EnvironmentState followOn(EnvironmentState stopped) {
    return switch (stopped) {
      case REJECTED, EXPIRED, SUPERSEDED, REFUSED -> stopped;
      default -> EnvironmentState.FAILED;
    };
  }

  private void runEnvironment(Env env) {
    EnvironmentSpec spec = env.spec;
    Workflow.upsertTypedSearchAttributes(SearchAttributes.ENVIRONMENT.valueSet(spec.name()));

    // gate: the tag must still name the digest this release resolved; a moved tag fails closed
    try {
      String now = registry.resolve(new ImageRef(request.service().image(), request.tag()));
      if (!now.equals(release.digest)) {
        release.fail(env, "gate: tag " + request.tag() + " moved from " + release.digest + " to " + now + " since the release resolved it; refusing");
        return;
      }
    } catch (ActivityFailure f) {
      release.fail(env, "gate: could not re-resolve " + request.tag() + ": " + Failures.reason(f));
      return;
    }

    if (release.gated && !evidence.passGates(env)) {
      return;
    }

    if (!spec.automatic()) {
      env.state = EnvironmentState.WAITING_FOR_APPROVAL;
      env.reason = null;
      long deadline = Workflow.currentTimeMillis() + spec.approvalTimeout().toMillis();
      boolean decided = false;
      while (!decided) {
        int seen = evidence.evidenceVersion();
        Duration left = Duration.ofMillis(Math.max(0, deadline - Workflow.currentTimeMillis()));
        boolean woke =
            Workflow.await(
                left,
                () -> env.rejectedBy != null || env.approvals.size() >= spec.requiredApprovals() || (release.gated && evidence.evidenceVersion() != seen));
        if (env.rejectedBy != null) {
          return; // the rejection handler set state and reason
        }
        if (!woke) {
          env.state = EnvironmentState.EXPIRED;
          env.reason =
              "no decision within " + spec.approvalTimeout() + ": " + env.approvals.size() + " of "
                  + spec.requiredApprovals() + " approvals";
          return;
        }
        decided = env.approvals.size() >= spec.requiredApprovals();
        if (!decided && !evidence.reassessWhileWaiting(env)) {
          return;
        }
      }
    }
    if (release.gated && Versions.gantrySigning() && !signFor(env)) {
      return;
    }
    env.state = EnvironmentState.PENDING;
    env.reason = spec.automatic() ? null : "approved; waiting for its turn";

    PromotionWorkflow promotion =
        Workflow.newChildWorkflowStub(
            PromotionWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(PromotionWorkflow.workflowId(request.service().name(), spec.name(), request.commit()))
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .build());
    try {
      PromotionResult result =
          promotion.run(
              new PromotionRequest(
                  request.service().name(),
                  request.commit(),
                  release.digest,
                  Workflow.getInfo().getWorkflowId(),
                  spec,
                  env.approvals.stream().map(ApprovalView::by).toList(),
                  HOLD_RECHECK,
                  List.copyOf(env.approvals),
                  env.assessment == null ? null : env.assessment.bundleSha256(),
                  request.service().image()));
      env.state = result.outcome();
      env.gitCommit = result.gitCommit() != null ? result.gitCommit() : env.gitCommit;
      env.reason = result.reason();
    } catch (ChildWorkflowFailure f) {
      release.fail(env, "promotion failed: " + Failures.reason(f));
    }
  }

  /** Gantry's signature goes on before the digest is pinned, so whatever runs it is verifiably Gantry-approved. */
  private boolean signFor(Env env) {
    try {
      (Versions.shortApprovalPath() ? Stubs.signingLocal() : Stubs.signing()).sign(new SignRequest(release.ref(), env.spec.name(), env.assessment == null ? null : env.assessment.bundleSha256()));
      return true;
    } catch (ActivityFailure f) {
      release.fail(env, "signing failed: " + Failures.reason(f));
      return false;
    }
  }

  private void recordRelease() {
    catalog.recordRelease(
        new ReleaseRecord(
            request.service().name(),
            request.commit(),
            request.tag(),
            release.digest,
            request.author(),
            request.startedBy(),
            Workflow.getInfo().getWorkflowId(),
            release.status.name(),
            Instant.ofEpochMilli(Workflow.currentTimeMillis())));
  }

  // --- registration -------------------------------------------------------------------------

  @Override
  public Registered register(Registration registration) {
    boolean first = registrations++ == 0;
    Workflow.await(() -> release.digest != null || release.status == ReleaseStatus.FAILED);
    if (release.digest == null) {
      throw ApplicationFailure.newNonRetryableFailure(release.reason, release.failureType == null ? FailureTypes.REGISTRY_UNAVAILABLE : release.failureType);
    }
    if (registration.tag() != null && !registration.tag().equals(request.tag())) {
      String other;
      try {
        other = registry.resolve(new ImageRef(request.service().image(), registration.tag()));
      } catch (ActivityFailure f) {
        throw ApplicationFailure.newNonRetryableFailure(Failures.reason(f), Failures.type(f));
      }
      if (!other.equals(release.digest)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "commit " + request.commit() + " is already released as " + release.digest + " (tag " + request.tag()
                + "); tag " + registration.tag() + " resolves to " + other,
            FailureTypes.DIGEST_CONFLICT);
      }
    }
    return new Registered(first, view());
  }

  // --- decisions: the rules and their bookkeeping are in Decisions --------------------------

  @Override
  public void validateApprove(Decision decision) {
    decisions.refuseIfNeeded(decision, true);
  }

  @Override
  public void validateReject(Decision decision) {
    decisions.refuseIfNeeded(decision, false);
  }

  @Override
  public EnvironmentView approve(Decision decision) {
    return decisions.approve(decision);
  }

  @Override
  public EnvironmentView reject(Decision decision) {
    return decisions.reject(decision);
  }

  @Override
  public void approveSignal(Decision decision) {
    decisions.onSignal(decision, true);
  }

  @Override
  public void rejectSignal(Decision decision) {
    decisions.onSignal(decision, false);
  }

  // --- what the release is told, and what it shows -------------------------------------------

  @Override
  public void evidenceAdded() {
    evidence.evidenceAdded();
  }

  @Override
  public void promotionProgress(PromotionProgress progress) {
    release.promotionProgress(progress);
  }

  @Override
  public ReleaseView view() {
    return release.view();
  }
}
