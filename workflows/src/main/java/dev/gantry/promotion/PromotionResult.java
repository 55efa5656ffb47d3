package dev.gantry.promotion;

import dev.gantry.release.EnvironmentState;

/**
 * @param outcome PROMOTED, COMPENSATED, SUPERSEDED or FAILED
 * @param gitCommit the commit that pinned the digest, if it was pushed
 * @param compensationCommit the commit that put the previous digest back, if any
 */
public record PromotionResult(EnvironmentState outcome, String gitCommit, String compensationCommit, String reason) {}
