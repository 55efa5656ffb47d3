package dev.gantry.evaluation;

/**
 * The database or Temporal could not be reached while recording or delivering a result. Not an
 * {@code ApplicationFailure}: an activity retries it with backoff; the API answers 503 so the
 * evaluator tries again.
 */
public class EvaluationUnavailableException extends RuntimeException {
  public EvaluationUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
