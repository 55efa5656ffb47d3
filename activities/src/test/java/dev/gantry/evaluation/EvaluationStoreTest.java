package dev.gantry.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a retried attempt finds: the open request again, or the result that already came. */
class EvaluationStoreTest {
  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();

  final EvaluationStore store = new EvaluationStore(db.dataSource());

  static EvaluationStore.Key key(String activityId) {
    return new EvaluationStore.Key("release/shop/" + "c".repeat(40), activityId, "shop", "c".repeat(40), "sha256:" + "d".repeat(64));
  }

  static byte[] taskToken(int attempt) {
    return ("task-token-" + attempt).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRetriedAttemptReusesTheOpenTokenAndTakesItOver() {
    Instant deadline1 = Instant.parse("2026-01-01T10:10:00Z");
    Instant deadline2 = Instant.parse("2026-01-01T10:21:00Z");

    EvaluationStore.Row first = store.open(key("a1"), "run-1", 1, taskToken(1), "http://eval.test/run", deadline1);
    EvaluationStore.Row second = store.open(key("a1"), "run-1", 2, taskToken(2), "http://eval.test/run", deadline2);
    EvaluationStore.Row other = store.open(key("a2"), "run-1", 1, taskToken(1), "http://eval.test/run", deadline1);

    assertThat(second.token()).isEqualTo(first.token());
    assertThat(other.token()).isNotEqualTo(first.token());
    EvaluationStore.Row stored = store.find(first.token());
    assertThat(stored.open()).isTrue();
    assertThat(stored.taskToken()).isEqualTo(taskToken(2));
    assertThat(stored.deadline()).isEqualTo(deadline2);
  }

  @Test
  void anAttemptAfterTheResultCameReturnsItAndAfterAFailureStartsAfresh() {
    Instant deadline = Instant.now().plusSeconds(600);
    EvaluationStore.Row first = store.open(key("b1"), "run-1", 1, taskToken(1), "http://eval.test/run", deadline);
    Map<String, Double> stood = store.finish(first.token(), Map.of("accuracy", 0.97), EvaluationStore.CALLBACK, "evaluator");
    // a later deliverer (the endpoint's own answer, say) sees the first result, not its own
    Map<String, Double> later = store.finish(first.token(), Map.of("accuracy", 0.5), EvaluationStore.RESPONSE, "endpoint");

    EvaluationStore.Row retried = store.open(key("b1"), "run-1", 2, taskToken(2), "http://eval.test/run", deadline);

    assertThat(stood).isEqualTo(Map.of("accuracy", 0.97));
    assertThat(later).isEqualTo(Map.of("accuracy", 0.97));
    assertThat(retried.open()).isFalse();
    assertThat(retried.token()).isEqualTo(first.token());
    assertThat(retried.metrics()).isEqualTo(Map.of("accuracy", 0.97));

    EvaluationStore.Row failed = store.open(key("b2"), "run-1", 1, taskToken(1), "http://eval.test/run", deadline);
    store.fail(failed.token(), "http://eval.test/run");
    EvaluationStore.Row fresh = store.open(key("b2"), "run-2", 1, taskToken(3), "http://eval.test/run", deadline);
    assertThat(fresh.open()).isTrue();
    assertThat(fresh.token()).isNotEqualTo(failed.token());
    assertThat(store.find(failed.token()).outcome()).isEqualTo(EvaluationStore.FAILED);
  }
}
