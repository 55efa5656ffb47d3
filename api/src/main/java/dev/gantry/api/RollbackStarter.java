package dev.gantry.api;

import dev.gantry.model.SearchAttributes;
import dev.gantry.model.TaskQueues;
import dev.gantry.release.EnvironmentState;
import dev.gantry.rollback.RollbackRequest;
import dev.gantry.rollback.RollbackResult;
import dev.gantry.rollback.RollbackWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;

/**
 * Starts a rollback: one workflow per service and environment ({@code rollback/<service>/<env>})
 * runs at a time.
 *
 * <p>When one is already running, what the client may have seen decides. A rollback writes its
 * outcome to the catalog as its last step ({@code Versions.outcomeRecordedLast}), so a run whose
 * outcome is recorded (or whose status search attribute is final) has only its close left: the
 * new request waits up to {@code finishingWait} for that run to close and then starts. Any other
 * running rollback is refused with a {@code RollbackRunning} problem naming it ({@code id},
 * {@code runId}, {@code digest}, {@code state}) and a {@code Location} to the environment. Nothing
 * is queued: the running rollback is never replaced by a newer request behind the caller's back.
 */
public class RollbackStarter {
  private static final Logger log = LoggerFactory.getLogger(RollbackStarter.class);
  /** Starting again after a run closed can meet another request's run: bounded, never a loop. */
  private static final int ATTEMPTS = 3;

  /** The rollback that holds the environment's workflow id. */
  public record Running(String id, String runId, String digest, String state, boolean finishing) {}

  private final WorkflowClient client;
  private final Function<String, Optional<CatalogQueries.HistoryEntry>> recorded;
  private final Duration finishingWait;

  /**
   * @param recorded the catalog entry of a run by its id ({@code <workflow id>/<run id>})
   * @param finishingWait how long a request waits for a rollback that has recorded its outcome to close
   */
  public RollbackStarter(WorkflowClient client, Function<String, Optional<CatalogQueries.HistoryEntry>> recorded, Duration finishingWait) {
    if (finishingWait.isNegative()) {
      throw new IllegalArgumentException("gantry.rollback.finishing-wait must not be negative, got " + finishingWait);
    }
    this.client = client;
    this.recorded = recorded;
    this.finishingWait = finishingWait;
  }

  /**
   * @return the started run
   * @throws ApiProblem {@code RollbackRunning} (409) when another rollback of the environment runs
   *     and is not finishing, or did not close within the wait
   */
  public WorkflowExecution start(RollbackRequest request) {
    String id = RollbackRequest.workflowId(request.service(), request.environment().name());
    long deadline = System.nanoTime() + finishingWait.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        return WorkflowClient.start(stub(id)::run, request);
      } catch (WorkflowExecutionAlreadyStarted e) {
        Optional<Running> running = running(id);
        if (running.isEmpty() && attempt < ATTEMPTS) {
          continue; // it closed between the start and the look: start again
        }
        Running r = running.orElse(new Running(id, null, null, null, false));
        long left = deadline - System.nanoTime();
        long waiting = System.nanoTime();
        if (!r.finishing() || left <= 0 || attempt >= ATTEMPTS || !awaitClose(r, left)) {
          throw runningProblem(request, r);
        }
        log.info("{}: waited {} ms for run {} ({}) to close, then started the next rollback",
            id, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waiting), r.runId(), r.state());
      }
    }
  }

  /** The running rollback of that workflow id, if one runs. */
  public Optional<Running> running(String id) {
    WorkflowExecutionDescription d;
    try {
      d = client.newUntypedWorkflowStub(id).describe();
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    }
    if (d.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return Optional.empty();
    }
    String runId = d.getExecution().getRunId();
    Optional<CatalogQueries.HistoryEntry> entry;
    try {
      entry = recorded.apply(id + "/" + runId);
    } catch (DataAccessException e) {
      log.warn("catalog unavailable while describing the running rollback {}: {}", id, e.toString());
      entry = Optional.empty();
    }
    String status = attribute(d, SearchAttributes.STATUS);
    String state = entry.map(CatalogQueries.HistoryEntry::outcome).orElse(status);
    String digest = entry.map(CatalogQueries.HistoryEntry::digest).orElse(attribute(d, SearchAttributes.DIGEST));
    boolean finishing = isFinal(entry.map(CatalogQueries.HistoryEntry::outcome).orElse(null)) || isFinal(status);
    return Optional.of(new Running(id, runId, digest, state, finishing));
  }

  /** @return whether the run closed (whatever its outcome) within the time left */
  private boolean awaitClose(Running running, long nanos) {
    try {
      client.newUntypedWorkflowStub(running.id(), Optional.of(running.runId()), Optional.empty())
          .getResult(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), TimeUnit.MILLISECONDS, RollbackResult.class);
      return true;
    } catch (WorkflowFailedException e) {
      return true; // refused or failed: closed all the same, and its outcome is recorded
    } catch (TimeoutException e) {
      return false;
    }
  }

  private RollbackWorkflow stub(String id) {
    return client.newWorkflowStub(
        RollbackWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(TaskQueues.GANTRY)
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .build());
  }

  private ApiProblem runningProblem(RollbackRequest request, Running running) {
    String where = request.service() + "/" + request.environment().name();
    String what = running.state() == null ? "" : " (" + running.state() + (running.digest() == null ? "" : " " + running.digest()) + ")";
    String detail = running.finishing()
        ? "the rollback of " + where + " running now" + what + " has recorded its outcome but did not close within "
            + finishingWait.toMillis() + " ms; ask again shortly"
        : "a rollback of " + where + " is already running" + what + "; follow it at the environment and ask again once it is done";
    return new ApiProblem(HttpStatus.CONFLICT, "RollbackRunning", detail)
        .with("id", running.id())
        .with("runId", running.runId())
        .with("digest", running.digest())
        .with("state", running.state())
        .location(URI.create("/api/v1/services/" + request.service() + "/environments/" + request.environment().name()));
  }

  private static boolean isFinal(String state) {
    if (state == null) {
      return false;
    }
    try {
      return EnvironmentState.valueOf(state).terminal();
    } catch (IllegalArgumentException e) {
      return false; // ROLLING_BACK: the workflow's own status before it pins
    }
  }

  private static String attribute(WorkflowExecutionDescription d, SearchAttributeKey<String> key) {
    var attributes = d.getTypedSearchAttributes();
    return attributes != null && attributes.containsKey(key) ? attributes.get(key) : null;
  }
}
