package dev.gantry.release;

import static dev.gantry.testing.Harness.commit;
import static dev.gantry.testing.Harness.environment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.evidence.EvaluationPolicy;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.EvidencePolicy;
import dev.gantry.evidence.MetricRule;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ScanPolicy;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.ServiceSpec;
import dev.gantry.promotion.PromotionWorkflow;
import dev.gantry.testing.Harness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gates' place in the release: before approval, fail closed, approvals bound to the bundle. */
class EvidenceGatesTest {
  static final ScanPolicy SCAN = new ScanPolicy("HIGH", false, null, List.of());
  static final EvidencePolicy GATED = new EvidencePolicy(null, null, null, null, SCAN, null, Duration.ofMinutes(30));
  static final EvidencePolicy EVALUATED =
      new EvidencePolicy(null, null, null, null, SCAN, new EvaluationPolicy(List.of(new MetricRule("accuracy", 0.9, null, null, false))), Duration.ZERO);

  private Harness h = harness(Duration.ofMinutes(10));

  private static Harness harness(Duration evaluationTimeout) {
    return new Harness(
        new ServiceSpec(
            Harness.SERVICE,
            "registry.test/shop",
            List.of(
                environment("dev", 0, null, List.of(), GATED),
                environment("staging", 1, "approvers", List.of("alice", "bob"), GATED),
                environment("production", 2, "release-managers", List.of("carol", "dave"), EVALUATED)),
            new EvaluationSpec("http://127.0.0.1:1/evaluate", evaluationTimeout)));
  }

  @AfterEach
  void close() {
    h.close();
  }

  private String devPromotion(int n) {
    return PromotionWorkflow.workflowId("shop", "dev", commit(n)) + "/";
  }

  @Test
  void failingGatesRefuseBeforeAnythingIsWritten() {
    h.world.gates.put("dev", Outcome.FAIL);
    h.image(1);
    h.start(1);
    EnvironmentView dev = h.await(1, "dev", EnvironmentState.REFUSED);
    assertThat(dev.reason()).contains("gates refused evidence bundle " + dev.evidenceBundle()).contains("scan FAIL");
    assertThat(h.world.signed).as("nothing refused is signed").isEmpty();
    assertThat(dev.gates()).extracting(g -> g.outcome()).containsExactly(Outcome.FAIL);
    assertThat(h.world.commitsWith("Gantry-Promotion", devPromotion(1))).isZero();
    assertThat(h.view(1).environment("staging").state()).isEqualTo(EnvironmentState.REFUSED);
    awaitStatus(1, ReleaseStatus.REFUSED);
  }

  @Test
  void missingEvidenceWaitsForAnUploadThenPromotes() {
    h.world.gates.put("dev", Outcome.MISSING);
    h.image(1);
    h.start(1);
    EnvironmentView waiting = h.await(1, "dev", EnvironmentState.WAITING_FOR_EVIDENCE);
    assertThat(waiting.reason()).contains("scan MISSING");
    // CI uploads the scan report; the API then signals the release
    h.world.gates.put("dev", Outcome.PASS);
    h.world.evidenceRecords.incrementAndGet();
    h.release(1).evidenceAdded();
    h.await(1, "dev", EnvironmentState.PROMOTED);
    assertThat(h.world.commitsWith("Gantry-Promotion", devPromotion(1))).isEqualTo(1);
    assertThat(h.world.history).filteredOn(p -> p.environment().equals("dev") && p.outcome().equals("PROMOTED"))
        .extracting(p -> p.evidenceBundle()).containsExactly(h.view(1).environment("dev").evidenceBundle());
  }

  @Test
  void evidenceThatStaysMissingRefusesWhenTheWaitEnds() {
    h.world.gates.put("dev", Outcome.MISSING);
    h.image(1);
    h.start(1);
    h.await(1, "dev", EnvironmentState.WAITING_FOR_EVIDENCE);
    h.env.sleep(Duration.ofMinutes(31));
    EnvironmentView dev = h.await(1, "dev", EnvironmentState.REFUSED);
    assertThat(dev.reason()).startsWith("evidence still missing after PT30M");
    assertThat(h.world.commitsWith("Gantry-Promotion", devPromotion(1))).isZero();
  }

