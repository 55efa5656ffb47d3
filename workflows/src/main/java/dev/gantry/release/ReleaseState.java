package dev.gantry.release;

import dev.gantry.evidence.Assessment;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.EnvironmentSpec;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * What a running release shows: its digest, status and reason, each environment's progress, and
 * the decisions it refused. {@link ReleaseWorkflowImpl} owns it; its evidence stage and its
 * decisions change it too. {@link #view()} is the query's answer. Plain workflow state: it starts
 * no activity and creates no command.
 */
final class ReleaseState {
  /** The release's log: every line about a release comes from {@link ReleaseWorkflowImpl}'s logger. */
  private static final Logger log = Workflow.getLogger(ReleaseWorkflowImpl.class);

  final ReleaseRequest request;
  final Map<String, Env> environments = new LinkedHashMap<>();
  final List<RefusedDecision> refused = new ArrayList<>();
  String digest;
  ReleaseStatus status = ReleaseStatus.RESOLVING;
  String reason;
  String failureType;
  /** Whether this run takes the evidence-gates path (false when replaying older histories). */
  boolean gated;

  /** Mutable per-environment state; {@link EnvironmentView} is its snapshot. */
  static final class Env {
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

  ReleaseState(ReleaseRequest request) {
    this.request = request;
    for (EnvironmentSpec spec : request.service().environments()) {
      environments.put(spec.name(), new Env(spec));
    }
  }

  ReleaseRef ref() {
    return new ReleaseRef(request.service().name(), request.commit(), request.service().image(), digest);
  }

  void refuse(Env env, String why) {
    env.state = EnvironmentState.REFUSED;
    env.reason = why;
    log.warn("release {} {}: {}", request.commit(), env.spec.name(), why);
  }

  void fail(Env env, String why) {
    env.state = EnvironmentState.FAILED;
    env.reason = why;
    log.warn("release {} {}: {}", request.commit(), env.spec.name(), why);
  }

  /** A promotion's report of where it is; an environment that already ended keeps its ending. */
  void promotionProgress(PromotionProgress progress) {
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

  ReleaseView view() {
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
        List.copyOf(refused),
        request.ciRun());
  }

  EnvironmentView snapshot(Env env) {
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

  static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
