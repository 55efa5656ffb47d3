package dev.gantry.evaluation;

import io.temporal.client.ActivityCompletionClient;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityNotExistsException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers an evaluator's result ({@code POST /api/v1/evaluations/{token}}) to the activity
 * waiting for it. The token is the only credential an evaluator holds: anything not shaped like
 * one is unknown without touching the database, and a result is accepted once; repeating the same
 * result is harmless, a different one is refused.
 */
public class EvaluationCompletions implements EvaluationResults {
  private static final Logger log = LoggerFactory.getLogger(EvaluationCompletions.class);
  private static final int MAX_BY = 200;

  private final EvaluationStore store;
  private final ActivityCompletionClient completions;

  public EvaluationCompletions(DataSource dataSource, ActivityCompletionClient completions) {
    this.store = new EvaluationStore(dataSource);
    this.completions = Objects.requireNonNull(completions, "completions");
  }

  /**
   * Completes from a request body {@code {"metrics": {name: number}}}, read up to {@link
   * EvaluationMetrics#MAX_BODY_BYTES}.
   */
  @Override
  public Completed complete(String token, InputStream body, String by) {
    requireWellFormed(token);
    Map<String, Double> metrics;
    try {
      metrics = EvaluationMetrics.parse(body, "the evaluation result");
    } catch (InvalidMetricsException e) {
      // an unknown token is the more useful answer, and says nothing about the body
      if (store.find(token) == null) {
        throw unknown();
      }
      throw e;
    }
    return complete(token, metrics, by);
  }

  /**
   * Records the result and completes the waiting activity with it.
   *
   * @throws UnknownTokenException no evaluation has this token
   * @throws InvalidMetricsException the metrics break the rules of {@link EvaluationMetrics}
   * @throws AlreadyCompletedException the evaluation already has another result
   * @throws EvaluationGoneException nothing waits any more (deadline passed, activity gone, failed)
   * @throws EvaluationUnavailableException the database or Temporal did not answer; try again
   */
  public Completed complete(String token, Map<String, Double> metrics, String by) {
    requireWellFormed(token);
    String who = by == null || by.isBlank() ? "unknown" : by.length() > MAX_BY ? by.substring(0, MAX_BY) : by;
    return store.inTransaction(
        "complete an evaluation",
        c -> {
          // the row lock serialises callbacks for one token: the second sees the first's result
          EvaluationStore.Row row = store.find(c, token, true);
          if (row == null) {
            throw unknown();
          }
          Map<String, Double> accepted = EvaluationMetrics.validate(metrics, "the evaluation result for " + row.release());
          if (!row.open()) {
            return already(row, accepted);
          }
          Instant now = Instant.now();
          if (now.isAfter(row.deadline())) {
            throw new EvaluationGoneException(
                "the evaluation of " + row.release() + " stopped waiting at " + row.deadline()
                    + "; a result arriving at " + now + " is too late to count");
          }
          store.markCompleted(c, token, accepted, EvaluationStore.CALLBACK, who);
          deliver(row, accepted);
          log.info("evaluation of {} completed by {}: {}", row.release(), who, accepted);
          return new Completed(token, accepted, now, false);
        });
  }

  /** Inside the transaction: if Temporal refuses, the row stays open (rolled back). */
  private void deliver(EvaluationStore.Row row, Map<String, Double> metrics) {
    try {
      completions.complete(row.taskToken(), metrics);
    } catch (ActivityNotExistsException e) {
      throw new EvaluationGoneException(
          "the evaluation of " + row.release() + " is no longer waiting: its activity timed out or its release ("
              + row.workflowId() + ") ended",
          e);
    } catch (ActivityCompletionException e) {
      throw new EvaluationUnavailableException(
          "Temporal did not accept the result for " + row.release() + ": " + e.getMessage() + "; try again", e);
    } catch (RuntimeException e) {
      throw new EvaluationUnavailableException(
          "Temporal could not be reached to deliver the result for " + row.release() + ": " + e.getMessage() + "; try again", e);
    }
  }

  private static Completed already(EvaluationStore.Row row, Map<String, Double> metrics) {
    if (EvaluationStore.FAILED.equals(row.outcome())) {
      throw new EvaluationGoneException(
          "the evaluation of " + row.release() + " already failed at " + row.completedAt()
              + ": the endpoint refused it or answered an invalid result; nothing waits for this one");
    }
    if (row.metrics().equals(metrics)) {
      return new Completed(row.token(), row.metrics(), row.completedAt(), true);
    }
    throw new AlreadyCompletedException(
        "the evaluation of " + row.release() + " already has its result " + row.metrics() + " (by "
            + describe(row.outcome()) + " at " + row.completedAt() + "); a different result " + metrics + " is refused");
  }

  private static String describe(String outcome) {
    return switch (outcome) {
      case EvaluationStore.CALLBACK -> "callback";
      case EvaluationStore.RESPONSE -> "the endpoint's answer";
      case EvaluationStore.POLL -> "polling the endpoint's status location";
      default -> outcome;
    };
  }

  private static void requireWellFormed(String token) {
    if (token == null || !EvaluationStore.TOKEN.matcher(token).matches()) {
      throw unknown();
    }
  }

  private static UnknownTokenException unknown() {
    // the same sentence whether malformed or merely unknown: a guesser learns nothing
    return new UnknownTokenException("no evaluation is waiting for this token");
  }
}
