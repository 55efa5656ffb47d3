package dev.gantry.release;

import dev.gantry.evidence.AssessRequest;
import dev.gantry.evidence.Assessment;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.EvidenceActivities;
import dev.gantry.evidence.Outcome;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.Stubs;
import dev.gantry.release.ReleaseState.Env;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;

/**
 * A release's evidence, on the evidence-gates path: what CI attached is collected and the service's
 * evaluation runs once, before any environment; each environment's gates then turn it into pass or
 * fail, waiting while required evidence is missing, and run again when evidence arrives while
 * approvals are being collected. Part of {@link ReleaseWorkflowImpl}, which calls it in the order
 * its activities must run.
 */
final class EvidenceStage {
  private static final Logger log = Workflow.getLogger(ReleaseWorkflowImpl.class);

  private final EvidenceActivities evidence = Stubs.evidence();
  private final ReleaseState release;
  private final ReleaseRequest request;
  /** Bumped by each evidenceAdded signal; a waiting environment re-runs its gates when it moves. */
  private int evidenceVersion;
  private String evaluationError;

  EvidenceStage(ReleaseState release) {
    this.release = release;
    this.request = release.request;
  }

  /** The evidenceAdded signal: CI uploaded evidence. */
  void evidenceAdded() {
    evidenceVersion++;
  }

  /** How many evidenceAdded signals arrived: a wait that saw it move knows new evidence came. */
  int evidenceVersion() {
    return evidenceVersion;
  }

  /** Collects attached evidence and runs the evaluation once, before any environment. */
  void gatherEvidence() {
    collect();
    boolean wanted = release.environments.values().stream().anyMatch(e -> e.spec.evidence().evaluation() != null);
    if (!wanted) {
      return;
    }
    EvaluationSpec spec = request.service().evaluation();
    if (spec == null) {
      evaluationError = "the policy requires an evaluation but service " + request.service().name() + " has no evaluation endpoint";
      return;
    }
    release.reason = "evaluating " + release.digest + " at " + spec.url();
    try {
      Map<String, Double> metrics = Stubs.evaluation(spec.timeout()).evaluate(release.ref(), spec);
      evidence.recordEvaluation(release.ref(), metrics);
    } catch (ActivityFailure f) {
      evaluationError =
          f.getCause() instanceof TimeoutFailure
              ? "no evaluation result within " + spec.timeout()
              : "evaluation failed: " + Failures.reason(f);
      log.warn("release {}: {}", request.commit(), evaluationError);
    }
    release.reason = null;
  }

  private void collect() {
    try {
      evidence.collect(release.ref());
    } catch (ActivityFailure f) {
      // the gates then find the evidence missing and say so; the release does not fail here
      log.warn("release {}: collecting attached evidence failed: {}", request.commit(), Failures.reason(f));
    }
  }

  private Assessment assess(Env env) {
    Assessment a = evidence.assess(new AssessRequest(release.ref(), env.spec.name(), env.spec.evidence(), evaluationError));
    env.assessment = a;
    return a;
  }

  /**
   * Runs the environment's gates; while required evidence is missing, waits for uploads (or
   * newly attached evidence) up to the policy's evidence wait. Failing evidence refuses at once.
   */
  boolean passGates(Env env) {
    Duration wait = env.spec.evidence().evidenceWait() == null ? Duration.ZERO : env.spec.evidence().evidenceWait();
    long deadline = Workflow.currentTimeMillis() + wait.toMillis();
    while (true) {
      int seen = evidenceVersion;
      Assessment a;
      try {
        a = assess(env);
      } catch (ActivityFailure f) {
        release.refuse(env, "gates could not run: " + Failures.reason(f));
        return false;
      }
      if (a.passed()) {
        return true;
      }
      if (a.outcome() == Outcome.FAIL) {
        release.refuse(env, "gates refused evidence bundle " + a.bundleSha256() + ": " + a.summary());
        return false;
      }
      long left = deadline - Workflow.currentTimeMillis();
      if (left <= 0) {
        release.refuse(env, "evidence still missing" + (wait.isZero() ? "" : " after " + wait) + ": " + a.summary());
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
  boolean reassessWhileWaiting(Env env) {
    String before = env.assessment == null ? null : env.assessment.bundleSha256();
    Assessment a;
    try {
      a = assess(env);
    } catch (ActivityFailure f) {
      log.warn("release {} {}: re-running gates failed, keeping bundle {}: {}", request.commit(), env.spec.name(), before, Failures.reason(f));
      return true;
    }
    if (!a.passed()) {
      release.refuse(env, "new evidence made the gates refuse (bundle " + a.bundleSha256() + "): " + a.summary());
      return false;
    }
    if (!a.bundleSha256().equals(before) && !env.approvals.isEmpty()) {
      for (ApprovalView dropped : env.approvals) {
        release.refused.add(new RefusedDecision(env.spec.name(), dropped.by(), "approve",
            FailureTypes.EVIDENCE_BUNDLE_CHANGED + ": approval of bundle " + before + " no longer counts; the bundle is now " + a.bundleSha256(), ReleaseState.now()));
      }
      env.approvals.clear();
    }
    return true;
  }
}
