package dev.gantry.release;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.SearchAttributes.Builder;
import io.temporal.failure.ApplicationFailure;

/**
 * Starts a release idempotently: update-with-start, so the caller learns the digest (or why there
 * is none) in the same call, and a second start of the same commit joins the first.
 */
public final class ReleaseClient {
  private final WorkflowClient client;

  public ReleaseClient(WorkflowClient client) {
    this.client = client;
  }

  /**
   * @throws io.temporal.client.WorkflowUpdateException whose cause is an {@link ApplicationFailure}
   *     typed {@code TagNotFound}, {@code RegistryNotAllowed}, {@code DigestConflict}, ...
   */
  public Registered start(ReleaseRequest request) {
    String id = ReleaseRequest.workflowId(request.service().name(), request.commit());
    Builder attributes =
        io.temporal.common.SearchAttributes.newBuilder()
            .set(SearchAttributes.SERVICE, request.service().name())
            .set(SearchAttributes.COMMIT, request.commit());
    ReleaseWorkflow release =
        client.newWorkflowStub(
            ReleaseWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.GANTRY)
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                // a release whose tag did not resolve failed; a corrected start may reuse its id
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setTypedSearchAttributes(attributes.build())
                .build());
    try {
      return WorkflowClient.executeUpdateWithStart(
          release::register,
          new Registration(request.tag(), request.startedBy()),
          UpdateOptions.<Registered>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
          new WithStartWorkflowOperation<>(release::run, request));
    } catch (WorkflowExecutionAlreadyStarted closed) {
      // the release ran to its end before; nothing can be re-resolved, so only the same tag joins it
      ReleaseView existing = client.newWorkflowStub(ReleaseWorkflow.class, id).view();
      if (request.tag() != null && !request.tag().equals(existing.tag())) {
        throw ApplicationFailure.newNonRetryableFailure(
            "commit " + request.commit() + " was released as " + existing.digest() + " from tag " + existing.tag()
                + "; a different tag cannot join it",
            FailureTypes.DIGEST_CONFLICT);
      }
      return new Registered(false, existing);
    }
  }
}
