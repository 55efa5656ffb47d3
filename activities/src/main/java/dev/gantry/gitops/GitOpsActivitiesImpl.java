package dev.gantry.gitops;

import dev.gantry.access.Credentials;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins digests into GitOps repositories with JGit.
 *
 * <p>Each repository has a bare clone under {@link GitOpsSettings#workDir()}. A pin never touches
 * a working tree: it fetches {@code refs/heads/<branch>}, builds the new blob, tree and commit
 * directly on the fetched tip and pushes that commit with the tip as the expected old value. So
 * stale local state, checkout filters ({@code autocrlf}, {@code .gitattributes}) and half-done
 * earlier attempts cannot leak into a pin: every attempt starts from what the remote has.
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

  /** How far back a retried pin looks for the commit it may already have made. */
  static final int HISTORY_DEPTH = 500;

  private static final int TRANSPORT_TIMEOUT_SECONDS = 60;
  private static final Pattern TRAILER_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
  private static final Logger log = LoggerFactory.getLogger(GitOpsActivitiesImpl.class);

  // Static: two instances sharing a work dir in one process must still take turns on a clone.
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final GitOpsSettings settings;

  /** Runs before every push; tests use it to make another writer win the race on purpose. */
  Runnable beforePush = () -> {};

  /** Runs before every fetch with the clone's directory; tests use it to lock a ref under it. */
  java.util.function.Consumer<Path> beforeFetch = clone -> {};

  public GitOpsActivitiesImpl(GitOpsSettings settings) {
    this.settings = settings;
  }

  @Override
  public GitChange pin(PinRequest request) {
    validate(request);
    GitOpsTarget target = request.target();
    String file = normalizeFile(target.file());
    Map<String, String> trailers = request.trailers() == null ? Map.of() : request.trailers();
    String message = commitMessage(request, file, trailers);
    return withClone(
        target,
        repo -> {
          String lastRace = null;
          for (int attempt = 1; attempt <= settings.maxPushAttempts(); attempt++) {
            if (attempt > 1) {
              heartbeat(attempt);
              backoff(attempt);
            }
            RevCommit head = fetch(repo, target);
            Optional<GitChange> done = findPinned(repo, head, file, target.path(), trailers);
            if (done.isPresent()) {
              return done.get();
            }
            String content = readContent(repo, head, target, file);
            YamlDigestEditor.Edit edit = editYaml(content, target, file, request.digest());
            if (edit.previous().equals(request.digest())) {
              return new GitChange(head.name(), edit.previous(), false);
            }
            ObjectId commit =
                commit(repo, head, file, edit.content().getBytes(StandardCharsets.UTF_8), message);
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
                      PUSH_REJECTED);
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
        });
  }

  @Override
  public String read(GitOpsTarget target) {
    validate(target);
    String file = normalizeFile(target.file());
    return withClone(
        target,
        repo -> {
          RevCommit head = fetch(repo, target);
          String content = readContent(repo, head, target, file);
          try {
            return YamlDigestEditor.read(content, target.path());
          } catch (YamlEditException e) {
            throw yamlFailure(e, target, file);
          }
        });
  }

  // ---- clone handling ----

  private interface CloneWork<T> {
    T run(Repository repo) throws IOException;
  }

  private <T> T withClone(GitOpsTarget target, CloneWork<T> work) {
    Path dir = cloneDir(target.repository());
    ReentrantLock lock = LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
    lock.lock();
    try (FileChannel channel = lockFile(dir);
        FileLock processLock = channel.lock();
        Repository repo = openClone(dir)) {
      return work.run(repo);
    } catch (TransportException e) {
      throw ApplicationFailure.newFailureWithCause(
          "cannot reach " + target.repository() + ": " + e.getMessage(), TRANSPORT_ERROR, e);
    } catch (IOException e) {
      throw ApplicationFailure.newFailureWithCause(
          "git operation on " + target.repository() + " failed: " + e.getMessage(),
          TRANSPORT_ERROR,
          e);
    } finally {
      lock.unlock();
    }
  }

  Path cloneDir(String repository) {
    String readable = repository.replaceAll("[^A-Za-z0-9._-]+", "_");
    if (readable.length() > 60) {
      readable = readable.substring(readable.length() - 60);
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(repository.getBytes(StandardCharsets.UTF_8));
      String id = HexFormat.of().formatHex(hash, 0, 8);
      return settings.workDir().resolve(readable + "-" + id + ".git").toAbsolutePath().normalize();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Workers in other processes may share the work dir; the in-process lock cannot see them, and
   * a file lock alone does not exclude threads of one JVM, hence both.
   */
  private static FileChannel lockFile(Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    return FileChannel.open(
        dir.resolveSibling(dir.getFileName() + ".lock"),
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
  }

  private static Repository openClone(Path dir) throws IOException {
    if (Files.isDirectory(dir.resolve("objects")) && Files.isRegularFile(dir.resolve("HEAD"))) {
      removeStaleLocks(dir);
      return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
    }
    // A clone interrupted half-way is cheaper to start again than to repair.
    deleteRecursively(dir);
    Files.createDirectories(dir.getParent());
    Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
    repo.create(true);
    return repo;
  }

  /**
   * A worker killed while git wrote a ref leaves {@code <ref>.lock} behind, and every later update
   * of that ref fails. The caller holds both the process and the file lock on this clone, so no
   * live Gantry writer can own one: they are leftovers.
   */
  private static void removeStaleLocks(Path dir) throws IOException {
    // refs and the files beside them (packed-refs, HEAD, config); never the object store, which
    // grows with every pin and holds no lock files
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> top = Files.list(dir)) {
      top.filter(GitOpsActivitiesImpl::isLockFile).forEach(stale::add);
    }
    Path refs = dir.resolve("refs");
    if (Files.isDirectory(refs)) {
      try (Stream<Path> paths = Files.walk(refs)) {
        paths.filter(GitOpsActivitiesImpl::isLockFile).forEach(stale::add);
      }
    }
    for (Path lock : stale) {
      log.warn("removing {}, left in {} by a worker that stopped while writing it", dir.relativize(lock), dir);
      Files.deleteIfExists(lock);
    }
  }

  private static boolean isLockFile(Path p) {
    return p.getFileName().toString().endsWith(".lock") && Files.isRegularFile(p);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private Transport open(Repository repo, GitOpsTarget target) throws IOException {
    URIish uri;
    try {
      uri = new URIish(target.repository());
    } catch (URISyntaxException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "not a git repository URL: " + target.repository(), INVALID_REQUEST);
    }
    Transport transport = Transport.open(repo, uri);
    transport.setTimeout(TRANSPORT_TIMEOUT_SECONDS);
    settings
        .credentialsFor(target.repository())
        .ifPresent(
            c ->
                transport.setCredentialsProvider(
                    new UsernamePasswordCredentialsProvider(c.username(), c.password())));
    return transport;
  }

  /** Fetches the branch and returns its tip as the remote has it now. */
  private RevCommit fetch(Repository repo, GitOpsTarget target) throws IOException {
    String remoteRef = Constants.R_HEADS + target.branch();
    String trackingRef = Constants.R_REMOTES + "origin/" + target.branch();
    beforeFetch.accept(repo.getDirectory().toPath());
    FetchResult fetched;
    try (Transport transport = open(repo, target)) {
      try {
        fetched = transport.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec("+" + remoteRef + ":" + trackingRef)));
      } catch (TransportException e) {
        if (!branchExists(transport, remoteRef)) {
          throw ApplicationFailure.newNonRetryableFailure(
              "branch " + target.branch() + " does not exist in " + target.repository(),
              FailureTypes.GITOPS_FILE_NOT_FOUND);
        }
        throw e;
      }
    }
    // the tip the remote advertised, not the tracking ref: that is only a cache, and a ref
    // update that failed (a lock) must never make the clone's older view the base of a push
    Ref tip = fetched.getAdvertisedRef(remoteRef);
    if (tip == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "branch " + target.branch() + " does not exist in " + target.repository(),
          FailureTypes.GITOPS_FILE_NOT_FOUND);
    }
    TrackingRefUpdate tracking = fetched.getTrackingRefUpdate(trackingRef);
    if (tracking != null && !updated(tracking.getResult())) {
      log.warn("could not update {} in {} ({}); pinning on the remote's tip {} all the same",
          trackingRef, repo.getDirectory(), tracking.getResult(), tip.getObjectId().name());
    }
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.parseCommit(tip.getObjectId());
    }
  }

  private static boolean updated(RefUpdate.Result result) {
    return switch (result) {
      case NEW, FORCED, FAST_FORWARD, NO_CHANGE, RENAMED -> true;
      default -> false;
    };
  }

  private static boolean branchExists(Transport transport, String ref) {
    try (FetchConnection connection = transport.openFetch()) {
      return connection.getRef(ref) != null;
    } catch (IOException e) {
      // Unreachable remote: report the original transport error, not a missing branch.
      return true;
    }
  }

  // ---- reading and editing ----

  private static String readContent(Repository repo, RevCommit commit, GitOpsTarget target, String file)
      throws IOException {
    Optional<byte[]> bytes = readBlob(repo, commit, file);
    if (bytes.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          file + " does not exist on branch " + target.branch() + " of " + target.repository(),
          FailureTypes.GITOPS_FILE_NOT_FOUND);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.get()))
          .toString();
    } catch (CharacterCodingException e) {
      // Re-encoding would silently change the bytes of the whole file.
      throw ApplicationFailure.newNonRetryableFailure(
          file + " is not UTF-8; Gantry edits UTF-8 YAML only", FailureTypes.GITOPS_UNSUPPORTED);
    }
  }

  private static Optional<byte[]> readBlob(Repository repo, RevCommit commit, String file)
      throws IOException {
    try (TreeWalk walk = TreeWalk.forPath(repo, file, commit.getTree())) {
      if (walk == null || !isFile(walk.getFileMode(0))) {
        return Optional.empty();
      }
      return Optional.of(repo.open(walk.getObjectId(0), Constants.OBJ_BLOB).getBytes());
    }
  }

  private static boolean isFile(FileMode mode) {
    return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
  }

  private static YamlDigestEditor.Edit editYaml(String content, GitOpsTarget target, String file, String digest) {
    try {
      return YamlDigestEditor.edit(content, target.path(), digest);
    } catch (YamlEditException e) {
      throw yamlFailure(e, target, file);
    }
  }

  private static ApplicationFailure yamlFailure(YamlEditException e, GitOpsTarget target, String file) {
    String type =
        switch (e.kind()) {
          case PATH_NOT_FOUND -> FailureTypes.GITOPS_PATH_NOT_FOUND;
          case UNSUPPORTED -> FailureTypes.GITOPS_UNSUPPORTED;
        };
    return ApplicationFailure.newNonRetryableFailure(
        file + " on branch " + target.branch() + " of " + target.repository() + ": " + e.getMessage(),
        type);
  }

  // ---- idempotency ----

  /**
   * A retried activity may have pushed before its previous attempt died: the commit carrying
   * the same trailers and touching the same file is that pin.
   */
  private static Optional<GitChange> findPinned(
      Repository repo, RevCommit head, String file, String path, Map<String, String> trailers)
      throws IOException {
    if (trailers.isEmpty()) {
      return Optional.empty();
    }
    try (RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(head));
      int seen = 0;
      for (RevCommit commit : walk) {
        if (++seen > HISTORY_DEPTH) {
          break;
        }
        if (!hasTrailers(commit, trailers) || commit.getParentCount() != 1) {
          continue;
        }
        RevCommit parent = walk.parseCommit(commit.getParent(0));
        Optional<byte[]> before = readBlob(repo, parent, file);
        Optional<byte[]> after = readBlob(repo, commit, file);
        if (after.isEmpty() || (before.isPresent() && Arrays.equals(before.get(), after.get()))) {
          continue;
        }
        String previous = null;
        if (before.isPresent()) {
          try {
            previous = YamlDigestEditor.read(new String(before.get(), StandardCharsets.UTF_8), path);
          } catch (YamlEditException e) {
            // The earlier file had no readable digest; the pin stands regardless.
          }
        }
        return Optional.of(new GitChange(commit.name(), previous, false));
      }
    }
    return Optional.empty();
  }

  private static boolean hasTrailers(RevCommit commit, Map<String, String> trailers) {
    List<FooterLine> footers = commit.getFooterLines();
    for (Map.Entry<String, String> wanted : trailers.entrySet()) {
      boolean found = false;
      for (FooterLine footer : footers) {
        if (footer.getKey().equals(wanted.getKey()) && footer.getValue().strip().equals(wanted.getValue().strip())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  // ---- committing and pushing ----

  private ObjectId commit(Repository repo, RevCommit head, String file, byte[] content, String message)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter();
        ObjectReader reader = repo.newObjectReader()) {
      ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, head.getTree());
      builder.finish();
      DirCacheEditor editor = index.editor();
      editor.add(
          new DirCacheEditor.PathEdit(file) {
            @Override
            public void apply(DirCacheEntry entry) {
              // The existing entry keeps its mode (an executable bit stays).
              entry.setObjectId(blob);
            }
          });
      editor.finish();
      ObjectId tree = index.writeTree(inserter);

      PersonIdent ident = new PersonIdent(settings.authorName(), settings.authorEmail());
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(tree);
      commit.setParentId(head);
      commit.setAuthor(ident);
      commit.setCommitter(ident);
      commit.setMessage(message);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id;
    }
  }

  private Pushed push(Repository repo, GitOpsTarget target, ObjectId commit, RevCommit base)
      throws IOException {
    String remoteRef = Constants.R_HEADS + target.branch();
    try (Transport transport = open(repo, target)) {
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

  // ---- request checks and message ----

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

  static String commitMessage(PinRequest request, String file, Map<String, String> trailers) {
    String subject =
        blank(request.message())
            ? "Pin " + file + " " + request.target().path() + " to " + request.digest()
            : request.message().stripTrailing();
    if (trailers.isEmpty()) {
      return subject + "\n";
    }
    StringBuilder sb = new StringBuilder(subject).append("\n\n");
    // Keep the caller's order even if it passed a map that has one.
    for (Map.Entry<String, String> t : new LinkedHashMap<>(trailers).entrySet()) {
      sb.append(t.getKey()).append(": ").append(t.getValue().strip()).append('\n');
    }
    return sb.toString();
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
