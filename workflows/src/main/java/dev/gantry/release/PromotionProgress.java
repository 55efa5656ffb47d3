package dev.gantry.release;

/** Sent by a promotion to its release as it moves, so the release view stays current. */
public record PromotionProgress(String environment, EnvironmentState state, String gitCommit, String reason) {}
