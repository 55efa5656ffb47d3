package dev.gantry.release;

import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.ReleaseRecord;
import dev.gantry.evidence.AssessRequest;
import dev.gantry.evidence.Assessment;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.EvidenceActivities;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.UpdateRefusal;
import dev.gantry.model.ImageRef;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.Stubs;
import dev.gantry.model.Versions;
import dev.gantry.promotion.PromotionRequest;
import dev.gantry.promotion.PromotionResult;
import dev.gantry.promotion.PromotionWorkflow;
import dev.gantry.registry.RegistryActivities;
import dev.gantry.signing.SignRequest;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TimeoutFailure;
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
  private final EvidenceActivities evidence = Stubs.evidence();

  private final ReleaseRequest request;
  private final Map<String, Env> environments = new LinkedHashMap<>();
  private final List<RefusedDecision> refused = new ArrayList<>();
  private String digest;
  private ReleaseStatus status = ReleaseStatus.RESOLVING;
  private String reason;
  private String failureType;
  private int registrations;
  /** Whether this run takes the evidence-gates path (false when replaying older histories). */
  private boolean gated;
  /** Bumped by each evidenceAdded signal; a waiting environment re-runs its gates when it moves. */
  private int evidenceVersion;
  private String evaluationError;

  /** Mutable per-environment state; {@link EnvironmentView} is its snapshot. */
  private static final class Env {
    final EnvironmentSpec spec;
    EnvironmentState state = EnvironmentState.PENDING;
    final List<ApprovalView> approvals = new ArrayList<>();
    String gitCommit;
    String reason;
    String rejectedBy;
    Assessment assessment;

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
    gated = Versions.evidenceGates();
    if (gated) {
      gatherEvidence();
    }

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
      if (!now.equals(digest)) {
        fail(env, "gate: tag " + request.tag() + " moved from " + digest + " to " + now + " since the release resolved it; refusing");
        return;
      }
    } catch (ActivityFailure f) {
      fail(env, "gate: could not re-resolve " + request.tag() + ": " + Failures.reason(f));
      return;
    }

    if (gated && !passGates(env)) {
      return;
    }

    if (!spec.automatic()) {
      env.state = EnvironmentState.WAITING_FOR_APPROVAL;
      env.reason = null;
      long deadline = Workflow.currentTimeMillis() + spec.approvalTimeout().toMillis();
      boolean decided = false;
      while (!decided) {
        int seen = evidenceVersion;
        Duration left = Duration.ofMillis(Math.max(0, deadline - Workflow.currentTimeMillis()));
        boolean woke =
            Workflow.await(
                left,
                () -> env.rejectedBy != null || env.approvals.size() >= spec.requiredApprovals() || (gated && evidenceVersion != seen));
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
        if (!decided && !reassessWhileWaiting(env)) {
          return;
        }
      }
    }
    if (gated && Versions.gantrySigning() && !signFor(env)) {
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
                  digest,
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
      fail(env, "promotion failed: " + Failures.reason(f));
    }
  }

  // --- evidence ------------------------------------------------------------------------------

  private ReleaseRef ref() {
    return new ReleaseRef(request.service().name(), request.commit(), request.service().image(), digest);
  }

  /** Collects attached evidence and runs the evaluation once, before any environment. */
  private void gatherEvidence() {
    collect();
    boolean wanted = environments.values().stream().anyMatch(e -> e.spec.evidence().evaluation() != null);
    if (!wanted) {
      return;
    }
    EvaluationSpec spec = request.service().evaluation();
    if (spec == null) {
      evaluationError = "the policy requires an evaluation but service " + request.service().name() + " has no evaluation endpoint";
      return;
    }
    reason = "evaluating " + digest + " at " + spec.url();
    try {
      Map<String, Double> metrics = Stubs.evaluation(spec.timeout()).evaluate(ref(), spec);
      evidence.recordEvaluation(ref(), metrics);
    } catch (ActivityFailure f) {
      evaluationError =
          f.getCause() instanceof TimeoutFailure
              ? "no evaluation result within " + spec.timeout()
              : "evaluation failed: " + Failures.reason(f);
      log.warn("release {}: {}", request.commit(), evaluationError);
    }
    reason = null;
  }

  private void collect() {
    try {
      evidence.collect(ref());
    } catch (ActivityFailure f) {
      // the gates then find the evidence missing and say so; the release does not fail here
      log.warn("release {}: collecting attached evidence failed: {}", request.commit(), Failures.reason(f));
    }
  }

  private Assessment assess(Env env) {
    Assessment a = evidence.assess(new AssessRequest(ref(), env.spec.name(), env.spec.evidence(), evaluationError));
    env.assessment = a;
    return a;
  }

  /**
   * Runs the environment's gates; while required evidence is missing, waits for uploads (or
   * newly attached evidence) up to the policy's evidence wait. Failing evidence refuses at once.
   */
  private boolean passGates(Env env) {
    Duration wait = env.spec.evidence().evidenceWait() == null ? Duration.ZERO : env.spec.evidence().evidenceWait();
    long deadline = Workflow.currentTimeMillis() + wait.toMillis();
    while (true) {
      int seen = evidenceVersion;
      Assessment a;
      try {
        a = assess(env);
      } catch (ActivityFailure f) {
        refuse(env, "gates could not run: " + Failures.reason(f));
        return false;
      }
      if (a.passed()) {
        return true;
      }
      if (a.outcome() == Outcome.FAIL) {
        refuse(env, "gates refused evidence bundle " + a.bundleSha256() + ": " + a.summary());
        return false;
      }
      long left = deadline - Workflow.currentTimeMillis();
      if (left <= 0) {
        refuse(env, "evidence still missing" + (wait.isZero() ? "" : " after " + wait) + ": " + a.summary());
        return false;
      }
      env.state = EnvironmentState.WAITING_FOR_EVIDENCE;
      env.reason = a.summary();
      Workflow.await(Duration.ofMillis(left), () -> evidenceVersion != seen);
      collect(); // CI may have attached to the registry rather than uploaded
    }
  }

  /**
   * New evidence arrived while approvals were being collected: the gates run again, and if the
   * bundle changed the approvals given so far no longer count (they approved other evidence).
   */
  private boolean reassessWhileWaiting(Env env) {
    String before = env.assessment == null ? null : env.assessment.bundleSha256();
    Assessment a;
    try {
      a = assess(env);
    } catch (ActivityFailure f) {
      log.warn("release {} {}: re-running gates failed, keeping bundle {}: {}", request.commit(), env.spec.name(), before, Failures.reason(f));
      return true;
    }
    if (!a.passed()) {
      refuse(env, "new evidence made the gates refuse (bundle " + a.bundleSha256() + "): " + a.summary());
      return false;
    }
    if (!a.bundleSha256().equals(before) && !env.approvals.isEmpty()) {
      for (ApprovalView dropped : env.approvals) {
        refused.add(new RefusedDecision(env.spec.name(), dropped.by(), "approve",
            FailureTypes.EVIDENCE_BUNDLE_CHANGED + ": approval of bundle " + before + " no longer counts; the bundle is now " + a.bundleSha256(), now()));
      }
      env.approvals.clear();
    }
    return true;
  }

  /** Gantry's signature goes on before the digest is pinned, so whatever runs it is verifiably Gantry-approved. */
  private boolean signFor(Env env) {
    try {
      (Versions.shortApprovalPath() ? Stubs.signingLocal() : Stubs.signing()).sign(new SignRequest(ref(), env.spec.name(), env.assessment == null ? null : env.assessment.bundleSha256()));
      return true;
    } catch (ActivityFailure f) {
      fail(env, "signing failed: " + Failures.reason(f));
      return false;
    }
  }

  private void refuse(Env env, String why) {
    env.state = EnvironmentState.REFUSED;
    env.reason = why;
    log.warn("release {} {}: {}", request.commit(), env.spec.name(), why);
  }

  @Override
  public void evidenceAdded() {
    evidenceVersion++;
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
    String bundle = env.assessment == null ? null : env.assessment.bundleSha256();
    if (approval && gated && bundle != null) {
      if (d.evidenceBundle() == null && env.spec.evidence().requiresAny()) {
        return new Refusal(FailureTypes.EVIDENCE_BUNDLE_REQUIRED,
            "an approval of " + spec.name() + " must name the evidence bundle it approves; the current one is " + bundle);
      }
      if (d.evidenceBundle() != null && !d.evidenceBundle().equals(bundle)) {
        return new Refusal(FailureTypes.EVIDENCE_BUNDLE_CHANGED,
            "the evidence bundle changed since it was reviewed: the approval names " + d.evidenceBundle() + ", the current one is " + bundle
                + "; review it and approve again");
      }
    }
    return null;
  }

  /** A refusal is an expected answer: thrown so that the SDK rejects the update without logging a failure. */
  private void refuseIfNeeded(Decision d, boolean approval) {
    Refusal r = check(d, approval);
    if (r != null) {
      throw new UpdateRefusal(r.type(), r.message());
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
    String bundle = env.assessment == null ? null : env.assessment.bundleSha256();
    env.approvals.add(new ApprovalView(d.by(), now(), d.comment(), bundle));
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
        env.rejectedBy,
        env.assessment == null ? null : env.assessment.bundleSha256(),
        env.assessment == null ? List.of() : env.assessment.verdicts());
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
