package dev.gantry.rollback;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Pin an earlier, already promoted digest again and hold the environment. No gates but
 * authorization (checked by the API) and the digest's presence: it must be fast.
 */
@WorkflowInterface
public interface RollbackWorkflow {

  @WorkflowMethod
  RollbackResult run(RollbackRequest request);
}
