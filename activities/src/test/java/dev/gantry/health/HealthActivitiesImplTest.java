package dev.gantry.health;

import static dev.gantry.health.ScriptedHealthEndpoint.body;
import static dev.gantry.health.ScriptedHealthEndpoint.report;
import static dev.gantry.health.ScriptedHealthEndpoint.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gantry.model.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthActivitiesImplTest {

  static final String NEW = "sha256:" + "b".repeat(64);
  static final String OLD = "sha256:" + "a".repeat(64);
  static final Duration TICK = Duration.ofMillis(20);
  static final Duration LONG = Duration.ofSeconds(20);

  TestActivityEnvironment testEnv;
  HealthActivities health;
  final List<HealthActivitiesImpl.Progress> heartbeats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    testEnv = TestActivityEnvironment.newInstance();
    testEnv.registerActivitiesImplementations(
        new HealthActivitiesImpl(
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
            Duration.ofSeconds(2)));
    testEnv.setActivityHeartbeatListener(HealthActivitiesImpl.Progress.class, heartbeats::add);
    health =
        testEnv.newActivityStub(
            HealthActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setHeartbeatTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    testEnv.close();
  }

  static ApplicationFailure failureOf(Runnable call) {
    ActivityFailure failure = catchThrowableOfType(ActivityFailure.class, call::run);
    assertThat(failure).as("the activity failed").isNotNull();
    assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) failure.getCause();
  }

  static String refusedUrl() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/health";
    }
  }

  @Test
  void awaitLiveReturnsOnceTheEndpointReportsTheDigestHealthy() throws Exception {
    try (var endpoint =
        new ScriptedHealthEndpoint(
            status(503), body("<html>starting</html>"), report(OLD, true), report(NEW, false),
            report(NEW, true))) {
      LiveReport live = health.awaitLive(endpoint.url(), NEW, LONG, TICK);

      assertThat(live.digest()).isEqualTo(NEW);
      assertThat(live.healthy()).isTrue();
      assertThat(live.polls()).isEqualTo(5);
      assertThat(endpoint.requests()).isEqualTo(5);
      // the SDK throttles heartbeats, so only some reach the server: the first does
      assertThat(heartbeats).extracting(HealthActivitiesImpl.Progress::polls)
          .startsWith(1)
          .isSorted()
          .allMatch(polls -> polls <= 5);
      assertThat(heartbeats).extracting(HealthActivitiesImpl.Progress::startedAtEpochMilli)
          .containsOnly(heartbeats.get(0).startedAtEpochMilli());
    }
  }

  @Test
  void awaitLiveThatNeverGoesLiveFailsNotLiveNamingWhatItSaw() throws Exception {
    try (var endpoint = new ScriptedHealthEndpoint(report(OLD, true), report(NEW, false))) {
      ApplicationFailure failure =
          failureOf(() -> health.awaitLive(endpoint.url(), NEW, Duration.ofMillis(300), TICK));

      assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_LIVE);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage())
          .startsWith("after 0.3s")
          .contains("still reports " + NEW + " healthy=false", "expected " + NEW);
    }
  }

  @Test
  void awaitLiveOnAnUnreachableEndpointSaysSo() throws Exception {
    String url = refusedUrl();
    ApplicationFailure failure =
        failureOf(() -> health.awaitLive(url, NEW, Duration.ofMillis(200), TICK));

    assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_LIVE);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("is unreachable: connection refused");
  }

  @Test
  void awaitLiveOnARetriedAttemptKeepsTheFirstAttemptsDeadline() throws Exception {
    try (var endpoint = new ScriptedHealthEndpoint(report(OLD, true))) {
      long anHourAgo = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
      testEnv.setHeartbeatDetails(new HealthActivitiesImpl.Progress(anHourAgo, 7, 0));

      ApplicationFailure failure =
          failureOf(() -> health.awaitLive(endpoint.url(), NEW, Duration.ofMinutes(10), TICK));

      // the 10 minutes ran out during earlier attempts: one more look, then give up
      assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_LIVE);
      assertThat(failure.getOriginalMessage()).contains("(8 polls)", "reports " + OLD);
      assertThat(endpoint.requests()).isEqualTo(1);
      assertThat(heartbeats).containsExactly(new HealthActivitiesImpl.Progress(anHourAgo, 8, 0));
    }
  }

  @Test
  void soakPassesWhenEveryPollIsHealthy() throws Exception {
    try (var endpoint = new ScriptedHealthEndpoint(report(NEW, true))) {
      LiveReport report = health.soak(endpoint.url(), NEW, Duration.ofMillis(500), TICK);

      assertThat(report.healthy()).isTrue();
      assertThat(report.digest()).isEqualTo(NEW);
      assertThat(report.polls()).isGreaterThan(1).isEqualTo(endpoint.requests());
      assertThat(heartbeats).isNotEmpty();
    }
  }

  @Test
  void soakToleratesASingleMissedPoll() throws Exception {
    try (var endpoint =
        new ScriptedHealthEndpoint(
            report(NEW, true), status(502), report(NEW, true), status(503), report(NEW, true))) {
      LiveReport report = health.soak(endpoint.url(), NEW, Duration.ofSeconds(1), TICK);

      assertThat(report.healthy()).isTrue();
      assertThat(report.polls()).isEqualTo(endpoint.requests());
      assertThat(endpoint.requests()).as("got past both misses").isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void soakFailsAtOnceWhenTheEndpointReportsUnhealthy() throws Exception {
    try (var endpoint =
        new ScriptedHealthEndpoint(report(NEW, true), report(NEW, true), report(NEW, false))) {
      ApplicationFailure failure = failureOf(() -> health.soak(endpoint.url(), NEW, LONG, TICK));

      assertThat(failure.getType()).isEqualTo(FailureTypes.UNHEALTHY);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage())
          .contains("reports " + NEW + " healthy=false", "into the soak", "at 20");
      assertThat(endpoint.requests()).isEqualTo(3);
    }
  }

  @Test
  void soakFailsAtOnceWhenAnotherDigestIsLive() throws Exception {
    try (var endpoint = new ScriptedHealthEndpoint(report(NEW, true), report(OLD, true))) {
      ApplicationFailure failure = failureOf(() -> health.soak(endpoint.url(), NEW, LONG, TICK));

      assertThat(failure.getType()).isEqualTo(FailureTypes.UNHEALTHY);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage()).contains("reports " + OLD + " healthy=true");
      assertThat(endpoint.requests()).isEqualTo(2);
    }
  }

  @Test
  void soakFailsOnTwoUnreachablePollsInARow() throws Exception {
    String url = refusedUrl();
    ApplicationFailure failure = failureOf(() -> health.soak(url, NEW, LONG, TICK));

    assertThat(failure.getType()).isEqualTo(FailureTypes.UNHEALTHY);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("twice in a row", "unreachable: connection refused");
    assertThat(heartbeats).extracting(HealthActivitiesImpl.Progress::unreachableInARow)
        .containsExactly(1);
  }

  @Test
  void soakFailsOnTwoErrorAnswersInARow() throws Exception {
    try (var endpoint =
        new ScriptedHealthEndpoint(report(NEW, true), status(503), body("not json"))) {
      ApplicationFailure failure = failureOf(() -> health.soak(endpoint.url(), NEW, LONG, TICK));

      assertThat(failure.getType()).isEqualTo(FailureTypes.UNHEALTHY);
      assertThat(failure.getOriginalMessage()).contains("twice in a row", "not JSON");
      assertThat(endpoint.requests()).isEqualTo(3);
    }
  }

  @Test
  void soakOnARetriedAttemptResumesTheClockAndTheMissedPolls() throws Exception {
    try (var endpoint = new ScriptedHealthEndpoint(status(503))) {
      // the previous attempt already missed one poll: one more miss fails the soak
      testEnv.setHeartbeatDetails(
          new HealthActivitiesImpl.Progress(Instant.now().toEpochMilli(), 4, 1));
      ApplicationFailure failure = failureOf(() -> health.soak(endpoint.url(), NEW, LONG, TICK));
      assertThat(failure.getType()).isEqualTo(FailureTypes.UNHEALTHY);
      assertThat(endpoint.requests()).isEqualTo(1);
    }
    try (var endpoint = new ScriptedHealthEndpoint(report(NEW, true))) {
      long longAgo = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
      testEnv.setHeartbeatDetails(new HealthActivitiesImpl.Progress(longAgo, 9, 0));
      LiveReport report = health.soak(endpoint.url(), NEW, Duration.ofMinutes(10), TICK);
      assertThat(report.polls()).isEqualTo(10);
      assertThat(endpoint.requests()).isEqualTo(1);
    }
  }

  @Test
  void aUrlThatIsNotHttpIsRefusedWithoutRetrying() {
    ApplicationFailure failure = failureOf(() -> health.awaitLive("ftp://x/health", NEW, LONG, TICK));
    assertThat(failure.getType()).isEqualTo(HealthActivitiesImpl.INVALID_HEALTH_URL);
    assertThat(failure.isNonRetryable()).isTrue();
  }
}
