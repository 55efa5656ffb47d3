package dev.gantry.evaluation;

/**
 * Why an evaluation result was not accepted. Each kind maps to one HTTP status at the API; the
 * message is the sentence the evaluator's operator reads.
 */
public abstract sealed class EvaluationRefusal extends RuntimeException
    permits UnknownTokenException, AlreadyCompletedException, EvaluationGoneException, InvalidMetricsException {

  EvaluationRefusal(String message) {
    super(message);
  }

  EvaluationRefusal(String message, Throwable cause) {
    super(message, cause);
  }
}
