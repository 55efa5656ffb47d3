package dev.gantry.release;

import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.ReleaseRecord;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.ImageRef;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.Stubs;
import dev.gantry.promotion.PromotionRequest;
import dev.gantry.promotion.PromotionResult;
import dev.gantry.promotion.PromotionWorkflow;
import dev.gantry.registry.RegistryActivities;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

public class ReleaseWorkflowImpl implements ReleaseWorkflow {
  private static final Logger log = Workflow.getLogger(ReleaseWorkflowImpl.class);
  static final Duration HOLD_RECHECK = Duration.ofSeconds(5);

  private final RegistryActivities registry = Stubs.registry();
  private final CatalogActivities catalog = Stubs.catalog();

  private final ReleaseRequest request;
  private final Map<String, Env> environments = new LinkedHashMap<>();
  private final List<RefusedDecision> refused = new ArrayList<>();
  private String digest;
  private ReleaseStatus status = ReleaseStatus.RESOLVING;
  private String reason;
  private String failureType;
  private int registrations;

  /** Mutable per-environment state; {@link EnvironmentView} is its snapshot. */
  private static final class Env {
    final EnvironmentSpec spec;
    EnvironmentState state = EnvironmentState.PENDING;
    final List<ApprovalView> approvals = new ArrayList<>();
    String gitCommit;
    String reason;
    String rejectedBy;

    Env(EnvironmentSpec spec) {
      this.spec = spec;
    }
  }

  @WorkflowInit
  public ReleaseWorkflowImpl(ReleaseRequest request) {
    this.request = request;
    for (EnvironmentSpec spec : request.service().environments()) {
      environments.put(spec.name(), new Env(spec));
    }
  }

  @Override
  public ReleaseView run(ReleaseRequest request) {
    String service = request.service().name();
    Workflow.upsertTypedSearchAttributes(
        SearchAttributes.SERVICE.valueSet(service),
        SearchAttributes.COMMIT.valueSet(request.commit()),
        SearchAttributes.STATUS.valueSet(status.name()));
    try {
      digest = registry.resolve(new ImageRef(request.service().image(), request.tag()));
    } catch (ActivityFailure f) {
      // bad input: the release never existed, so the catalog does not learn of it
      status = ReleaseStatus.FAILED;
      failureType = Failures.type(f);
      reason = "could not resolve " + request.service().image() + ":" + request.tag() + ": " + Failures.reason(f);
      Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(status.name()));
      Workflow.await(Workflow::isEveryHandlerFinished);
      // failing the run (not completing it) lets a corrected start reuse the id
      throw ApplicationFailure.newNonRetryableFailure(reason, failureType);
    }
    status = ReleaseStatus.IN_PROGRESS;
    Workflow.upsertTypedSearchAttributes(
        SearchAttributes.DIGEST.valueSet(digest), SearchAttributes.STATUS.valueSet(status.name()));
    recordRelease();

