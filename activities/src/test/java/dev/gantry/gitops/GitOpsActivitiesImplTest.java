package dev.gantry.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.revwalk.FooterLine;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against real bare repositories on disk and, where hooks matter, the system's git daemon. */
class GitOpsActivitiesImplTest {

  static final String BRANCH = "main";
  static final String OLD = "sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4";
  static final String NEW = "sha256:11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437";
  static final String SIDECAR = "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

  static final String STAGING =
      "\uFEFF# staging values — managed by Gantry 🚀\r\n"
          + "image:\r\n"
          + "  repository: registry.example.com/shop/api  # mirror\r\n"
          + "  digest: \""
          + OLD
          + "\"   # pinned\r\n"
          + "sidecar: &sidecar\r\n"
          + "  digest: '"
          + SIDECAR
          + "'\r\n"
          + "worker:\r\n"
          + "  sidecar: *sidecar\r\n";

  static final String PRODUCTION = "image:\n  digest: " + OLD + "\n";

  @TempDir Path tmp;
  Path bare;
  GitOpsActivitiesImpl gitops;

  @BeforeEach
  void setUp() throws Exception {
    bare =
        GitFixture.createBare(
            tmp.resolve("remote.git"),
            BRANCH,
            Map.of(
                "envs/staging/values.yaml", STAGING,
                "envs/production/values.yaml", PRODUCTION,
                "README.md", "GitOps repository\n"));
    gitops = new GitOpsActivitiesImpl(GitOpsSettings.defaults(tmp.resolve("work")));
  }

  GitOpsTarget staging() {
    return new GitOpsTarget(bare.toString(), BRANCH, "envs/staging/values.yaml", "image.digest");
  }

