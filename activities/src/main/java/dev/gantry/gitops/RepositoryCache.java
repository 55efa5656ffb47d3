package dev.gantry.gitops;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bare clones of GitOps repositories under {@link GitOpsSettings#workDir()}, one per
 * repository URL. Work on a clone takes turns with every other Gantry writer (a lock in this
 * process, a file lock beside the clone for other processes); a clone interrupted half-way is
 * started again, and ref locks a killed worker left are removed. {@link #fetch} gives a branch's
 * tip as the remote advertises it now: the clone is a cache, never the truth a pin builds on.
 */
final class RepositoryCache {

  private static final int TRANSPORT_TIMEOUT_SECONDS = 60;
  // under the activity's name, as operators know these lines
  private static final Logger log = LoggerFactory.getLogger(GitOpsActivitiesImpl.class);

  // Static: two instances sharing a work dir in one process must still take turns on a clone.
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final GitOpsSettings settings;
  private final Consumer<Path> beforeFetch;

  /** @param beforeFetch runs before every fetch with the clone's directory (a test hook) */
  RepositoryCache(GitOpsSettings settings, Consumer<Path> beforeFetch) {
    this.settings = settings;
    this.beforeFetch = beforeFetch;
  }

  /** What runs on a clone while this process and this worker hold it. */
  interface CloneWork<T> {
    T run(Repository repo) throws IOException;
  }

  /** Runs {@code work} on the clone of the target's repository, its I/O failures mapped to activity failures. */
  <T> T withClone(GitOpsTarget target, CloneWork<T> work) {
    Path dir = cloneDir(target.repository());
    ReentrantLock lock = LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
    lock.lock();
    try (FileChannel channel = lockFile(dir);
        FileLock processLock = channel.lock();
        Repository repo = openClone(dir)) {
      return work.run(repo);
    } catch (TransportException e) {
      throw ApplicationFailure.newFailureWithCause(
          "cannot reach " + target.repository() + ": " + e.getMessage(), GitOpsActivitiesImpl.TRANSPORT_ERROR, e);
    } catch (IOException e) {
      throw ApplicationFailure.newFailureWithCause(
          "git operation on " + target.repository() + " failed: " + e.getMessage(),
          GitOpsActivitiesImpl.TRANSPORT_ERROR,
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
      top.filter(RepositoryCache::isLockFile).forEach(stale::add);
    }
    Path refs = dir.resolve("refs");
    if (Files.isDirectory(refs)) {
      try (Stream<Path> paths = Files.walk(refs)) {
        paths.filter(RepositoryCache::isLockFile).forEach(stale::add);
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

  /** A transport to the target's remote, with the timeout and the credentials configured for it. */
  Transport open(Repository repo, GitOpsTarget target) throws IOException {
    URIish uri;
    try {
      uri = new URIish(target.repository());
    } catch (URISyntaxException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "not a git repository URL: " + target.repository(), GitOpsActivitiesImpl.INVALID_REQUEST);
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
  RevCommit fetch(Repository repo, GitOpsTarget target) throws IOException {
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
}
