package dev.gantry.release;

import java.util.List;

/**
 * One environment of a release.
 *
 * @param required approvals needed (0 = automatic)
 * @param gitCommit the GitOps commit that pinned the digest, once pushed
 */
public record EnvironmentView(
    String name,
    EnvironmentState state,
    String digest,
    List<ApprovalView> approvals,
    int required,
    String gitCommit,
    String reason,
    String rejectedBy) {}
