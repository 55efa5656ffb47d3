package dev.gantry.evidence;

/**
 * A threshold on one evaluation metric.
 *
 * @param min lowest acceptable value; null = no lower bound
 * @param max highest acceptable value; null = no upper bound
 * @param maxRegression largest acceptable worsening against the previous release's score in the
 *     same environment, in the metric's own units; null = not compared
 * @param lowerIsBetter the direction of "worse" (latency: true; accuracy: false)
 */
public record MetricRule(String name, Double min, Double max, Double maxRegression, boolean lowerIsBetter) {}
