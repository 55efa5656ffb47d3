package dev.gantry.gitops;

import dev.gantry.model.GitOpsTarget;
import io.temporal.activity.ActivityInterface;

/**
 * Writes digests into a GitOps repository with JGit. Only the digest scalar changes: comments,
 * order, quoting and line endings of the file stay byte-identical.
 */
@ActivityInterface
public interface GitOpsActivities {

  /**
   * Commits and pushes the pin. A rejected push (someone else pushed first) is fetched, re-applied
   * and pushed again. Idempotent: when the digest is already at the target, nothing is committed.
   */
  GitChange pin(PinRequest request);

  /** The digest currently at the target on the remote branch. */
  String read(GitOpsTarget target);
}
