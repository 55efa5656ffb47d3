package dev.gantry.evaluation;

import dev.gantry.evidence.EvaluationActivities;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.ReleaseRef;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.Map;

/** The smallest workflow that runs the evaluation activity, as the release workflow will. */
@WorkflowInterface
public interface EvaluateWorkflow {

  @WorkflowMethod
  Map<String, Double> evaluate(ReleaseRef release, EvaluationSpec spec, int maxAttempts);

  class Impl implements EvaluateWorkflow {
    @Override
    public Map<String, Double> evaluate(ReleaseRef release, EvaluationSpec spec, int maxAttempts) {
      EvaluationActivities evaluation =
          Workflow.newActivityStub(
              EvaluationActivities.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(spec.timeout())
                  .setRetryOptions(
                      RetryOptions.newBuilder()
                          .setInitialInterval(Duration.ofMillis(100))
                          .setMaximumAttempts(maxAttempts)
                          .build())
                  .build());
      return evaluation.evaluate(release, spec);
    }
  }
}
