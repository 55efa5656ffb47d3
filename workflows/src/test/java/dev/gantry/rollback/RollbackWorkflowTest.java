package dev.gantry.rollback;

import static dev.gantry.testing.Harness.commit;
import static dev.gantry.testing.Harness.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.TaskQueues;
import dev.gantry.release.EnvironmentState;
import dev.gantry.release.EnvironmentView;
import dev.gantry.testing.Harness;
import dev.gantry.catalog.PromotionRecord;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RollbackWorkflowTest {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  private RollbackResult rollback(String digest, String why) {
    RollbackWorkflow rollback =
        h.client.newWorkflowStub(
            RollbackWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(RollbackRequest.workflowId("shop", "dev"))
                .setTaskQueue(TaskQueues.GANTRY)
                .build());
    return rollback.run(new RollbackRequest("shop", h.service.image(), h.service.environment("dev"), digest, "oncall", why));
  }

  private void promoteToDev(int n) {
    h.image(n);
    h.start(n);
    h.await(n, "dev", EnvironmentState.PROMOTED);
  }

  @Test
  void rollsBackToTheLastKnownGoodBeforeTheCurrentAndHoldsTheEnvironment() {
    promoteToDev(1);
    promoteToDev(2);
    RollbackResult result = rollback(null, "checkout errors after 2");
    assertThat(result.digest()).isEqualTo(digest(1));
    assertThat(result.commit()).isEqualTo(commit(1));
    assertThat(result.outcome()).isEqualTo(EnvironmentState.PROMOTED);
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
    assertThat(h.world.commitsWith("Gantry-Rollback", "rollback/shop/dev/")).isEqualTo(1);
    assertThat(h.world.holds.get("shop/dev").by()).isEqualTo("oncall");
    assertThat(h.world.holds.get("shop/dev").reason()).contains("checkout errors after 2");
    assertThat(h.world.audit.values()).filteredOn(a -> a.kind().equals("ROLLBACK")).singleElement().satisfies(a -> {
      assertThat(a.by()).isEqualTo("oncall");
      assertThat(a.digest()).isEqualTo(digest(1));
      assertThat(a.reason()).contains("checkout errors after 2");
    });

    // the hold stops the next automatic promotion until it is cleared
    h.image(3);
    h.start(3);
    EnvironmentView held = h.awaitEnv(3, "dev", e -> e.reason() != null && e.reason().contains("held by oncall"), "held");
    assertThat(held.state()).isEqualTo(EnvironmentState.PENDING);
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
    h.world.holds.clear();
    h.env.sleep(Duration.ofMinutes(1));
    h.await(3, "dev", EnvironmentState.PROMOTED);
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(3));
  }

  @Test
  void rollsBackToANamedDigestThatWasPromotedThere() {
    promoteToDev(1);
    promoteToDev(2);
    promoteToDev(3);
    assertThat(rollback(digest(1), "back to the known good").digest()).isEqualTo(digest(1));
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
  }

  @Test
  void refusesADigestNeverPromotedThere() {
    promoteToDev(1);
    assertThatThrownBy(() -> rollback(digest(42), "wrong one"))
        .satisfies(t -> assertThat(Failures.type(t)).isEqualTo(FailureTypes.NOT_PROMOTED_HERE));
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(1));
    assertThat(h.world.holds).isEmpty();
  }

  @Test
  void refusesADigestGoneFromTheRegistry() {
    promoteToDev(1);
    promoteToDev(2);
    h.world.tags.values().remove(digest(1));
    assertThatThrownBy(() -> rollback(null, "registry was cleaned"))
        .satisfies(t -> assertThat(Failures.type(t)).isEqualTo(FailureTypes.DIGEST_NOT_FOUND));
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(2));
  }

  @Test
  void reVerifiesTheTargetBeforePinningIt() {
    promoteToDev(1);
    promoteToDev(2);
    rollback(null, "slow pages");
    assertThat(h.world.reverified).singleElement().satisfies(r -> {
      assertThat(r.release().digest()).isEqualTo(digest(1));
      assertThat(r.release().commit()).isEqualTo(commit(1));
      assertThat(r.release().image()).isEqualTo(h.service.image());
      assertThat(r.environment()).isEqualTo("dev");
    });
    // each healthy promotion left its verification summary, bound to its evidence bundle
    assertThat(h.world.summaries).extracting(s -> s.release().digest()).containsExactly(digest(1), digest(2));
    assertThat(h.world.summaries).allSatisfy(s -> assertThat(s.environment()).isEqualTo("dev"));
  }

  @Test
  void refusesATargetWhoseSignaturesNoLongerVerifyAndPinsNothing() {
    promoteToDev(1);
    promoteToDev(2);
    h.world.unverifiable.put(digest(1), "Gantry's signature for dev does not verify: key rotated out");
    assertThatThrownBy(() -> rollback(null, "errors after 2"))
        .satisfies(t -> {
          assertThat(Failures.type(t)).isEqualTo(FailureTypes.ROLLBACK_REFUSED);
          assertThat(Failures.reason(t)).contains("rollback to " + digest(1) + " refused").contains("key rotated out");
        });
    assertThat(h.world.digestAt("values-dev.yaml")).isEqualTo(digest(2));
    assertThat(h.world.commitsWith("Gantry-Rollback", "rollback/shop/dev/")).isZero();
    assertThat(h.world.holds).isEmpty();
    assertThat(h.world.audit.values()).filteredOn(a -> a.kind().equals("ROLLBACK")).singleElement().satisfies(a -> {
      assertThat(a.outcome()).isEqualTo(EnvironmentState.REFUSED.name());
      assertThat(a.reason()).contains("key rotated out");
    });
  }

  /**
   * The environment view reads the catalog: once it shows a rollback's outcome, nothing else may be
   * left to do (issue 13: a second rollback asked for then was refused as "already running").
   */
  @Test
  void recordsTheOutcomeInTheCatalogAsItsVeryLastStep() {
    promoteToDev(1);
    promoteToDev(2);
    rollback(null, "errors after 2");
    assertLastStepIsTheCatalogOutcome(EnvironmentState.PROMOTED);
  }

  @Test
  void recordsARefusalInTheCatalogAsItsVeryLastStepToo() {
    promoteToDev(1);
    promoteToDev(2);
    h.world.unverifiable.put(digest(1), "CI's signature does not verify");
    assertThatThrownBy(() -> rollback(null, "errors after 2"))
        .satisfies(t -> assertThat(Failures.type(t)).isEqualTo(FailureTypes.ROLLBACK_REFUSED));
    assertLastStepIsTheCatalogOutcome(EnvironmentState.REFUSED);
  }

  private void assertLastStepIsTheCatalogOutcome(EnvironmentState outcome) {
    List<HistoryEvent> events = h.client.fetchHistory(RollbackRequest.workflowId("shop", "dev")).getEvents();
    List<String> activities = events.stream()
        .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .toList();
    assertThat(activities).as("activities in order").last().isEqualTo("RecordPromotion");
    assertThat(activities).as("the audit append comes before the catalog's final record").contains("Append");
    assertThat(activities.lastIndexOf("Append")).isLessThan(activities.size() - 1);

    // after the final record's command nothing but the workflow's close: no activity, no upsert
    int last = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).hasActivityTaskScheduledEventAttributes()) {
        last = i;
      }
    }
    assertThat(events.subList(last + 1, events.size()))
        .as("events after the catalog's final record")
        .extracting(HistoryEvent::getEventType)
        .doesNotContain(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
            EventType.EVENT_TYPE_MARKER_RECORDED);
    assertThat(events.getLast().getEventType())
        .isIn(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    // and the catalog's last word on this run is its outcome
    PromotionRecord recorded = h.world.history.getLast();
    assertThat(recorded.kind()).isEqualTo("ROLLBACK");
    assertThat(recorded.outcome()).isEqualTo(outcome.name());
    assertThat(h.world.audit.values()).filteredOn(a -> a.kind().equals("ROLLBACK")).singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo(outcome.name()));
  }
}
