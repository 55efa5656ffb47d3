package dev.gantry.promotion;

import dev.gantry.model.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;

/**
 * Talks only to Temporal, so it lives beside the lane rather than with the activities of outside
 * systems.
 */
public class LaneActivitiesImpl implements LaneActivities {
  private final WorkflowClient client;

  public LaneActivitiesImpl(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public void enqueue(String laneWorkflowId, LaneRequest request) {
    PromotionLaneWorkflow lane =
        client.newWorkflowStub(
            PromotionLaneWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(laneWorkflowId)
                .setTaskQueue(TaskQueues.GANTRY)
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .setWorkflowRunTimeout(Duration.ofDays(3650))
                .build());
    io.temporal.client.BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(lane::run, new LaneState(null, List.of(), 0));
    batch.add(lane::enqueue, request);
    client.signalWithStart(batch);
  }
}
