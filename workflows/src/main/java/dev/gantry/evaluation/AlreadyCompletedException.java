package dev.gantry.evaluation;

/** The evaluation already has a different result; the first one stands. API: 409. */
public final class AlreadyCompletedException extends EvaluationRefusal {
  public AlreadyCompletedException(String message) {
    super(message);
  }
}
