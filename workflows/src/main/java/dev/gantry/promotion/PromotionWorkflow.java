package dev.gantry.promotion;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One release into one environment: wait out a hold, take the environment's lane, pin the digest
 * through GitOps, wait until it is live and healthy and the soak passed; on any failure after the
 * push, pin the last known good again.
 */
@WorkflowInterface
public interface PromotionWorkflow {

  static String workflowId(String service, String environment, String commit) {
    return "promotion/" + service + "/" + environment + "/" + commit;
  }

  @WorkflowMethod
  PromotionResult run(PromotionRequest request);

  /** From the lane: this promotion's turn. */
  @SignalMethod
  void granted();

  /** From the lane: a newer release queued for the same environment replaces this one. */
  @SignalMethod
  void superseded(String byCommit);
}
