package dev.gantry.evaluation;

/**
 * Nothing waits for the result any more: the deadline passed, the activity timed out or its
 * release ended, or the evaluation already failed. API: 410.
 */
public final class EvaluationGoneException extends EvaluationRefusal {
  public EvaluationGoneException(String message) {
    super(message);
  }

  public EvaluationGoneException(String message, Throwable cause) {
    super(message, cause);
  }
}
