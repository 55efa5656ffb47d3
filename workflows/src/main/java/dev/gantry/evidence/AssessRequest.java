package dev.gantry.evidence;

/**
 * Run one environment's gates over a release's evidence.
 *
 * @param evaluationError why the evaluation produced no result (timeout, endpoint refused), or null
 */
public record AssessRequest(ReleaseRef release, String environment, EvidencePolicy policy, String evaluationError) {}