  @Test
  void anApprovalMustNameTheCurrentBundle() {
    h.image(1);
    h.start(1);
    EnvironmentView staging = h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    String bundle = staging.evidenceBundle();
    assertThat(bundle).startsWith("sha256:");

    assertThatThrownBy(() -> h.release(1).approve(new Decision("staging", "alice", List.of("approvers"), "lgtm")))
        .satisfies(t -> assertThat(Failures.type(t)).isEqualTo(FailureTypes.EVIDENCE_BUNDLE_REQUIRED))
        .satisfies(t -> assertThat(Failures.reason(t)).contains(bundle));
    String stale = "sha256:" + "0".repeat(64);
    assertThatThrownBy(() -> h.release(1).approve(new Decision("staging", "alice", List.of("approvers"), "lgtm", stale)))
        .satisfies(t -> assertThat(Failures.type(t)).isEqualTo(FailureTypes.EVIDENCE_BUNDLE_CHANGED))
        .satisfies(t -> assertThat(Failures.reason(t)).contains(stale).contains(bundle));

    EnvironmentView approved = h.release(1).approve(new Decision("staging", "alice", List.of("approvers"), "lgtm", bundle));
    assertThat(approved.approvals()).extracting(ApprovalView::evidenceBundle).containsExactly(bundle);
    h.await(1, "staging", EnvironmentState.PROMOTED);
    // Gantry signed the digest for staging, naming the bundle that was approved, before pinning it
    assertThat(h.world.signed).filteredOn(r -> r.environment().equals("staging"))
        .extracting(r -> r.evidenceBundle()).containsExactly(bundle);
    assertThat(h.world.audit.values()).filteredOn(e -> e.environment().equals("staging") && e.kind().equals("PROMOTION"))
        .extracting(e -> e.evidenceBundle()).containsExactly(bundle);
  }

  @Test
  void newEvidenceWhileWaitingForApprovalsDropsApprovalsOfTheOldBundle() {
    h.image(1);
    h.start(1);
    String before = h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL).evidenceBundle();
    h.release(1).approve(new Decision("staging", "alice", List.of("approvers"), "ok", before));
    h.await(1, "staging", EnvironmentState.PROMOTED);

    String production = h.await(1, "production", EnvironmentState.WAITING_FOR_APPROVAL).evidenceBundle();
    h.release(1).approve(new Decision("production", "carol", List.of("release-managers"), "ok", production));
    h.world.evidenceRecords.incrementAndGet();
    h.release(1).evidenceAdded();
    EnvironmentView after = h.awaitEnv(1, "production", e -> !e.evidenceBundle().equals(production), "a new bundle");
    assertThat(after.approvals()).isEmpty();
    assertThat(h.view(1).refusedDecisions())
        .anySatisfy(r -> assertThat(r.reason()).startsWith(FailureTypes.EVIDENCE_BUNDLE_CHANGED).contains(production));
    // the old bundle cannot be approved any more; the new one can
    assertThatThrownBy(() -> h.release(1).approve(new Decision("production", "dave", List.of("release-managers"), null, production)))
        .satisfies(t -> assertThat(Failures.type(t)).isEqualTo(FailureTypes.EVIDENCE_BUNDLE_CHANGED));
    h.release(1).approve(new Decision("production", "dave", List.of("release-managers"), null, after.evidenceBundle()));
    h.release(1).approve(new Decision("production", "carol", List.of("release-managers"), null, after.evidenceBundle()));
    h.await(1, "production", EnvironmentState.PROMOTED);
  }

  @Test
  void evidenceThatNowFailsWhileWaitingForApprovalRefuses() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    h.world.gates.put("staging", Outcome.FAIL);
    h.world.evidenceRecords.incrementAndGet();
    h.release(1).evidenceAdded();
    EnvironmentView staging = h.await(1, "staging", EnvironmentState.REFUSED);
    assertThat(staging.reason()).startsWith("new evidence made the gates refuse");
  }

  @Test
  void theEvaluationRunsOnceAndItsResultReachesTheGates() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    assertThat(h.world.evaluations).containsExactly(java.util.Map.of("accuracy", 0.93));
    assertThat(h.world.assessed).allSatisfy(a -> assertThat(a.evaluationError()).isNull());
  }

  @Test
  void anEvaluationThatNeverAnswersReachesTheGatesAsAnError() {
    // an activity waiting for its callback holds the test server's clock: use a short real timeout
    h.close();
    h = harness(Duration.ofSeconds(2));
    h.world.evaluatorAnswer = null;
    h.image(1);
    h.start(1);
    h.await(1, "dev", EnvironmentState.PROMOTED);
    assertThat(h.world.evaluations).isEmpty();
    assertThat(h.world.assessed).first().satisfies(a -> assertThat(a.evaluationError()).isEqualTo("no evaluation result within PT2S"));
  }

  private void awaitStatus(int n, ReleaseStatus status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && h.view(n).status() != status) {
      Thread.onSpinWait();
    }
    assertThat(h.view(n).status()).isEqualTo(status);
  }
}
