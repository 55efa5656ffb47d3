package dev.gantry.model;

import java.time.Duration;

/**
 * Where an environment's digest lives: a YAML file on a branch of a git repository, and the path
 * of the digest scalar inside it, e.g. {@code image.digest} or {@code images[1].digest}.
 *
 * @param repository a git URL or a local path to a (bare) repository
 * @param outageLimit how long a GitOps change keeps being retried while the remote refuses or is
 *     unreachable before the promotion ends FAILED with the reason; null means {@link
 *     #DEFAULT_OUTAGE_LIMIT}
 */
public record GitOpsTarget(String repository, String branch, String file, String path, Duration outageLimit) {
  public static final Duration DEFAULT_OUTAGE_LIMIT = Duration.ofMinutes(10);

  public GitOpsTarget(String repository, String branch, String file, String path) {
    this(repository, branch, file, path, null);
  }

  /** The limit in force: the configured one, or the default. */
  public Duration outage() {
    return outageLimit == null ? DEFAULT_OUTAGE_LIMIT : outageLimit;
  }
}
