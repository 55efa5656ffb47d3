package dev.gantry.gitops;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pin delivered straight onto the target branch: the commit ({@link PinCommit}) is pushed with
 * the fetched tip as the expected old value, so a concurrent push is a rejection, never an
 * overwrite. A lost race is fetched, re-applied and pushed again; after the last attempt it is
 * {@link FailureTypes#GITOPS_PUSH_CONFLICT}. A push the remote refuses for another reason (a hook,
 * branch protection) is {@link GitOpsActivitiesImpl#PUSH_REJECTED} with what the remote said.
 */
final class DirectPush {

  // under the activity's name, as operators know these lines
  private static final Logger log = LoggerFactory.getLogger(GitOpsActivitiesImpl.class);

  private final GitOpsSettings settings;
  private final RepositoryCache cache;
  private final Runnable beforePush;

  /** @param beforePush runs before every push (a test hook) */
  DirectPush(GitOpsSettings settings, RepositoryCache cache, Runnable beforePush) {
    this.settings = settings;
    this.cache = cache;
    this.beforePush = beforePush;
  }

  /**
   * Pins on the clone {@code repo}: up to {@link GitOpsSettings#maxPushAttempts()} attempts of
   * fetch, look for an earlier attempt's commit, edit, commit and push, with a jittered pause and a
   * heartbeat between attempts.
   */
  GitChange pin(
      Repository repo, PinRequest request, String file, Map<String, String> trailers, String message)
      throws IOException {
    GitOpsTarget target = request.target();
    String lastRace = null;
    for (int attempt = 1; attempt <= settings.maxPushAttempts(); attempt++) {
      if (attempt > 1) {
        heartbeat(attempt);
        backoff(attempt);
      }
      RevCommit head = cache.fetch(repo, target);
      Optional<GitChange> done = PinCommit.findPinned(repo, head, file, target.path(), trailers);
      if (done.isPresent()) {
        return done.get();
      }
      String content = GitOpsFiles.readContent(repo, head, target, file);
      YamlDigestEditor.Edit edit = GitOpsFiles.editYaml(content, target, file, request.digest());
      if (edit.previous().equals(request.digest())) {
        return new GitChange(head.name(), edit.previous(), false);
      }
      ObjectId commit =
          PinCommit.commit(repo, head, file, edit.content().getBytes(StandardCharsets.UTF_8), message, settings);
      beforePush.run();
      Pushed pushed = push(repo, target, commit, head);
      RemoteRefUpdate update = pushed.update();
      switch (classify(update)) {
        case PUSHED -> {
          log.info(
              "pinned {} at {}:{}:{} in {} (attempt {})",
              request.digest(), target.branch(), file, target.path(), commit.name(), attempt);
          return new GitChange(commit.name(), edit.previous(), true);
        }
        case RACE -> lastRace = describe(update);
        case REFUSED ->
            throw ApplicationFailure.newFailure(
                "push to "
                    + target.repository()
                    + " branch "
                    + target.branch()
                    + " was refused by the remote: "
                    + describe(update)
                    + pushed.remoteMessages(),
                GitOpsActivitiesImpl.PUSH_REJECTED);
      }
    }
    throw ApplicationFailure.newFailure(
        "others kept pushing to "
            + target.repository()
            + " branch "
            + target.branch()
            + "; gave up after "
            + settings.maxPushAttempts()
            + " attempts (last: "
            + lastRace
            + ")",
        FailureTypes.GITOPS_PUSH_CONFLICT);
  }

  private Pushed push(Repository repo, GitOpsTarget target, ObjectId commit, RevCommit base)
      throws IOException {
    String remoteRef = Constants.R_HEADS + target.branch();
    try (Transport transport = cache.open(repo, target)) {
      // Expecting `base` makes the push a compare-and-swap: a concurrent push is a rejection,
      // never an overwrite.
      RemoteRefUpdate update =
          new RemoteRefUpdate(repo, commit.name(), commit, remoteRef, false, null, base);
      PushResult result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
      RemoteRefUpdate outcome = result.getRemoteUpdate(remoteRef);
      return new Pushed(outcome == null ? update : outcome, result.getMessages());
    }
  }

  private enum Verdict {
    PUSHED,
    RACE,
    REFUSED
  }

  private static Verdict classify(RemoteRefUpdate update) {
    return switch (update.getStatus()) {
      case OK, UP_TO_DATE -> Verdict.PUSHED;
      case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> Verdict.RACE;
      case REJECTED_OTHER_REASON -> lostRefLock(update.getMessage()) ? Verdict.RACE : Verdict.REFUSED;
      default -> Verdict.REFUSED;
    };
  }

  /** Servers report a ref updated under their feet in words, not in a status of its own. */
  private static boolean lostRefLock(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("lock") || m.contains("fetch first") || m.contains("non-fast-forward")
        || m.contains("stale info") || m.contains("failed to update ref");
  }

  private static String describe(RemoteRefUpdate update) {
    return update.getStatus() + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")");
  }

  /** A push's ref update and what the remote printed (hook output arrives here). */
  private record Pushed(RemoteRefUpdate update, String messages) {
    String remoteMessages() {
      return messages == null || messages.isBlank()
          ? ""
          : "; remote said: " + messages.strip().replaceAll("\\s*\\n\\s*", " / ");
    }
  }

  // ---- pacing ----

  private static void heartbeat(int attempt) {
    ActivityExecutionContext context;
    try {
      context = Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException e) {
      return; // called directly, outside an activity
    }
    context.heartbeat(attempt);
  }

  private static void backoff(int attempt) {
    long cap = Math.min(1_000, 25L << Math.min(attempt, 6));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while waiting to retry a push", FailureTypes.GITOPS_PUSH_CONFLICT);
    }
  }
}
