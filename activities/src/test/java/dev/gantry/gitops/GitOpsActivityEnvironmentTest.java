package dev.gantry.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same implementation run as a Temporal activity: heartbeats and failure types. */
class GitOpsActivityEnvironmentTest {

  static final String OLD = GitOpsActivitiesImplTest.OLD;
  static final String NEW = GitOpsActivitiesImplTest.NEW;

  @TempDir Path tmp;
  TestActivityEnvironment env;
  GitOpsActivitiesImpl impl;
  GitOpsActivities activities;
  Path bare;

  @BeforeEach
  void setUp() throws Exception {
    bare = GitFixture.createBare(tmp.resolve("remote.git"), "main", Map.of("values.yaml", "image:\n  digest: " + OLD + "\n"));
    impl = new GitOpsActivitiesImpl(GitOpsSettings.defaults(tmp.resolve("work")));
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(impl);
    activities =
        env.newActivityStub(
            GitOpsActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void heartbeatsBetweenPushAttempts() throws Exception {
    List<Integer> heartbeats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(Integer.class, heartbeats::add);
    AtomicInteger pushes = new AtomicInteger();
    impl.beforePush =
        () -> {
          if (pushes.incrementAndGet() == 1) {
            try {
              GitFixture.commitAsOther(bare, "main", Map.of("other.yaml", "x: 1\n"), "Concurrent\n");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        };

    GitOpsTarget target = new GitOpsTarget(bare.toString(), "main", "values.yaml", "image.digest");
    GitChange change = activities.pin(new PinRequest(target, NEW, "Promote", Map.of("Gantry-Promotion", "p/1")));

    assertThat(change.changed()).isTrue();
    assertThat(heartbeats).containsExactly(2);
    assertThat(activities.read(target)).isEqualTo(NEW);
  }

  @Test
  void failureTypeReachesTheCaller() {
    GitOpsTarget target = new GitOpsTarget(bare.toString(), "main", "values.yaml", "image.tag");
    assertThatThrownBy(() -> activities.pin(new PinRequest(target, NEW, "Promote", Map.of())))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(FailureTypes.GITOPS_PATH_NOT_FOUND);
              assertThat(f.isNonRetryable()).isTrue();
            });
  }
}
