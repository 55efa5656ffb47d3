package dev.gantry.evidence;

import java.util.List;

/** Thresholds on the service's evaluation; every listed metric must be reported. */
public record EvaluationPolicy(List<MetricRule> metrics) {

  public EvaluationPolicy {
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
  }
}