    Env stoppedAt = null;
    for (Env env : environments.values()) {
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
    status = stoppedAt == null ? ReleaseStatus.PROMOTED : ReleaseStatus.valueOf(stoppedAt.state.name());
    reason = stoppedAt == null ? null : stoppedAt.spec.name() + ": " + stoppedAt.reason;
    Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(status.name()));
    recordRelease();
    Workflow.await(Workflow::isEveryHandlerFinished);
    return view();
  }

  private static EnvironmentState followOn(EnvironmentState stopped) {
    return switch (stopped) {
      case REJECTED, EXPIRED, SUPERSEDED -> stopped;
      default -> EnvironmentState.FAILED;
    };
  }

  private void runEnvironment(Env env) {
    EnvironmentSpec spec = env.spec;
    Workflow.upsertTypedSearchAttributes(SearchAttributes.ENVIRONMENT.valueSet(spec.name()));

    // gate: the tag must still name the digest this release resolved; a moved tag fails closed
    try {
      String now = registry.resolve(new ImageRef(request.service().image(), request.tag()));
      if (!now.equals(digest)) {
        fail(env, "gate: tag " + request.tag() + " moved from " + digest + " to " + now + " since the release resolved it; refusing");
        return;
      }
    } catch (ActivityFailure f) {
      fail(env, "gate: could not re-resolve " + request.tag() + ": " + Failures.reason(f));
      return;
    }

    if (!spec.automatic()) {
      env.state = EnvironmentState.WAITING_FOR_APPROVAL;
      env.reason = null;
      boolean decided =
          Workflow.await(
              spec.approvalTimeout(),
              () -> env.rejectedBy != null || env.approvals.size() >= spec.requiredApprovals());
      if (env.rejectedBy != null) {
        return; // the rejection handler set state and reason
      }
      if (!decided) {
        env.state = EnvironmentState.EXPIRED;
        env.reason =
            "no decision within " + spec.approvalTimeout() + ": " + env.approvals.size() + " of "
                + spec.requiredApprovals() + " approvals";
        return;
      }
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
                  digest,
                  Workflow.getInfo().getWorkflowId(),
                  spec,
                  env.approvals.stream().map(ApprovalView::by).toList(),
                  HOLD_RECHECK,
                  List.copyOf(env.approvals)));
      env.state = result.outcome();
      env.gitCommit = result.gitCommit() != null ? result.gitCommit() : env.gitCommit;
      env.reason = result.reason();
    } catch (ChildWorkflowFailure f) {
      fail(env, "promotion failed: " + Failures.reason(f));
    }
  }

  private void fail(Env env, String why) {
    env.state = EnvironmentState.FAILED;
    env.reason = why;
    log.warn("release {} {}: {}", request.commit(), env.spec.name(), why);
  }

  private void recordRelease() {
    catalog.recordRelease(
        new ReleaseRecord(
            request.service().name(),
            request.commit(),
            request.tag(),
            digest,
            request.author(),
            request.startedBy(),
            Workflow.getInfo().getWorkflowId(),
            status.name(),
            Instant.ofEpochMilli(Workflow.currentTimeMillis())));
  }

  // --- registration -------------------------------------------------------------------------

  @Override
  public Registered register(Registration registration) {
    boolean first = registrations++ == 0;
    Workflow.await(() -> digest != null || status == ReleaseStatus.FAILED);
    if (digest == null) {
      throw ApplicationFailure.newNonRetryableFailure(reason, failureType == null ? FailureTypes.REGISTRY_UNAVAILABLE : failureType);
    }
    if (registration.tag() != null && !registration.tag().equals(request.tag())) {
      String other;
      try {
        other = registry.resolve(new ImageRef(request.service().image(), registration.tag()));
      } catch (ActivityFailure f) {
        throw ApplicationFailure.newNonRetryableFailure(Failures.reason(f), Failures.type(f));
      }
      if (!other.equals(digest)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "commit " + request.commit() + " is already released as " + digest + " (tag " + request.tag()
                + "); tag " + registration.tag() + " resolves to " + other,
            FailureTypes.DIGEST_CONFLICT);
      }
    }
    return new Registered(first, view());
  }

  // --- decisions ----------------------------------------------------------------------------

  private record Refusal(String type, String message) {}

  private Refusal check(Decision d, boolean approval) {
    Env env = d.environment() == null ? null : environments.get(d.environment());
    if (env == null) {
      return new Refusal(FailureTypes.UNKNOWN_ENVIRONMENT,
          "release " + request.service().name() + " has no environment " + d.environment() + "; it has " + environments.keySet());
    }
    EnvironmentSpec spec = env.spec;
    if (env.state != EnvironmentState.WAITING_FOR_APPROVAL) {
      return new Refusal(FailureTypes.NOT_WAITING,
          spec.name() + " is " + env.state + ", not waiting for approval" + (env.reason == null ? "" : " (" + env.reason + ")"));
    }
    boolean member = d.groups() != null ? d.groups().contains(spec.approverGroup()) : spec.approvers().contains(d.by());
    if (!member) {
      return new Refusal(FailureTypes.NOT_APPROVER,
          d.by() + " is not in group " + spec.approverGroup() + ", which decides for " + spec.name());
    }
    if (approval && d.by().equals(request.author())) {
      return new Refusal(FailureTypes.SELF_APPROVAL, d.by() + " wrote commit " + request.commit() + " and may not approve its release");
    }
    if (approval && d.by().equals(request.startedBy())) {
      return new Refusal(FailureTypes.SELF_APPROVAL, d.by() + " started this release and may not approve it");
    }
    if (approval && env.approvals.stream().anyMatch(a -> a.by().equals(d.by()))) {
      return new Refusal(FailureTypes.DUPLICATE_APPROVAL, d.by() + " already approved " + spec.name() + "; each approver counts once");
    }
    return null;
  }

  private void refuseIfNeeded(Decision d, boolean approval) {
    Refusal r = check(d, approval);
    if (r != null) {
      throw ApplicationFailure.newNonRetryableFailure(r.message(), r.type());
    }
  }

  @Override
  public void validateApprove(Decision decision) {
    refuseIfNeeded(decision, true);
  }

  @Override
  public void validateReject(Decision decision) {
    refuseIfNeeded(decision, false);
  }

  @Override
  public EnvironmentView approve(Decision decision) {
    Env env = environments.get(decision.environment());
    applyApproval(env, decision);
    // answer with the state after the main loop reacted (quorum moves it on)
    Workflow.await(() -> env.state != EnvironmentState.WAITING_FOR_APPROVAL || env.approvals.size() < env.spec.requiredApprovals());
    return snapshot(env);
  }

  @Override
  public EnvironmentView reject(Decision decision) {
    Env env = environments.get(decision.environment());
    applyRejection(env, decision);
    return snapshot(env);
  }

  @Override
  public void approveSignal(Decision decision) {
    onSignal(decision, true);
  }

  @Override
  public void rejectSignal(Decision decision) {
    onSignal(decision, false);
  }

  /** Signals cannot be refused to the sender, so a broken rule is recorded in the view instead. */
  private void onSignal(Decision decision, boolean approval) {
    Refusal r = check(decision, approval);
    if (r != null) {
      recordRefusal(decision, approval ? "approve" : "reject", r);
      return;
    }
    Env env = environments.get(decision.environment());
    if (approval) {
      applyApproval(env, decision);
    } else {
      applyRejection(env, decision);
    }
  }

  private void recordRefusal(Decision d, String kind, Refusal r) {
    log.warn("refused {} signal from {} for {}: {}", kind, d.by(), d.environment(), r.message());
    refused.add(new RefusedDecision(d.environment(), d.by(), kind, r.type() + ": " + r.message(), now()));
  }

  private void applyApproval(Env env, Decision d) {
    env.approvals.add(new ApprovalView(d.by(), now(), d.comment()));
  }

  private void applyRejection(Env env, Decision d) {
    env.rejectedBy = d.by();
    env.state = EnvironmentState.REJECTED;
    env.reason = "rejected by " + d.by() + (d.comment() == null || d.comment().isBlank() ? "" : ": " + d.comment());
  }

  @Override
  public void promotionProgress(PromotionProgress progress) {
    Env env = environments.get(progress.environment());
    if (env == null || env.state.terminal()) {
      return;
    }
    env.state = progress.state();
    if (progress.gitCommit() != null) {
      env.gitCommit = progress.gitCommit();
    }
    env.reason = progress.reason();
  }

  // --- view ---------------------------------------------------------------------------------

  @Override
  public ReleaseView view() {
    return new ReleaseView(
        request.service().name(),
        request.commit(),
        request.tag(),
        digest,
        request.author(),
        request.startedBy(),
        status,
        reason,
        environments.values().stream().map(this::snapshot).toList(),
        List.copyOf(refused));
  }

  private EnvironmentView snapshot(Env env) {
    return new EnvironmentView(
        env.spec.name(),
        env.state,
        digest,
        List.copyOf(env.approvals),
        env.spec.requiredApprovals(),
        env.gitCommit,
        env.reason,
        env.rejectedBy);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
