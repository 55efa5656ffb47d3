package dev.gantry.evaluation;

import java.time.Duration;
import java.util.Objects;

/**
 * How Gantry talks to evaluation endpoints.
 *
 * @param callbackBase where evaluators POST results, the token appended: {@code
 *     http://gantry.example:8080/api/v1/evaluations/}
 * @param pollInterval pause between GETs of a status location (the poll fallback)
 * @param requestTimeout limit on each HTTP request to an endpoint
 */
public record EvaluationSettings(String callbackBase, Duration pollInterval, Duration requestTimeout) {

  public EvaluationSettings {
    Objects.requireNonNull(callbackBase, "callbackBase");
    if (!callbackBase.startsWith("http://") && !callbackBase.startsWith("https://")) {
      throw new IllegalArgumentException("evaluation callback base must be an http(s) URL, got " + callbackBase);
    }
    callbackBase = callbackBase.endsWith("/") ? callbackBase : callbackBase + "/";
    pollInterval = pollInterval == null ? Duration.ofSeconds(2) : pollInterval;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout;
    if (pollInterval.isNegative() || pollInterval.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("evaluation poll interval and request timeout must be positive");
    }
  }

  /** Polls every 2 s, 10 s per request. */
  public static EvaluationSettings defaults(String callbackBase) {
    return new EvaluationSettings(callbackBase, null, null);
  }
}
