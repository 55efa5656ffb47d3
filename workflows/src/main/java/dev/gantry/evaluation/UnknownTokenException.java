package dev.gantry.evaluation;

/** No evaluation is waiting for this token (or it is not even shaped like one). API: 404. */
public final class UnknownTokenException extends EvaluationRefusal {
  public UnknownTokenException(String message) {
    super(message);
  }
}
