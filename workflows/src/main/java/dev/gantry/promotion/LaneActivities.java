package dev.gantry.promotion;

import io.temporal.activity.ActivityInterface;

/** Workflows cannot signal-with-start; this activity does it for them. */
@ActivityInterface
public interface LaneActivities {

  void enqueue(String laneWorkflowId, LaneRequest request);
}
