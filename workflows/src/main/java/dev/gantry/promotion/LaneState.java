package dev.gantry.promotion;

import java.util.List;

/** What a lane carries over continue-as-new, and what its query shows. */
public record LaneState(String holder, List<LaneRequest> waiting, long grants) {}
