package dev.gantry.release;

import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.UpdateRefusal;
import dev.gantry.release.ReleaseState.Env;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * Approvals and rejections of a release's environments: who may decide what ({@link #check}, the
 * rules the update validators and the signals share), what an accepted decision changes, and the
 * refused signals the view records, since a signal cannot be refused to its sender. Part of
 * {@link ReleaseWorkflowImpl}, whose update and signal handlers call it.
 */
final class Decisions {
  private static final Logger log = Workflow.getLogger(ReleaseWorkflowImpl.class);

  private final ReleaseState release;
  private final ReleaseRequest request;

  Decisions(ReleaseState release) {
    this.release = release;
    this.request = release.request;
  }

  private record Refusal(String type, String message) {}

  private Refusal check(Decision d, boolean approval) {
    Env env = d.environment() == null ? null : release.environments.get(d.environment());
    if (env == null) {
      return new Refusal(FailureTypes.UNKNOWN_ENVIRONMENT,
          "release " + request.service().name() + " has no environment " + d.environment() + "; it has " + release.environments.keySet());
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
    if (approval && release.gated && bundle != null) {
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
  void refuseIfNeeded(Decision d, boolean approval) {
    Refusal r = check(d, approval);
    if (r != null) {
      throw new UpdateRefusal(r.type(), r.message());
    }
  }

  /** The approval update, once its validator let it through. */
  EnvironmentView approve(Decision decision) {
    Env env = release.environments.get(decision.environment());
    applyApproval(env, decision);
    // answer with the state after the main loop reacted (quorum moves it on)
    Workflow.await(() -> env.state != EnvironmentState.WAITING_FOR_APPROVAL || env.approvals.size() < env.spec.requiredApprovals());
    return release.snapshot(env);
  }

  /** The rejection update, once its validator let it through. */
  EnvironmentView reject(Decision decision) {
    Env env = release.environments.get(decision.environment());
    applyRejection(env, decision);
    return release.snapshot(env);
  }

  /** Signals cannot be refused to the sender, so a broken rule is recorded in the view instead. */
  void onSignal(Decision decision, boolean approval) {
    Refusal r = check(decision, approval);
    if (r != null) {
      recordRefusal(decision, approval ? "approve" : "reject", r);
      return;
    }
    Env env = release.environments.get(decision.environment());
    if (approval) {
      applyApproval(env, decision);
    } else {
      applyRejection(env, decision);
    }
  }

  private void recordRefusal(Decision d, String kind, Refusal r) {
    log.warn("refused {} signal from {} for {}: {}", kind, d.by(), d.environment(), r.message());
    release.refused.add(new RefusedDecision(d.environment(), d.by(), kind, r.type() + ": " + r.message(), ReleaseState.now()));
  }

  private void applyApproval(Env env, Decision d) {
    String bundle = env.assessment == null ? null : env.assessment.bundleSha256();
    env.approvals.add(new ApprovalView(d.by(), ReleaseState.now(), d.comment(), bundle, d.issuer(), d.subject()));
  }

  private void applyRejection(Env env, Decision d) {
    env.rejectedBy = d.by();
    env.state = EnvironmentState.REJECTED;
    env.reason = "rejected by " + d.by() + (d.comment() == null || d.comment().isBlank() ? "" : ": " + d.comment());
  }
}
