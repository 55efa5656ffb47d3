package dev.gantry.promotion;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Serialises promotions of one service into one environment: one holder at a time, at most one
 * waiting; a newer request supersedes the one waiting. Id {@code lane/<service>/<environment>}.
 */
@WorkflowInterface
public interface PromotionLaneWorkflow {

  static String workflowId(String service, String environment) {
    return "lane/" + service + "/" + environment;
  }

  @WorkflowMethod
  void run(LaneState carried);

  @SignalMethod
  void enqueue(LaneRequest request);

  /** The holder is done (or a waiting promotion gave up). */
  @SignalMethod
  void leave(String promotionWorkflowId);

  @QueryMethod
  LaneState state();
}
