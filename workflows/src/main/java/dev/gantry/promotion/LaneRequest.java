package dev.gantry.promotion;

import java.time.Duration;

/**
 * A promotion asking for its environment's lane.
 *
 * @param maxHold after this the lane stops waiting for the holder (a safety net, not a schedule)
 */
public record LaneRequest(String promotionWorkflowId, String commit, Duration maxHold) {}
