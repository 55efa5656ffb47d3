package dev.gantry.evaluation;

import java.io.InputStream;
import java.time.Instant;
import java.util.Map;

/**
 * Where the API delivers an evaluator's callback; implemented beside the activities (it completes
 * the waiting activity), so the API depends on this interface only.
 */
public interface EvaluationResults {

  /**
   * The accepted result.
   *
   * @param repeated true when this call repeated a result already accepted (nothing changed)
   */
  record Completed(String token, Map<String, Double> metrics, Instant completedAt, boolean repeated) {}

  /**
   * Completes from a request body {@code {"metrics": {name: number}}}, read with a size limit.
   *
   * @throws UnknownTokenException no evaluation has this token
   * @throws InvalidMetricsException the body or its metrics break the rules
   * @throws AlreadyCompletedException the evaluation already has another result
   * @throws EvaluationGoneException nothing waits any more (deadline passed, activity gone, failed)
   * @throws EvaluationUnavailableException the database or Temporal did not answer; try again
   */
  Completed complete(String token, InputStream body, String by);
}
