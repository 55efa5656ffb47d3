package dev.gantry.release;

import static dev.gantry.testing.Harness.by;
import static dev.gantry.testing.Harness.commit;
import static dev.gantry.testing.Harness.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.promotion.PromotionWorkflow;
import dev.gantry.testing.Harness;
import dev.gantry.testing.World.Health;
import io.temporal.client.WorkflowStub;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReleaseWorkflowTest {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  private static String refusalType(Throwable t) {
    return Failures.type(t);
  }

  @Test
  void startingTwiceJoinsTheSameRelease() {
    h.image(1);
    Registered first = h.start(1);
    Registered again = h.start(1);
    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.release().digest()).isEqualTo(digest(1)).isEqualTo(first.release().digest());
    // another tag for the same digest joins too
    h.world.tags.put("v1.0.0", digest(1));
    assertThat(h.start(1, "v1.0.0").created()).isFalse();
    assertThat(h.world.releases).hasSize(1);
  }

  /**
   * The path from an approval to the pin is what an approver waits on: Gantry's signature, the
   * lane enqueue and the one hold check run as local activities (markers, no task round trip),
   * and the pin is scheduled in the workflow task that learns the lane is free.
   */
  @Test
  void anApprovalReachesThePinInFewWorkflowTasks() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    h.release(1).approve(by("staging", "alice", "approvers"));
    h.await(1, "staging", EnvironmentState.PROMOTED);

    var release = h.client.fetchHistory(ReleaseRequest.workflowId("shop", commit(1))).getEvents();
    var promotion = h.client.fetchHistory(PromotionWorkflow.workflowId("shop", "staging", commit(1))).getEvents();
    java.util.function.Function<java.util.List<io.temporal.api.history.v1.HistoryEvent>, java.util.List<String>> scheduled = events ->
        events.stream().filter(e -> e.hasActivityTaskScheduledEventAttributes())
            .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()).toList();
    java.util.function.Function<java.util.List<io.temporal.api.history.v1.HistoryEvent>, java.util.List<String>> local = events ->
        events.stream().filter(e -> e.hasMarkerRecordedEventAttributes() && e.getMarkerRecordedEventAttributes().getMarkerName().equals("LocalActivity"))
            .map(e -> e.getMarkerRecordedEventAttributes().getDetailsOrThrow("type").getPayloads(0).getData().toStringUtf8()).toList();
    assertThat(scheduled.apply(release)).doesNotContain("SignRelease");
    assertThat(local.apply(release)).anySatisfy(t -> assertThat(t).contains("SignRelease"));
    assertThat(scheduled.apply(promotion)).doesNotContain("Environment", "Enqueue").contains("Pin");
    assertThat(local.apply(promotion)).hasSize(2)
        .satisfies(l -> assertThat(l.get(0)).contains("Enqueue"), l -> assertThat(l.get(1)).contains("Environment"));

    // the promotion's first task joins the lane, the second (the grant) checks for a hold and pins
    int tasks = 0;
    for (var e : promotion) {
      if (e.hasActivityTaskScheduledEventAttributes() && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("Pin")) {
        break;
      }
      if (e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        tasks++;
      }
    }
    assertThat(tasks).as("workflow tasks the promotion completed before it scheduled the pin").isEqualTo(2);
  }

  @Test
  void sameCommitWithAnotherDigestIsRefused() {
    h.image(1);
    h.start(1);
    h.world.tags.put("rebuilt", digest(99));
    assertThatThrownBy(() -> h.start(1, "rebuilt"))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.DIGEST_CONFLICT))
        .satisfies(t -> assertThat(Failures.reason(t)).contains(digest(1)).contains(digest(99)));
  }

  @Test
  void absentTagIsRefusedAndACorrectedStartStillWorks() {
    assertThatThrownBy(() -> h.start(1))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.TAG_NOT_FOUND));
    assertThat(h.world.releases).isEmpty();
    h.image(1);
    assertThat(h.start(1).created()).isTrue();
  }

  @Test
  void devPromotesByItselfAndStagingWaitsForOneApprover() {
    h.image(1);
    h.start(1);
    EnvironmentView dev = h.await(1, "dev", EnvironmentState.PROMOTED);
    assertThat(dev.gitCommit()).isNotNull();
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
    assertThat(h.world.commitsWith("Gantry-Promotion", PromotionWorkflow.workflowId("shop", "dev", commit(1)) + "/")).isEqualTo(1);

    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    EnvironmentView staging = h.release(1).approve(by("staging", "alice", "approvers"));
    assertThat(staging.approvals()).extracting(ApprovalView::by).containsExactly("alice");
    h.await(1, "staging", EnvironmentState.PROMOTED);
    assertThat(h.world.digestAt("values-staging.yaml")).isEqualTo(digest(1));
    h.await(1, "production", EnvironmentState.WAITING_FOR_APPROVAL);
    assertThat(h.world.digestAt("values-production.yaml")).isNull();
  }

  @Test
  void productionNeedsTwoDistinctApproversWhoDidNotWriteOrStartTheRelease() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    h.release(1).approve(by("staging", "bob", "approvers"));
    h.await(1, "production", EnvironmentState.WAITING_FOR_APPROVAL);
    ReleaseWorkflow release = h.release(1);

    EnvironmentView one = release.approve(by("production", "carol", "release-managers"));
    assertThat(one.state()).isEqualTo(EnvironmentState.WAITING_FOR_APPROVAL);
    assertThat(one.approvals()).hasSize(1);
    assertThatThrownBy(() -> release.approve(by("production", "carol", "release-managers")))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.DUPLICATE_APPROVAL));
    assertThatThrownBy(() -> release.approve(by("production", "alice", "approvers")))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.NOT_APPROVER))
        .satisfies(t -> assertThat(Failures.reason(t)).contains("release-managers"));
    assertThatThrownBy(() -> release.approve(by("production", "erin", "release-managers")))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.SELF_APPROVAL))
        .satisfies(t -> assertThat(Failures.reason(t)).contains("wrote commit"));
    assertThatThrownBy(() -> release.approve(by("production", "ci", "release-managers")))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.SELF_APPROVAL))
        .satisfies(t -> assertThat(Failures.reason(t)).contains("started this release"));
    assertThat(h.view(1).environment("production").approvals()).hasSize(1);

    release.approve(by("production", "dave", "release-managers"));
    EnvironmentView production = h.await(1, "production", EnvironmentState.PROMOTED);
    assertThat(production.approvals()).extracting(ApprovalView::by).containsExactly("carol", "dave");
    assertThat(h.world.digestAt("values-production.yaml")).isEqualTo(digest(1));
    assertThat(WorkflowStub.fromTyped(release).getResult(ReleaseView.class).status()).isEqualTo(ReleaseStatus.PROMOTED);
    assertThat(h.world.history).filteredOn(p -> p.environment().equals("production") && p.outcome().equals("PROMOTED"))
        .singleElement()
        .satisfies(p -> assertThat(p.approvedBy()).containsExactly("carol", "dave"));
    // the audit record carries the policy and the approvals the promotion was held to
    assertThat(h.world.audit.values()).filteredOn(a -> a.environment().equals("production")).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo("PROMOTION");
      assertThat(a.outcome()).isEqualTo("PROMOTED");
      assertThat(a.digest()).isEqualTo(digest(1));
      assertThat(a.approvals()).extracting(ApprovalView::by).containsExactly("carol", "dave");
      assertThat(a.approvals()).allSatisfy(ap -> assertThat(ap.at()).isNotNull());
      assertThat(a.policy().requiredApprovals()).isEqualTo(2);
      assertThat(a.policy().approverGroup()).isEqualTo("release-managers");
    });
  }

  @Test
  void approvingAnEnvironmentThatIsNotWaitingIsRefused() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    assertThatThrownBy(() -> h.release(1).approve(by("production", "carol", "release-managers")))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.NOT_WAITING));
    assertThatThrownBy(() -> h.release(1).approve(by("qa", "carol", "release-managers")))
        .satisfies(t -> assertThat(refusalType(t)).isEqualTo(FailureTypes.UNKNOWN_ENVIRONMENT));
  }

  @Test
  void signalsFollowTheSameRulesAndRefusalsAreRecorded() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    ReleaseWorkflow release = h.release(1);
    release.approveSignal(new Decision("staging", "mallory", null, "let me in"));
    release.approveSignal(new Decision("staging", "erin", null, null));
    h.awaitEnv(1, "staging", e -> h.view(1).refusedDecisions().size() == 2, "two refusals");
    assertThat(h.view(1).environment("staging").state()).isEqualTo(EnvironmentState.WAITING_FOR_APPROVAL);
    assertThat(h.view(1).refusedDecisions())
        .extracting(RefusedDecision::reason)
        .anySatisfy(r -> assertThat(r).startsWith(FailureTypes.NOT_APPROVER))
        .anySatisfy(r -> assertThat(r).startsWith(FailureTypes.NOT_APPROVER)); // erin is not a staging approver either
    release.approveSignal(new Decision("staging", "bob", null, "ok from the CLI"));
    h.await(1, "staging", EnvironmentState.PROMOTED);
  }

  @Test
  void rejectionEndsThatEnvironmentAndTheLaterOnes() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    EnvironmentView staging = h.release(1).reject(new Decision("staging", "bob", java.util.List.of("approvers"), "breaks checkout"));
    assertThat(staging.state()).isEqualTo(EnvironmentState.REJECTED);
    ReleaseView end = WorkflowStub.fromTyped(h.release(1)).getResult(ReleaseView.class);
    assertThat(end.status()).isEqualTo(ReleaseStatus.REJECTED);
    assertThat(end.environment("staging").reason()).contains("bob").contains("breaks checkout");
    assertThat(end.environment("production").state()).isEqualTo(EnvironmentState.REJECTED);
    assertThat(h.world.digestAt("values-staging.yaml")).isNull();
  }

  @Test
  void approvalExpiresAfterTheTimeout() {
    h.image(1);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    // getResult lets the test server skip the 72 h
    ReleaseView end = WorkflowStub.fromTyped(h.release(1)).getResult(ReleaseView.class);
    assertThat(end.status()).isEqualTo(ReleaseStatus.EXPIRED);
    assertThat(end.environment("staging").state()).isEqualTo(EnvironmentState.EXPIRED);
    assertThat(end.environment("staging").reason()).contains("0 of 1");
    assertThat(end.environment("production").state()).isEqualTo(EnvironmentState.EXPIRED);
  }

  @Test
  void aTagThatMovedSinceResolutionFailsTheReleaseClosed() {
    h.image(1);
    CountDownLatch devLive = new CountDownLatch(1);
    h.world.liveGates.put("values-dev.yaml", devLive);
    h.start(1);
    h.await(1, "dev", EnvironmentState.VERIFYING);
    h.world.tags.put("sha-" + commit(1), digest(66));
    devLive.countDown();
    EnvironmentView staging = h.await(1, "staging", EnvironmentState.FAILED);
    assertThat(staging.reason()).contains("moved").contains(digest(66));
    assertThat(h.world.digestAt("values-staging.yaml")).isNull();
  }

  @Test
  void aNewerReleaseSupersedesAQueuedOlderOne() {
    h.image(1);
    h.image(2);
    h.image(3);
    CountDownLatch stagingLive = new CountDownLatch(1);
    h.world.liveGates.put("values-staging.yaml", stagingLive);
    h.start(1);
    h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    h.release(1).approve(by("staging", "alice", "approvers"));
    h.await(1, "staging", EnvironmentState.VERIFYING); // holds the staging lane

    h.start(2);
    h.await(2, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    h.release(2).approve(by("staging", "alice", "approvers"));
    h.awaitEnv(2, "staging", e -> e.state() == EnvironmentState.PENDING, "queued");
    h.start(3);
    h.await(3, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
    h.release(3).approve(by("staging", "bob", "approvers"));

    EnvironmentView superseded = h.await(2, "staging", EnvironmentState.SUPERSEDED);
    assertThat(superseded.reason()).contains(commit(3));
    assertThat(h.view(2).environment("production").state()).isEqualTo(EnvironmentState.SUPERSEDED);
    stagingLive.countDown();
    h.await(1, "staging", EnvironmentState.PROMOTED);
    h.await(3, "staging", EnvironmentState.PROMOTED);
    assertThat(h.world.digestAt("values-staging.yaml")).isEqualTo(digest(3));
    assertThat(h.world.commitsWith("Gantry-Release", commit(2))).as("release 2 reached dev only").isEqualTo(1);
  }

  @Test
  void failedHealthPutsTheLastKnownGoodBack() {
    h.image(1);
    h.image(2);
    h.start(1);
    h.await(1, "dev", EnvironmentState.PROMOTED);
    h.world.health.put("values-dev.yaml", Health.NEVER_LIVE);
    h.start(2);
    EnvironmentView dev = h.await(2, "dev", EnvironmentState.COMPENSATED);
    assertThat(dev.reason()).contains("verification failed").contains("last known good " + digest(1));
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
    String failed = PromotionWorkflow.workflowId("shop", "dev", commit(2)) + "/";
    assertThat(h.world.commitsWith("Gantry-Compensates", failed)).isEqualTo(1);
    ReleaseView end = WorkflowStub.fromTyped(h.release(2)).getResult(ReleaseView.class);
    assertThat(end.status()).isEqualTo(ReleaseStatus.COMPENSATED);
    assertThat(end.environment("staging").state()).isEqualTo(EnvironmentState.FAILED);
    assertThat(h.world.history).filteredOn(p -> p.kind().equals("COMPENSATION")).singleElement()
        .satisfies(p -> assertThat(p.digest()).isEqualTo(digest(1)));
    assertThat(h.world.audit.values()).filteredOn(a -> a.service().equals("shop") && commit(2).equals(a.commit()) && a.kind().equals("PROMOTION"))
        .singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo("FAILED"));
    assertThat(h.world.audit.values()).filteredOn(a -> a.kind().equals("COMPENSATION")).singleElement()
        .satisfies(a -> assertThat(a.digest()).isEqualTo(digest(1)));
  }

  @Test
  void failedSoakPutsTheLastKnownGoodBack() {
    h.image(1);
    h.image(2);
    h.start(1);
    h.await(1, "dev", EnvironmentState.PROMOTED);
    h.world.health.put("values-dev.yaml", Health.FAILS_SOAK);
    h.start(2);
    EnvironmentView dev = h.await(2, "dev", EnvironmentState.COMPENSATED);
    assertThat(dev.reason()).contains("unhealthy during the soak");
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
  }

  @Test
  void withoutLastKnownGoodTheFilesPreviousDigestComesBack() {
    String before = "sha256:" + "0".repeat(64);
    h.world.files.put("values-dev.yaml", before);
    h.world.health.put("values-dev.yaml", Health.NEVER_LIVE);
    h.image(1);
    h.start(1);
    EnvironmentView dev = h.await(1, "dev", EnvironmentState.COMPENSATED);
    assertThat(dev.reason()).contains("previous digest " + before);
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(before);
  }

  @Test
  void promotionStartedTwiceForTheSameCommitWritesGitOnce() {
    h.image(1);
    h.start(1);
    h.start(1);
    h.await(1, "dev", EnvironmentState.PROMOTED);
    assertThat(h.world.commitsWith("Gantry-Release", commit(1))).isEqualTo(1);
  }

  @Test
  void compensationDoesNotPutBackADigestWhoseSignaturesNoLongerVerify() {
    h.image(1);
    h.image(2);
    h.start(1);
    h.await(1, "dev", EnvironmentState.PROMOTED);
    h.world.unverifiable.put(digest(1), "CI's signature does not verify with the keys configured today: key ab12 is revoked");
    h.world.health.put("values-dev.yaml", Health.NEVER_LIVE);
    h.start(2);
    EnvironmentView dev = h.await(2, "dev", EnvironmentState.COMPENSATED);
    assertThat(dev.reason()).contains("did not put back " + digest(1)).contains("key ab12 is revoked");
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(2));
    assertThat(h.world.commitsWith("Gantry-Compensates", PromotionWorkflow.workflowId("shop", "dev", commit(2)) + "/")).isZero();
    assertThat(h.world.reverified).singleElement().satisfies(r -> assertThat(r.release().digest()).isEqualTo(digest(1)));
    // only the healthy promotion was attested
    assertThat(h.world.summaries).singleElement().satisfies(s -> {
      assertThat(s.release().digest()).isEqualTo(digest(1));
      assertThat(s.environment()).isEqualTo("dev");
    });
  }
}
