package dev.gantry.evidence;

import java.time.Duration;

/**
 * A service's evaluation: Gantry POSTs {@code {service, commit, digest, token, callback}} to {@code
 * url}; the result arrives at {@code POST /api/v1/evaluations/{token}}, or, when the endpoint
 * answers 202 with a {@code Location}, by polling that location.
 *
 * @param timeout no result within this time fails the evaluation gate
 */
public record EvaluationSpec(String url, Duration timeout) {}
