package dev.gantry.evaluation;

import dev.gantry.evidence.EvaluationPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.MetricRule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The evaluation gate: every metric the policy names must be reported, within its bounds, and no
 * worse than the previous release's score by more than the allowed regression. No result at all
 * fails (the wait for it already happened); it is never {@code MISSING}. The newest evaluation
 * record is this release's result; the previous release's newest is its baseline.
 */
public final class EvaluationGate implements Gate {
  public static final String NAME = "evaluation";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<EvidenceType> reads() {
    return Set.of(EvidenceType.EVALUATION);
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    if (context.policy().evaluation() == null) {
      return Optional.empty();
    }
    List<EvidenceDocument> evaluations = context.documents(EvidenceType.EVALUATION);
    EvidenceDocument newest = evaluations.isEmpty() ? null : evaluations.getLast();
    Map<String, Double> previous = context.previous().map(p -> {
      List<EvidenceDocument> before = p.documents(EvidenceType.EVALUATION);
      return before.isEmpty() ? null : metrics(before.getLast().json());
    }).orElse(null);
    return Optional.of(evaluate(
        context.policy().evaluation(),
        newest == null ? null : metrics(newest.json()),
        previous,
        newest == null ? (context.evaluationError() == null ? "no evaluation result was recorded" : context.evaluationError()) : null,
        newest == null ? List.of() : List.of(newest.sha256())));
  }

  private static Map<String, Double> metrics(JsonNode evaluation) {
    Map<String, Double> out = new LinkedHashMap<>();
    evaluation.path("metrics").properties().forEach(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  /**
   * @param metrics this release's result; null when none arrived
   * @param previous the previous release's result in the same environment; null for the first
   * @param evaluationError why there is no result ("no evaluation result within PT10M"); used
   *     when {@code metrics} is null
   * @param evidence sha256 of the evaluation evidence record(s) read
   */
  public static GateVerdict evaluate(
      EvaluationPolicy policy, Map<String, Double> metrics, Map<String, Double> previous, String evaluationError, List<String> evidence) {
    List<MetricRule> rules = policy == null ? List.of() : policy.metrics();
    if (metrics == null) {
      String why = evaluationError == null || evaluationError.isBlank() ? "no evaluation result" : evaluationError;
      return GateVerdict.fail(NAME, List.of(why), evidence);
    }
    List<String> failures = new ArrayList<>();
    List<String> passes = new ArrayList<>();
    for (MetricRule rule : rules) {
      check(rule, metrics, previous, failures, passes);
    }
    if (!failures.isEmpty()) {
      return GateVerdict.fail(NAME, failures, evidence);
    }
    if (rules.isEmpty()) {
      passes.add("evaluation reported " + new TreeSet<>(metrics.keySet()) + "; the policy sets no thresholds");
    }
    return GateVerdict.pass(NAME, passes, evidence);
  }

  private static void check(
      MetricRule rule, Map<String, Double> metrics, Map<String, Double> previous, List<String> failures, List<String> passes) {
    String name = rule.name();
    Double value = metrics.get(name);
    if (value == null || !Double.isFinite(value)) {
      failures.add(
          "metric " + name + " was " + (value == null ? "not reported" : "reported as " + value)
              + " (reported: " + new TreeSet<>(metrics.keySet()) + ")");
      return;
    }
    List<String> bounds = new ArrayList<>();
    boolean failed = false;
    if (rule.min() != null) {
      if (value < rule.min()) {
        failures.add("metric " + name + " is " + fmt(value) + ", below the minimum " + fmt(rule.min()));
        failed = true;
      }
      bounds.add("≥ " + fmt(rule.min()));
    }
    if (rule.max() != null) {
      if (value > rule.max()) {
        failures.add("metric " + name + " is " + fmt(value) + ", above the maximum " + fmt(rule.max()));
        failed = true;
      }
      bounds.add("≤ " + fmt(rule.max()));
    }
    if (rule.maxRegression() != null) {
      Double before = previous == null ? null : previous.get(name);
      if (previous == null) {
        bounds.add("no previous release to compare with");
      } else if (before == null || !Double.isFinite(before)) {
        bounds.add("the previous release reported no " + name + " to compare with");
      } else {
        // decimal arithmetic on the numbers as written: 0.95 → 0.93 is a regression of exactly 0.02
        BigDecimal change = BigDecimal.valueOf(value).subtract(BigDecimal.valueOf(before));
        BigDecimal worse = rule.lowerIsBetter() ? change : change.negate();
        BigDecimal allowed = BigDecimal.valueOf(rule.maxRegression());
        if (worse.compareTo(allowed) > 0) {
          failures.add(
              "metric " + name + " regressed from " + fmt(before) + " (previous release) to " + fmt(value) + ": "
                  + plain(worse) + " worse (" + (rule.lowerIsBetter() ? "lower" : "higher") + " is better), more than the allowed "
                  + fmt(rule.maxRegression()));
          failed = true;
        }
        bounds.add("at most " + fmt(rule.maxRegression()) + " worse than the previous " + fmt(before));
      }
    }
    if (!failed) {
      passes.add("metric " + name + " is " + fmt(value) + (bounds.isEmpty() ? " (reported; no bound set)" : ": " + String.join(", ", bounds)));
    }
  }

  static String fmt(double d) {
    return plain(BigDecimal.valueOf(d));
  }

  private static String plain(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    // plain digits for ordinary magnitudes, scientific for the extremes
    return s.scale() > 12 || s.precision() - s.scale() > 15 ? s.toString() : s.toPlainString();
  }
}
