package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Start-up against a real Temporal server that is not there: a bounded wait, then a useful error. */
class TemporalConfigurationTest {

  @Test
  void aServerThatNeverAnswersEndsTheWaitWithAnErrorThatSaysWhatToDo() throws Exception {
    String target = "127.0.0.1:" + GantryProcess.freePort(); // nothing listens there
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    try {
      Duration wait = Duration.ofSeconds(2);
      assertThatThrownBy(() -> TemporalConfiguration.ensureNamespace(
              stubs, target, "gantry", Duration.ofDays(1), System.nanoTime() + wait.toNanos(), wait))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Temporal at " + target + " did not answer within PT2S")
          .hasMessageContaining("UNAVAILABLE")
          .hasMessageContaining("deploy/temporal/run.sh")
          .hasMessageContaining("gantry.temporal.target");
    } finally {
      stubs.shutdownNow();
    }
  }
}
