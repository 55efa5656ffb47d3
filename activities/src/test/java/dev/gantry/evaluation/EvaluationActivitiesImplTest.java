package dev.gantry.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.evaluation.FakeEvaluator.Reply;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The evaluation activity on a real Temporal test server (real time: the deadlines the activity
 * stores are compared with the wall clock), against a real evaluator over loopback HTTP and a
 * real PostgreSQL.
 */
class EvaluationActivitiesImplTest {
  static final String QUEUE = "evaluation-test";
  static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();

  static TestWorkflowEnvironment env;
  static FakeEvaluator evaluator;
  static EvaluationCompletions completions;
  static final AtomicInteger releases = new AtomicInteger();

  ReleaseRef release;

  @BeforeAll
  static void startTemporal() throws Exception {
    evaluator = new FakeEvaluator();
    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(EvaluateWorkflow.Impl.class);
    worker.registerActivitiesImplementations(
        new EvaluationActivitiesImpl(
            db.dataSource(), new EvaluationSettings("http://gantry.test/api/v1/evaluations", Duration.ofMillis(50), Duration.ofSeconds(5))));
    env.start();
    completions = new EvaluationCompletions(db.dataSource(), env.getWorkflowClient().newActivityCompletionClient());
  }

  @AfterAll
  static void stopTemporal() {
    env.close();
    evaluator.close();
  }

  @BeforeEach
  void newRelease() {
    int n = releases.incrementAndGet();
    release = new ReleaseRef("shop", String.format("%040x", 0xc0ffee00L + n), "registry.test/shop", "sha256:" + String.format("%064x", 0xd1e57L + n));
  }

  CompletableFuture<Map<String, Double>> start(Duration timeout, int attempts) {
    EvaluateWorkflow wf =
        env.getWorkflowClient()
            .newWorkflowStub(
                EvaluateWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("release/shop/" + release.commit()).build());
    return WorkflowClient.execute(wf::evaluate, release, new EvaluationSpec(evaluator.url(), timeout), attempts);
  }

  static Throwable failure(CompletableFuture<?> result) throws Exception {
    try {
      result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(WorkflowFailedException.class);
      assertThat(e.getCause().getCause()).isInstanceOf(ActivityFailure.class);
      return e.getCause().getCause().getCause();
    }
    throw new AssertionError("the workflow succeeded; a failure was expected");
  }

  @Test
  void synchronousEvaluatorAnswersAtOnce() throws Exception {
    evaluator.onPost = n -> Reply.metrics("{\"accuracy\": 0.97, \"latency_p99_ms\": 180}");

    Map<String, Double> metrics = start(Duration.ofSeconds(30), 1).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(metrics).containsExactlyInAnyOrderEntriesOf(Map.of("accuracy", 0.97, "latency_p99_ms", 180.0));
    FakeEvaluator.Post post = evaluator.nextPost(release.commit(), WAIT);
    assertThat(post.body().get("service").asText()).isEqualTo("shop");
    assertThat(post.body().get("commit").asText()).isEqualTo(release.commit());
    assertThat(post.body().get("digest").asText()).isEqualTo(release.digest());
    assertThat(post.token()).matches("[A-Za-z0-9_-]{43}");
    assertThat(post.body().get("callback").asText()).isEqualTo("http://gantry.test/api/v1/evaluations/" + post.token());
    assertThat(post.idempotencyKey()).isEqualTo(post.token());
    assertThat(post.contentType()).isEqualTo("application/json");
    assertThat(stored(post.token(), "outcome")).isEqualTo("RESPONSE");
  }

