package dev.gantry.evaluation;

/** The result is not a usable {@code {"metrics": {name: number}}}. API: 400. */
public final class InvalidMetricsException extends EvaluationRefusal {
  public InvalidMetricsException(String message) {
    super(message);
  }

  public InvalidMetricsException(String message, Throwable cause) {
    super(message, cause);
  }
}
