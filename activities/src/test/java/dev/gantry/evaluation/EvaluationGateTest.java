package dev.gantry.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.EvaluationPolicy;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.MetricRule;
import dev.gantry.evidence.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationGateTest {
  static final List<String> EVIDENCE = List.of("sha256:" + "e".repeat(64));

  static final MetricRule ACCURACY = new MetricRule("accuracy", 0.90, null, 0.02, false);
  static final MetricRule LATENCY = new MetricRule("latency_p99_ms", null, 250.0, 20.0, true);
  static final EvaluationPolicy POLICY = new EvaluationPolicy(List.of(ACCURACY, LATENCY));

  static GateVerdict gate(Map<String, Double> metrics, Map<String, Double> previous) {
    return EvaluationGate.evaluate(POLICY, metrics, previous, null, EVIDENCE);
  }

  @Test
  void passListsEachMetricWithItsBounds() {
    GateVerdict v = gate(Map.of("accuracy", 0.95, "latency_p99_ms", 180.0), Map.of("accuracy", 0.96, "latency_p99_ms", 170.0));

    assertThat(v.gate()).isEqualTo("evaluation");
    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
    assertThat(v.evidence()).isEqualTo(EVIDENCE);
    assertThat(v.reasons()).containsExactly(
        "metric accuracy is 0.95: ≥ 0.9, at most 0.02 worse than the previous 0.96",
        "metric latency_p99_ms is 180: ≤ 250, at most 20 worse than the previous 170");
  }

  @Test
  void belowMinimumFailsNamingValueAndBound() {
    GateVerdict v = gate(Map.of("accuracy", 0.87, "latency_p99_ms", 180.0), null);

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).containsExactly("metric accuracy is 0.87, below the minimum 0.9");
  }

  @Test
  void aboveMaximumFailsNamingValueAndBound() {
    GateVerdict v = gate(Map.of("accuracy", 0.95, "latency_p99_ms", 251.5), null);

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).containsExactly("metric latency_p99_ms is 251.5, above the maximum 250");
  }

  @Test
  void higherIsBetterRegressionBeyondAllowedFails() {
    GateVerdict v = gate(Map.of("accuracy", 0.92, "latency_p99_ms", 180.0), Map.of("accuracy", 0.95, "latency_p99_ms", 180.0));

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).containsExactly(
        "metric accuracy regressed from 0.95 (previous release) to 0.92: 0.03 worse (higher is better), more than the allowed 0.02");
  }

  @Test
  void lowerIsBetterRegressionBeyondAllowedFails() {
    GateVerdict v = gate(Map.of("accuracy", 0.95, "latency_p99_ms", 221.0), Map.of("accuracy", 0.95, "latency_p99_ms", 200.0));

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).containsExactly(
        "metric latency_p99_ms regressed from 200 (previous release) to 221: 21 worse (lower is better), more than the allowed 20");
  }

  @Test
  void improvementsInEitherDirectionPassHoweverLarge() {
    // accuracy up by 0.09 and latency down by 150: both better, neither a regression
    GateVerdict v = gate(Map.of("accuracy", 0.99, "latency_p99_ms", 50.0), Map.of("accuracy", 0.90, "latency_p99_ms", 200.0));

    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void regressionExactlyAtTheAllowedAmountPasses() {
    // in binary floating point 0.95 - 0.93 is 0.020000000000000018; as written it is 0.02
    GateVerdict v = gate(Map.of("accuracy", 0.93, "latency_p99_ms", 220.0), Map.of("accuracy", 0.95, "latency_p99_ms", 200.0));

    assertThat(v.outcome()).isEqualTo(Outcome.PASS);
  }

  @Test
  void missingMetricFailsAndSaysWhatWasReported() {
    GateVerdict v = gate(Map.of("accuracy", 0.95, "f1", 0.8), null);

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).containsExactly("metric latency_p99_ms was not reported (reported: [accuracy, f1])");
  }

  @Test
  void noResultFailsWithTheEvaluationErrorNotMissing() {
    GateVerdict v = EvaluationGate.evaluate(POLICY, null, Map.of("accuracy", 0.95), "no evaluation result within PT10M", List.of());

    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons()).containsExactly("no evaluation result within PT10M");
  }

  @Test
  void firstReleaseAndMetricsNewSinceThePreviousAreNotCompared() {
    GateVerdict first = gate(Map.of("accuracy", 0.91, "latency_p99_ms", 249.0), null);
    GateVerdict newMetric = gate(Map.of("accuracy", 0.91, "latency_p99_ms", 249.0), Map.of("accuracy", 0.92));

    assertThat(first.outcome()).isEqualTo(Outcome.PASS);
    assertThat(first.reasons()).contains("metric accuracy is 0.91: ≥ 0.9, no previous release to compare with");
    assertThat(newMetric.outcome()).isEqualTo(Outcome.PASS);
    assertThat(newMetric.reasons()).contains("metric latency_p99_ms is 249: ≤ 250, the previous release reported no latency_p99_ms to compare with");
  }

  @Test
  void everyFailingMetricIsReported() {
    GateVerdict v = gate(Map.of("accuracy", 0.5), Map.of("accuracy", 0.95));

    assertThat(v.reasons()).containsExactly(
        "metric accuracy is 0.5, below the minimum 0.9",
        "metric accuracy regressed from 0.95 (previous release) to 0.5: 0.45 worse (higher is better), more than the allowed 0.02",
        "metric latency_p99_ms was not reported (reported: [accuracy])");
  }
}
