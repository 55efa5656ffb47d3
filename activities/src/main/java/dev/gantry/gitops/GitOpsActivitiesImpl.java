package dev.gantry.gitops;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Pins digests into GitOps repositories with JGit.
 *
 * <p>Each repository has a bare clone under {@link GitOpsSettings#workDir()} ({@link
 * RepositoryCache}). A pin never touches a working tree: it fetches {@code refs/heads/<branch>},
 * builds the new blob, tree and commit directly on the fetched tip ({@link PinCommit}) and pushes
 * that commit with the tip as the expected old value ({@link DirectPush}). So stale local state,
 * checkout filters ({@code autocrlf}, {@code .gitattributes}) and half-done earlier attempts cannot
 * leak into a pin: every attempt starts from what the remote has. This class checks the request
 * and hands it on.
 *
 * <p>Failure types: {@link FailureTypes#GITOPS_FILE_NOT_FOUND} (also for a missing branch),
 * {@link FailureTypes#GITOPS_PATH_NOT_FOUND} and {@link FailureTypes#GITOPS_UNSUPPORTED} are
 * non-retryable; {@link FailureTypes#GITOPS_PUSH_CONFLICT} (others kept winning the race),
 * {@link #PUSH_REJECTED} (the remote refused the push, e.g. a hook or branch protection) and
 * {@link #TRANSPORT_ERROR} are retryable; {@link #INVALID_REQUEST} is not.
 */
public final class GitOpsActivitiesImpl implements GitOpsActivities {

  /** Retryable: the remote refused the push for a reason other than a race. */
  public static final String PUSH_REJECTED = "GitOpsPushRejected";

  /** Retryable: the remote could not be reached or the transfer failed. */
  public static final String TRANSPORT_ERROR = "GitOpsTransportError";

  /** Non-retryable: the request itself cannot be turned into a commit (bad trailer, bad path). */
  public static final String INVALID_REQUEST = "GitOpsInvalidRequest";

  private static final Pattern TRAILER_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

  private final RepositoryCache cache;
  private final DirectPush direct;

  /** Runs before every push; tests use it to make another writer win the race on purpose. */
  Runnable beforePush = () -> {};

  /** Runs before every fetch with the clone's directory; tests use it to lock a ref under it. */
  Consumer<Path> beforeFetch = clone -> {};

  public GitOpsActivitiesImpl(GitOpsSettings settings) {
    // the hooks are read when they run, so a test may set them after construction
    this.cache = new RepositoryCache(settings, clone -> beforeFetch.accept(clone));
    this.direct = new DirectPush(settings, cache, () -> beforePush.run());
  }

  @Override
  public GitChange pin(PinRequest request) {
    validate(request);
    GitOpsTarget target = request.target();
    String file = normalizeFile(target.file());
    Map<String, String> trailers = request.trailers() == null ? Map.of() : request.trailers();
    String message = PinCommit.message(request, file, trailers);
    return cache.withClone(target, repo -> direct.pin(repo, request, file, trailers, message));
  }

  @Override
  public String read(GitOpsTarget target) {
    validate(target);
    String file = normalizeFile(target.file());
    return cache.withClone(
        target,
        repo -> {
          RevCommit head = cache.fetch(repo, target);
          String content = GitOpsFiles.readContent(repo, head, target, file);
          try {
            return YamlDigestEditor.read(content, target.path());
          } catch (YamlEditException e) {
            throw GitOpsFiles.yamlFailure(e, target, file);
          }
        });
  }

  Path cloneDir(String repository) {
    return cache.cloneDir(repository);
  }

  // ---- request checks ----

  private static void validate(PinRequest request) {
    if (request == null || request.digest() == null || request.digest().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("a pin needs a digest", INVALID_REQUEST);
    }
    validate(request.target());
    if (request.trailers() != null) {
      for (Map.Entry<String, String> t : request.trailers().entrySet()) {
        if (t.getKey() == null || !TRAILER_KEY.matcher(t.getKey()).matches()
            || t.getValue() == null || t.getValue().isBlank() || t.getValue().contains("\n") || t.getValue().contains("\r")) {
          throw ApplicationFailure.newNonRetryableFailure(
              "invalid commit trailer: " + t.getKey() + ": " + t.getValue(), INVALID_REQUEST);
        }
      }
    }
  }

  private static void validate(GitOpsTarget target) {
    if (target == null || blank(target.repository()) || blank(target.branch()) || blank(target.file()) || blank(target.path())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a GitOps target needs repository, branch, file and path: " + target, INVALID_REQUEST);
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String normalizeFile(String file) {
    String f = file.replace('\\', '/');
    while (f.startsWith("./") || f.startsWith("/")) {
      f = f.startsWith("./") ? f.substring(2) : f.substring(1);
    }
    List<String> parts = new ArrayList<>(List.of(f.split("/")));
    if (f.isEmpty() || parts.stream().anyMatch(p -> p.isEmpty() || p.equals(".") || p.equals(".."))) {
      throw ApplicationFailure.newNonRetryableFailure(
          "not a file path inside the repository: " + file, INVALID_REQUEST);
    }
    return f;
  }
}
