package dev.gantry.rollback;

import dev.gantry.release.EnvironmentState;

/** @param outcome PROMOTED when the pinned digest went live again, FAILED otherwise */
public record RollbackResult(String digest, String commit, String gitCommit, EnvironmentState outcome, String reason) {}
