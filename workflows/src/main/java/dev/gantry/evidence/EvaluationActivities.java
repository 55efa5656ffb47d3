package dev.gantry.evidence;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.Map;

/** The service's evaluation, completed asynchronously by the evaluator's callback. */
@ActivityInterface
public interface EvaluationActivities {

  /**
   * Asks the service's evaluation endpoint to evaluate the digest and returns its metrics. The
   * activity completes when the evaluator calls {@code POST /api/v1/evaluations/{token}} (or, when
   * the endpoint gave a status location, when polling it yields a result).
   */
  @ActivityMethod(name = "Evaluate")
  Map<String, Double> evaluate(ReleaseRef release, EvaluationSpec spec);
}