  @Test
  void acceptedWithLocationIsPolledUntilTheResultIsThere() throws Exception {
    evaluator.onPost = n -> Reply.acceptedAt("status/" + release.commit());
    int before = evaluator.statusGets().size();
    evaluator.onStatus = n -> n - before < 2 ? Reply.accepted() : Reply.metrics("{\"accuracy\": 0.91}");

    Map<String, Double> metrics = start(Duration.ofSeconds(30), 1).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(metrics).containsExactlyEntriesOf(Map.of("accuracy", 0.91));
    assertThat(evaluator.statusGets().subList(before, evaluator.statusGets().size()))
        .containsExactly("GET /status/" + release.commit(), "GET /status/" + release.commit(), "GET /status/" + release.commit());
    assertThat(stored(evaluator.nextPost(release.commit(), WAIT).token(), "outcome")).isEqualTo("POLL");
  }

  @Test
  void statusLocationAnswering404RefusesWithoutRetry() throws Exception {
    evaluator.onPost = n -> Reply.acceptedAt("/status/gone");
    evaluator.onStatus = n -> Reply.status(404, "{\"error\": \"no such evaluation\"}");

    Throwable cause = failure(start(Duration.ofSeconds(30), 3));

    assertThat(cause).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.getType()).isEqualTo(EvaluationActivitiesImpl.EVALUATION_REFUSED);
      assertThat(f.getOriginalMessage()).contains("/status/gone", "HTTP 404", "no such evaluation");
    });
    assertThat(evaluator.posts(release.commit())).hasSize(1);
  }

  @Test
  void acceptedWithoutLocationWaitsForTheCallback() throws Exception {
    evaluator.onPost = n -> Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(30), 1);
    String token = evaluator.nextPost(release.commit(), WAIT).token();
    Thread.sleep(200);
    assertThat(result).isNotDone();

    EvaluationCompletions.Completed done = completions.complete(token, Map.of("accuracy", 0.96, "f1", 0.9), "evaluator at 127.0.0.1");

    assertThat(done.repeated()).isFalse();
    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("accuracy", 0.96, "f1", 0.9));
    assertThat(stored(token, "outcome")).isEqualTo("CALLBACK");
    assertThat(stored(token, "completed_by")).isEqualTo("evaluator at 127.0.0.1");
  }

  @Test
  void callbackFromARequestBody() throws Exception {
    evaluator.onPost = n -> Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(30), 1);
    String token = evaluator.nextPost(release.commit(), WAIT).token();

    completions.complete(token, body("{\"metrics\": {\"accuracy\": 1, \"loss\": 0.031}, \"run\": \"eval-17\"}"), "ci");

    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("accuracy", 1.0, "loss", 0.031));
  }

  @Test
  void sameResultAgainIsIdempotentAnotherIsRefused() throws Exception {
    evaluator.onPost = n -> Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(30), 1);
    String token = evaluator.nextPost(release.commit(), WAIT).token();
    completions.complete(token, Map.of("accuracy", 0.96), "evaluator");
    result.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    EvaluationCompletions.Completed again = completions.complete(token, Map.of("accuracy", 0.96), "evaluator");
    assertThat(again.repeated()).isTrue();
    assertThat(again.metrics()).isEqualTo(Map.of("accuracy", 0.96));

    assertThatThrownBy(() -> completions.complete(token, Map.of("accuracy", 0.99), "evaluator"))
        .isInstanceOf(AlreadyCompletedException.class)
        .hasMessageContaining("accuracy=0.96")
        .hasMessageContaining("accuracy=0.99");
    assertThat(stored(token, "metrics")).isEqualTo("{\"accuracy\": 0.96}");
  }

  @Test
  void noCallbackBeforeStartToCloseIsATimeoutAndALateResultIsGone() throws Exception {
    evaluator.onPost = n -> Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(2), 1);
    String token = evaluator.nextPost(release.commit(), WAIT).token();

    Throwable cause = failure(result);

    assertThat(cause).isInstanceOfSatisfying(TimeoutFailure.class,
        t -> assertThat(t.getTimeoutType()).isEqualTo(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE));
    assertThatThrownBy(() -> completions.complete(token, Map.of("accuracy", 0.96), "evaluator"))
        .isInstanceOf(EvaluationGoneException.class)
        .hasMessageContaining("too late");
    assertThat(stored(token, "completed_at")).isNull();
  }

  @Test
  void resultForAReleaseThatEndedIsGone() throws Exception {
    evaluator.onPost = n -> Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(60), 1);
    String token = evaluator.nextPost(release.commit(), WAIT).token();
    WorkflowStub.fromTyped(env.getWorkflowClient().newWorkflowStub(EvaluateWorkflow.class, "release/shop/" + release.commit()))
        .terminate("release cancelled");
    assertThatThrownBy(() -> result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

    assertThatThrownBy(() -> completions.complete(token, Map.of("accuracy", 0.96), "evaluator"))
        .isInstanceOf(EvaluationGoneException.class)
        .hasMessageContaining("no longer waiting");
    // Temporal refused, so nothing was recorded as delivered
    assertThat(stored(token, "completed_at")).isNull();
  }

  @Test
  void retriedAttemptResendsTheSameTokenAndTheCallbackCompletesIt() throws Exception {
    // the endpoint has counted the request before it answers: the first one about this release fails
    evaluator.onPost = n -> evaluator.posts(release.commit()).size() == 1 ? Reply.status(503, "warming up") : Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(30), 3);
    FakeEvaluator.Post first = evaluator.nextPost(release.commit(), WAIT);
    FakeEvaluator.Post second = evaluator.nextPost(release.commit(), WAIT);

    assertThat(second.token()).isEqualTo(first.token());
    assertThat(storedInt(first.token(), "attempt")).isEqualTo(2);
    completions.complete(first.token(), Map.of("accuracy", 0.95), "evaluator");
    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("accuracy", 0.95));
  }

  @Test
  void serverErrorsAreRetriedThenReported() throws Exception {
    evaluator.onPost = n -> Reply.status(500, "{\"error\": \"model server down\"}");

    Throwable cause = failure(start(Duration.ofSeconds(30), 2));

    assertThat(cause).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.getType()).isEqualTo(EvaluationActivitiesImpl.EVALUATION_UNAVAILABLE);
      assertThat(f.isNonRetryable()).isFalse();
      assertThat(f.getOriginalMessage()).contains("HTTP 500", "model server down");
    });
    assertThat(postsFor(release)).isEqualTo(2);
  }

  @Test
  void clientErrorIsRefusedWithoutRetryAndALateCallbackIsGone() throws Exception {
    evaluator.onPost = n -> Reply.status(400, "{\"error\": \"unknown service shop\"}");

    Throwable cause = failure(start(Duration.ofSeconds(30), 3));

    assertThat(cause).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.getType()).isEqualTo(EvaluationActivitiesImpl.EVALUATION_REFUSED);
      assertThat(f.isNonRetryable()).isTrue();
      assertThat(f.getOriginalMessage()).contains("HTTP 400", "unknown service shop", release.commit());
    });
    assertThat(postsFor(release)).isEqualTo(1);
    String token = evaluator.posts(release.commit()).getFirst().token();
    assertThat(stored(token, "outcome")).isEqualTo("FAILED");
    assertThatThrownBy(() -> completions.complete(token, Map.of("accuracy", 0.96), "evaluator"))
        .isInstanceOf(EvaluationGoneException.class)
        .hasMessageContaining("already failed");
  }

  @Test
  void invalidSynchronousResultFailsWithoutRetry() throws Exception {
    evaluator.onPost = n -> Reply.metrics("{\"accuracy\": \"high\"}");

    Throwable cause = failure(start(Duration.ofSeconds(30), 3));

    assertThat(cause).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
      assertThat(f.getType()).isEqualTo(EvaluationActivitiesImpl.EVALUATION_INVALID);
      assertThat(f.getOriginalMessage()).contains("metric accuracy is a string, not a number");
    });
    assertThat(postsFor(release)).isEqualTo(1);
  }

  @Test
  void invalidCallbacksAreRefusedAndChangeNothing() throws Exception {
    evaluator.onPost = n -> Reply.accepted();
    CompletableFuture<Map<String, Double>> result = start(Duration.ofSeconds(30), 1);
    String token = evaluator.nextPost(release.commit(), WAIT).token();
    Map<String, Double> tooMany = new java.util.HashMap<>();
    for (int i = 0; i <= EvaluationMetrics.MAX_METRICS; i++) {
      tooMany.put("m" + i, (double) i);
    }
    Map<String, Double> nan = new java.util.HashMap<>();
    nan.put("accuracy", Double.NaN);

    assertThatThrownBy(() -> completions.complete(token, nan, "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("accuracy is NaN");
    assertThatThrownBy(() -> completions.complete(token, Map.of("accuracy", Double.POSITIVE_INFINITY), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("finite");
    assertThatThrownBy(() -> completions.complete(token, tooMany, "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("101 metrics; the limit is 100");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"accuracy\": \"0.9\"}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("accuracy is a string");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"accuracy\": NaN}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"accuracy\": 1e999}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("finite");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"a\": 1, \"a\": 2}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"drop table\": 1}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("metric name 'drop table'");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"" + "x".repeat(101) + "\": 1}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("1 to 100 characters");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("no metrics");
    assertThatThrownBy(() -> completions.complete(token, body("[1, 2]"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("not an array");
    assertThatThrownBy(() -> completions.complete(token, body("{\"metrics\": {\"pad\": \"" + "x".repeat(70_000) + "\"}}"), "e"))
        .isInstanceOf(InvalidMetricsException.class).hasMessageContaining("larger than the limit of 65536 bytes");
    assertThat(stored(token, "completed_at")).isNull();
    assertThat(result).isNotDone();

    completions.complete(token, Map.of("accuracy", 0.9), "e");
    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("accuracy", 0.9));
  }

  @Test
  void unknownTokenIsRefused() {
    String unknown = EvaluationStore.newToken();
    assertThatThrownBy(() -> completions.complete(unknown, Map.of("accuracy", 0.9), "e"))
        .isInstanceOf(UnknownTokenException.class)
        .hasMessage("no evaluation is waiting for this token");
    // even with a body that is no result: the token is what is unknown
    assertThatThrownBy(() -> completions.complete(unknown, body("not json"), "e"))
        .isInstanceOf(UnknownTokenException.class);
  }

  @Test
  void poisonedTokensAreUnknownWithoutAskingTheDatabase() {
    javax.sql.DataSource refusing = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class},
        (proxy, method, args) -> {
          throw new AssertionError("the database was asked about a malformed token (" + method.getName() + ")");
        });
    EvaluationCompletions offline = new EvaluationCompletions(refusing, env.getWorkflowClient().newActivityCompletionClient());
    String valid = EvaluationStore.newToken();
    for (String poisoned : new String[] {
        null, "", "../../admin", valid + "A", valid.substring(1), valid.substring(1) + "=", valid.substring(1) + "+",
        "x".repeat(10_000), "' OR '1'='1' --                             ".substring(0, 43)}) {
      assertThatThrownBy(() -> offline.complete(poisoned, Map.of("accuracy", 0.9), "e"))
          .as("token %s", poisoned == null ? "null" : poisoned.length() > 50 ? poisoned.length() + " chars" : poisoned)
          .isInstanceOf(UnknownTokenException.class);
      assertThatThrownBy(() -> offline.complete(poisoned, body("{}"), "e")).isInstanceOf(UnknownTokenException.class);
    }
  }

  private static ByteArrayInputStream body(String json) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }

  private static int postsFor(ReleaseRef r) {
    return evaluator.posts(r.commit()).size();
  }

  private static String stored(String token, String column) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + column + "::text FROM evaluation_requests WHERE token = ?")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("a stored request for token %s", token).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static int storedInt(String token, String column) throws Exception {
    return Integer.parseInt(stored(token, column));
  }
}
