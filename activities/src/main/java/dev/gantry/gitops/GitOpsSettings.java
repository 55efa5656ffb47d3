package dev.gantry.gitops;

import dev.gantry.access.Credentials;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link GitOpsActivitiesImpl} reaches GitOps repositories.
 *
 * @param workDir where the local clones live, one bare clone per repository; safe to delete
 *     while no activity runs
 * @param authorName author and committer name of the pin commits
 * @param authorEmail author and committer email of the pin commits
 * @param maxPushAttempts how often one pin fetches, re-applies and pushes when others pushed
 *     first, before it gives up with a retryable {@code GitOpsPushConflict}
 * @param credentials username and password (or token) per repository, keyed by the repository
 *     string exactly as it appears in {@code GitOpsTarget.repository()}; for https remotes
 */
public record GitOpsSettings(
    Path workDir,
    String authorName,
    String authorEmail,
    int maxPushAttempts,
    Map<String, Credentials> credentials) {

  public GitOpsSettings {
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(authorName, "authorName");
    Objects.requireNonNull(authorEmail, "authorEmail");
    if (maxPushAttempts < 1) {
      throw new IllegalArgumentException("maxPushAttempts must be at least 1");
    }
    credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
  }

  /** Author {@code Gantry <gantry@localhost>}, 5 push attempts, no credentials. */
  public static GitOpsSettings defaults(Path workDir) {
    return new GitOpsSettings(workDir, "Gantry", "gantry@localhost", 5, Map.of());
  }

  public GitOpsSettings withCredentials(String repository, String username, String password) {
    Map<String, Credentials> all = new HashMap<>(credentials);
    all.put(repository, new Credentials(username, password));
    return new GitOpsSettings(workDir, authorName, authorEmail, maxPushAttempts, all);
  }

  public GitOpsSettings withMaxPushAttempts(int attempts) {
    return new GitOpsSettings(workDir, authorName, authorEmail, attempts, credentials);
  }

  public Optional<Credentials> credentialsFor(String repository) {
    return Optional.ofNullable(credentials.get(repository));
  }
}
