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
import io.temporal.client.WorkflowOptions;
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
}