  static Map<String, String> trailers(String promotion) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("Gantry-Promotion", promotion);
    t.put("Gantry-Release", "release/shop-api/0f3c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39");
    t.put("Gantry-Digest", NEW);
    return t;
  }

  PinRequest pinStaging(String digest, String promotion) {
    return new PinRequest(staging(), digest, "Promote shop-api to staging", trailers(promotion));
  }

  @Test
  void pinChangesOnlyTheDigestBytesAndPushes() throws Exception {
    String before = GitFixture.tip(bare, BRANCH).name();

    GitChange change = gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));

    assertThat(change.changed()).isTrue();
    assertThat(change.previousDigest()).isEqualTo(OLD);
    assertThat(GitFixture.tip(bare, BRANCH).name()).isEqualTo(change.commit());
    byte[] pinned = GitFixture.fileAt(bare, change.commit(), "envs/staging/values.yaml").orElseThrow();
    assertThat(pinned).isEqualTo(STAGING.replace(OLD, NEW).getBytes(StandardCharsets.UTF_8));
    assertThat(GitFixture.changedPaths(bare, change.commit())).containsExactly("envs/staging/values.yaml");

    RevCommit commit = GitFixture.log(bare, BRANCH).getFirst();
    assertThat(commit.getParent(0).name()).isEqualTo(before);
    assertThat(commit.getAuthorIdent().getName()).isEqualTo("Gantry");
    assertThat(commit.getFullMessage())
        .isEqualTo(
            "Promote shop-api to staging\n\n"
                + "Gantry-Promotion: promotion/shop-api/staging/run-1\n"
                + "Gantry-Release: release/shop-api/0f3c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39\n"
                + "Gantry-Digest: "
                + NEW
                + "\n");
    List<FooterLine> footers = commit.getFooterLines();
    assertThat(footers.stream().map(f -> f.getKey() + ": " + f.getValue()).toList())
        .containsExactly(
            "Gantry-Promotion: promotion/shop-api/staging/run-1",
            "Gantry-Release: release/shop-api/0f3c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",
            "Gantry-Digest: " + NEW);

    assertThat(gitops.read(staging())).isEqualTo(NEW);
  }

  @Test
  void retriedPinWithTheSameTrailersAddsNoCommit() throws Exception {
    GitChange first = gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));
    // Someone moves on after the pin; a late retry must not put NEW back on top of that.
    GitFixture.commitAsOther(
        bare, BRANCH, Map.of("envs/staging/values.yaml", STAGING), "Hand edit back to the old digest\n");
    int commits = GitFixture.log(bare, BRANCH).size();

    GitChange retry = gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));

    assertThat(retry.changed()).isFalse();
    assertThat(retry.commit()).isEqualTo(first.commit());
    assertThat(retry.previousDigest()).isEqualTo(OLD);
    assertThat(GitFixture.log(bare, BRANCH)).hasSize(commits);
    assertThat(gitops.read(staging())).isEqualTo(OLD);
  }

  @Test
  void retryFromAnotherWorkerWithAFreshCloneFindsThePin() throws Exception {
    GitChange first = gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));
    GitOpsActivitiesImpl other = new GitOpsActivitiesImpl(GitOpsSettings.defaults(tmp.resolve("other-work")));

    GitChange retry = other.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));

    assertThat(retry).isEqualTo(new GitChange(first.commit(), OLD, false));
  }

  @Test
  void pinningTheDigestAlreadyThereAddsNoCommit() throws Exception {
    String head = GitFixture.tip(bare, BRANCH).name();

    GitChange change = gitops.pin(pinStaging(OLD, "promotion/shop-api/staging/run-2"));

    assertThat(change).isEqualTo(new GitChange(head, OLD, false));
    assertThat(GitFixture.tip(bare, BRANCH).name()).isEqualTo(head);
  }

  @Test
  void localCloneNeverWinsOverTheRemote() throws Exception {
    gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));
    // The remote moves on behind the clone's back, even rewriting history.
    GitFixture.commitAsOther(
        bare, BRANCH, Map.of("envs/staging/values.yaml", STAGING.replace(OLD, SIDECAR)), "Elsewhere\n");

    assertThat(gitops.read(staging())).isEqualTo(SIDECAR);
    GitChange change = gitops.pin(pinStaging(OLD, "promotion/shop-api/staging/run-3"));
    assertThat(change.changed()).isTrue();
    assertThat(change.previousDigest()).isEqualTo(SIDECAR);
    assertThat(GitFixture.text(bare, "refs/heads/" + BRANCH, "envs/staging/values.yaml")).isEqualTo(STAGING);
  }

  /**
   * A worker SIGKILLed while a fetch updated the clone's tracking ref leaves its lock file behind;
   * the fault suite found every later pin to that repository failing as "others kept pushing".
   */
  @Test
  void aLockLeftByAKilledWorkerDoesNotWedgeTheClone() throws Exception {
    gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));
    Path clone = gitops.cloneDir(bare.toString());
    Path trackingLock = clone.resolve("refs/remotes/origin/" + BRANCH + ".lock");
    Files.createDirectories(trackingLock.getParent());
    Files.writeString(trackingLock, "0000000000000000000000000000000000000000\n");
    Files.writeString(clone.resolve("packed-refs.lock"), "");
    GitFixture.commitAsOther(bare, BRANCH, Map.of("README.md", "moved on\n"), "Elsewhere\n");

    GitChange change = gitops.pin(pinStaging(OLD, "promotion/shop-api/staging/run-2"));

    assertThat(change.changed()).isTrue();
    assertThat(change.previousDigest()).isEqualTo(NEW);
    assertThat(GitFixture.tip(bare, BRANCH).name()).isEqualTo(change.commit());
    assertThat(GitFixture.text(bare, "refs/heads/" + BRANCH, "README.md")).isEqualTo("moved on\n");
    assertThat(gitops.read(staging())).isEqualTo(OLD);
    assertThat(trackingLock).doesNotExist();
    assertThat(clone.resolve("packed-refs.lock")).doesNotExist();
  }

  /** Even a tracking ref that cannot be written never makes the clone's view win over the remote's. */
  @Test
  void aTrackingRefThatCannotBeUpdatedStillPinsOnTheRemotesTip() throws Exception {
    gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));
    GitFixture.commitAsOther(bare, BRANCH, Map.of("README.md", "moved on\n"), "Elsewhere\n");
    // a lock taken after the clone was opened (as by a git process outside Gantry) is left alone
    gitops.beforeFetch = clone -> {
      try {
        Files.writeString(clone.resolve("refs/remotes/origin/" + BRANCH + ".lock"), "");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };

    GitChange change = gitops.pin(pinStaging(OLD, "promotion/shop-api/staging/run-2"));

    assertThat(change.changed()).isTrue();
    assertThat(GitFixture.tip(bare, BRANCH).name()).isEqualTo(change.commit());
    assertThat(GitFixture.text(bare, "refs/heads/" + BRANCH, "README.md")).isEqualTo("moved on\n");
  }

  @Test
  void aPushLostToAnotherWriterIsReappliedOnTop() throws Exception {
    AtomicInteger pushes = new AtomicInteger();
    List<String> others = new ArrayList<>();
    gitops.beforePush =
        () -> {
          if (pushes.incrementAndGet() == 1) {
            try {
              others.add(
                  GitFixture.commitAsOther(
                          bare,
                          BRANCH,
                          Map.of("envs/production/values.yaml", PRODUCTION.replace(OLD, SIDECAR)),
                          "Concurrent change\n")
                      .name());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        };

    GitChange change = gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1"));

    assertThat(pushes).hasValue(2);
    RevCommit pinned = GitFixture.log(bare, BRANCH).getFirst();
    assertThat(pinned.name()).isEqualTo(change.commit());
    assertThat(pinned.getParent(0).name()).isEqualTo(others.getFirst());
    assertThat(GitFixture.text(bare, change.commit(), "envs/production/values.yaml"))
        .isEqualTo(PRODUCTION.replace(OLD, SIDECAR));
    assertThat(GitFixture.text(bare, change.commit(), "envs/staging/values.yaml"))
        .isEqualTo(STAGING.replace(OLD, NEW));
  }

  @Test
  void losingEveryRaceIsARetryableConflict() throws Exception {
    gitops = new GitOpsActivitiesImpl(GitOpsSettings.defaults(tmp.resolve("work")).withMaxPushAttempts(3));
    AtomicInteger n = new AtomicInteger();
    gitops.beforePush =
        () -> {
          try {
            GitFixture.commitAsOther(bare, BRANCH, Map.of("noise.txt", "noise " + n.incrementAndGet() + "\n"), "Noise\n");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

    assertThatThrownBy(() -> gitops.pin(pinStaging(NEW, "promotion/shop-api/staging/run-1")))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(FailureTypes.GITOPS_PUSH_CONFLICT);
              assertThat(f.isNonRetryable()).isFalse();
              assertThat(f.getOriginalMessage()).contains("3 attempts");
            });
    assertThat(n).hasValue(3);
    assertThat(GitFixture.text(bare, "refs/heads/" + BRANCH, "envs/staging/values.yaml")).isEqualTo(STAGING);
  }

  @Test
  void twoWritersRacingOnOneBranchLoseNothing() throws Exception {
    race(tmp.resolve("work-a"), tmp.resolve("work-b"));
  }

  @Test
  void twoWritersSharingOneCloneTakeTurns() throws Exception {
    race(tmp.resolve("shared-work"), tmp.resolve("shared-work"));
  }

  void race(Path workA, Path workB) throws Exception {
    int pinsEach = 15;
    GitOpsActivitiesImpl[] writers = {
      new GitOpsActivitiesImpl(new GitOpsSettings(workA, "Gantry A", "a@gantry", 30, Map.of())),
      new GitOpsActivitiesImpl(new GitOpsSettings(workB, "Gantry B", "b@gantry", 30, Map.of())),
    };
    String[] files = {"envs/staging/values.yaml", "envs/production/values.yaml"};
    int before = GitFixture.log(bare, BRANCH).size();

    List<Future<List<GitChange>>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (int w = 0; w < 2; w++) {
        int writer = w;
        results.add(
            pool.submit(
                () -> {
                  List<GitChange> changes = new ArrayList<>();
                  for (int i = 0; i < pinsEach; i++) {
                    GitOpsTarget target = new GitOpsTarget(bare.toString(), BRANCH, files[writer], "image.digest");
                    changes.add(
                        writers[writer].pin(
                            new PinRequest(
                                target,
                                digest(writer, i),
                                "Pin " + writer + "/" + i,
                                Map.of("Gantry-Promotion", "writer-" + writer + "/pin-" + i))));
                  }
                  return changes;
                }));
      }
    }

    for (Future<List<GitChange>> r : results) {
      assertThat(r.get()).hasSize(pinsEach).allMatch(GitChange::changed);
    }
    List<RevCommit> log = GitFixture.log(bare, BRANCH);
    assertThat(log).hasSize(before + 2 * pinsEach);
    for (int w = 0; w < 2; w++) {
      for (int i = 0; i < pinsEach; i++) {
        String trailer = "writer-" + w + "/pin-" + i;
        assertThat(log.stream().filter(c -> c.getFooterLines("Gantry-Promotion").contains(trailer)))
            .as(trailer)
            .hasSize(1);
      }
      assertThat(YamlDigestEditor.read(GitFixture.text(bare, "refs/heads/" + BRANCH, files[w]), "image.digest"))
          .isEqualTo(digest(w, pinsEach - 1));
    }
    // Each writer's pins are in order in history: none overwrote another's later pin.
    assertThat(GitFixture.text(bare, "refs/heads/" + BRANCH, "envs/staging/values.yaml"))
        .isEqualTo(STAGING.replace(OLD, digest(0, pinsEach - 1)));
  }

  static String digest(int writer, int i) {
    return "sha256:" + String.format("%064x", (long) writer * 1000 + i + 1);
  }

  @Test
  void missingFileIsNonRetryable() {
    GitOpsTarget target = new GitOpsTarget(bare.toString(), BRANCH, "envs/qa/values.yaml", "image.digest");
    assertFailure(() -> gitops.pin(new PinRequest(target, NEW, "x", Map.of())), FailureTypes.GITOPS_FILE_NOT_FOUND, true);
    assertFailure(() -> gitops.read(target), FailureTypes.GITOPS_FILE_NOT_FOUND, true);
  }

  @Test
  void missingBranchIsNonRetryable() {
    GitOpsTarget target = new GitOpsTarget(bare.toString(), "no-such-branch", "envs/staging/values.yaml", "image.digest");
    assertFailure(() -> gitops.read(target), FailureTypes.GITOPS_FILE_NOT_FOUND, true);
  }

  @Test
  void missingPathIsNonRetryable() {
    GitOpsTarget target = new GitOpsTarget(bare.toString(), BRANCH, "envs/staging/values.yaml", "images[0].digest");
    assertFailure(() -> gitops.pin(new PinRequest(target, NEW, "x", Map.of())), FailureTypes.GITOPS_PATH_NOT_FOUND, true);
    assertFailure(() -> gitops.read(target), FailureTypes.GITOPS_PATH_NOT_FOUND, true);
  }

  @Test
  void unsupportedYamlIsNonRetryable() throws Exception {
    // sidecar is anchored and reused by worker.sidecar: editing it would change both.
    GitOpsTarget target = new GitOpsTarget(bare.toString(), BRANCH, "envs/staging/values.yaml", "sidecar.digest");
    String head = GitFixture.tip(bare, BRANCH).name();
    assertFailure(() -> gitops.pin(new PinRequest(target, NEW, "x", Map.of())), FailureTypes.GITOPS_UNSUPPORTED, true);
    assertThat(GitFixture.tip(bare, BRANCH).name()).isEqualTo(head);
  }

  @Test
  void invalidTrailerIsRefusedBeforeAnything() {
    assertFailure(
        () -> gitops.pin(new PinRequest(staging(), NEW, "x", Map.of("Bad Key", "v"))),
        GitOpsActivitiesImpl.INVALID_REQUEST,
        true);
    assertFailure(
        () -> gitops.pin(new PinRequest(staging(), NEW, "x", Map.of("Key", "two\nlines"))),
        GitOpsActivitiesImpl.INVALID_REQUEST,
        true);
  }

  @Test
  void unreachableRemoteIsRetryable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    GitOpsTarget target =
        new GitOpsTarget("git://127.0.0.1:" + closedPort + "/gone.git", BRANCH, "values.yaml", "image.digest");
    assertFailure(() -> gitops.read(target), GitOpsActivitiesImpl.TRANSPORT_ERROR, false);
  }

  @Test
  void remoteThatRefusesPushesGivesARetryableFailureNamingTheCause() throws Exception {
    Path served = Files.createDirectories(tmp.resolve("served"));
    Path frozen = GitFixture.createBare(served.resolve("frozen.git"), BRANCH, Map.of("values.yaml", PRODUCTION));
    Path hook = frozen.resolve("hooks/pre-receive");
    Files.createDirectories(hook.getParent());
    Files.writeString(hook, "#!/bin/sh\necho 'production is frozen until Monday (change freeze)' >&2\nexit 1\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path open = GitFixture.createBare(served.resolve("open.git"), BRANCH, Map.of("values.yaml", PRODUCTION));

    try (GitDaemon daemon = GitDaemon.serve(served)) {
      GitOpsTarget frozenTarget = new GitOpsTarget(daemon.url("frozen.git"), BRANCH, "values.yaml", "image.digest");
      assertThat(gitops.read(frozenTarget)).isEqualTo(OLD);
      assertThatThrownBy(() -> gitops.pin(new PinRequest(frozenTarget, NEW, "Promote", Map.of("Gantry-Promotion", "p/1"))))
          .isInstanceOfSatisfying(
              ApplicationFailure.class,
              f -> {
                assertThat(f.getType()).isEqualTo(GitOpsActivitiesImpl.PUSH_REJECTED);
                assertThat(f.isNonRetryable()).isFalse();
                assertThat(f.getOriginalMessage()).contains("pre-receive hook declined").contains("change freeze");
              });
      assertThat(GitFixture.text(frozen, "refs/heads/" + BRANCH, "values.yaml")).isEqualTo(PRODUCTION);

      // The same daemon accepts pushes where no hook objects: the refusal above is the hook's.
      GitOpsTarget openTarget = new GitOpsTarget(daemon.url("open.git"), BRANCH, "values.yaml", "image.digest");
      GitChange change = gitops.pin(new PinRequest(openTarget, NEW, "Promote", Map.of("Gantry-Promotion", "p/2")));
      assertThat(change.changed()).isTrue();
      assertThat(GitFixture.text(open, "refs/heads/" + BRANCH, "values.yaml")).isEqualTo(PRODUCTION.replace(OLD, NEW));
    }
  }

  static void assertFailure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String type, boolean nonRetryable) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(type);
              assertThat(f.isNonRetryable()).isEqualTo(nonRetryable);
            });
  }
}
