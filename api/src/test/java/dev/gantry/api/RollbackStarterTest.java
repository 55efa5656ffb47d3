package dev.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.TaskQueues;
import dev.gantry.release.EnvironmentState;
import dev.gantry.rollback.RollbackRequest;
import dev.gantry.rollback.RollbackResult;
import dev.gantry.rollback.RollbackWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * The starter against Temporal's test server, with a rollback workflow that only holds its id for
 * as long as its reason says: what the API answers depends only on whether the running one has
 * recorded its outcome.
 */
class RollbackStarterTest {
  private static final String D1 = "sha256:" + "1".repeat(64);

  /** Holds the environment's workflow id for the number of seconds in its reason, as a rollback that pins D1. */
  public static class HoldingRollback implements RollbackWorkflow {
    @Override
    public RollbackResult run(RollbackRequest request) {
      Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet("ROLLING_BACK"), SearchAttributes.DIGEST.valueSet(D1));
      Workflow.sleep(Duration.ofSeconds(Long.parseLong(request.reason())));
      return new RollbackResult(D1, null, null, EnvironmentState.PROMOTED, "");
    }
  }

  private TestWorkflowEnvironment env;
  private final Map<String, CatalogQueries.HistoryEntry> catalog = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    SearchAttributes.ALL.forEach(env::registerSearchAttribute);
    env.newWorker(TaskQueues.GANTRY).registerWorkflowImplementationTypes(HoldingRollback.class);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private RollbackStarter starter(Duration wait) {
    return new RollbackStarter(env.getWorkflowClient(), id -> Optional.ofNullable(catalog.get(id)), wait);
  }

  private static RollbackRequest holding(long seconds) {
    var dev = new EnvironmentSpec("dev", 0, null, List.of(), null, null, null, null, null, null, null);
    return new RollbackRequest("storefront", "registry.local/storefront", dev, null, "oncall", Long.toString(seconds));
  }

  @Test
  void theFirstRollbackOfAnEnvironmentStarts() {
    WorkflowExecution run = starter(Duration.ofSeconds(5)).start(holding(1));
    assertThat(run.getWorkflowId()).isEqualTo("rollback/storefront/dev");
    assertThat(run.getRunId()).isNotBlank();
  }

  @Test
  void aRollbackStillRunningIsNamedWithItsRunDigestAndState() {
    RollbackStarter starter = starter(Duration.ofSeconds(5));
    WorkflowExecution first = starter.start(holding(3600));
    env.sleep(Duration.ofMillis(200)); // let it upsert its status

    ApiProblem refused = catchThrowableOfType(ApiProblem.class, () -> starter.start(holding(1)));

    assertThat(refused.status()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(refused.type()).isEqualTo("RollbackRunning");
    assertThat(refused.getMessage()).contains("a rollback of storefront/dev is already running (ROLLING_BACK " + D1 + ")");
    assertThat(refused.properties())
        .containsEntry("id", "rollback/storefront/dev")
        .containsEntry("runId", first.getRunId())
        .containsEntry("digest", D1)
        .containsEntry("state", "ROLLING_BACK");
    assertThat(refused.location()).hasToString("/api/v1/services/storefront/environments/dev");
  }

  @Test
  void oneThatHasRecordedItsOutcomeIsWaitedForAndThenTheNewOneStarts() {
    RollbackStarter starter = starter(Duration.ofSeconds(5));
    WorkflowExecution first = starter.start(holding(30));
    // what the environment view shows: the first one's outcome, recorded as its last step
    catalog.put(first.getWorkflowId() + "/" + first.getRunId(),
        new CatalogQueries.HistoryEntry(first.getWorkflowId() + "/" + first.getRunId(), "ROLLBACK", D1, null, null, "PROMOTED", List.of(), "oncall", "", Instant.now()));

    WorkflowExecution second = starter.start(holding(1));

    assertThat(second.getWorkflowId()).isEqualTo(first.getWorkflowId());
    assertThat(second.getRunId()).isNotEqualTo(first.getRunId());
  }

  @Test
  void oneThatRecordedItsOutcomeButDoesNotCloseInTimeIsNamedToo() {
    RollbackStarter starter = starter(Duration.ZERO);
    WorkflowExecution first = starter.start(holding(3600));
    catalog.put(first.getWorkflowId() + "/" + first.getRunId(),
        new CatalogQueries.HistoryEntry(first.getWorkflowId() + "/" + first.getRunId(), "ROLLBACK", D1, null, null, "PROMOTED", List.of(), "oncall", "", Instant.now()));

    ApiProblem refused = catchThrowableOfType(ApiProblem.class, () -> starter.start(holding(1)));

    assertThat(refused.getMessage()).contains("has recorded its outcome but did not close within 0 ms");
    assertThat(refused.properties()).containsEntry("runId", first.getRunId()).containsEntry("state", "PROMOTED");
  }

  @Test
  void aNegativeWaitIsRefusedAtStartUp() {
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> starter(Duration.ofSeconds(-1))))
        .hasMessageContaining("gantry.rollback.finishing-wait must not be negative");
  }
}
