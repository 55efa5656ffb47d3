package dev.gantry.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvaluationActivities;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.ReleaseRef;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a service's evaluation endpoint to evaluate a release. Gantry POSTs {@code {service,
 * commit, image, digest, token, callback, deadline}}; the endpoint answers
 *
 * <ul>
 *   <li>200 {@code {"metrics": {...}}}: the result, at once;
 *   <li>202 with {@code Location}: the activity polls that location (GET: 200 with the result,
 *       202 while running), heartbeating every poll;
 *   <li>202 without one: the activity returns without completing and the evaluator's {@code
 *       POST /api/v1/evaluations/{token}} completes it ({@link EvaluationCompletions});
 *   <li>another 4xx: a non-retryable {@value #EVALUATION_REFUSED}; anything else is retried.
 * </ul>
 *
 * The token is stored with the attempt's task token before the request goes out (a quick
 * evaluator may answer before the POST returns). A retried attempt re-sends the same token, so an
 * evaluator still working on the first request completes the current attempt.
 */
public class EvaluationActivitiesImpl implements EvaluationActivities {

  /** Non-retryable: the endpoint answered 4xx (other than 408 and 429) to the request or a poll. */
  public static final String EVALUATION_REFUSED = dev.gantry.model.FailureTypes.EVALUATION_REFUSED;
  /** Non-retryable: the endpoint's result is not {@code {"metrics": {name: finite number}}}. */
  public static final String EVALUATION_INVALID = "EvaluationInvalid";
  /** Retryable: the endpoint was unreachable or answered 5xx, 3xx or another unexpected status. */
  public static final String EVALUATION_UNAVAILABLE = "EvaluationUnavailable";
  /** Non-retryable: the service's evaluation URL (or the status location) is not http(s). */
  public static final String INVALID_EVALUATION_URL = "InvalidEvaluationUrl";

  private static final Logger log = LoggerFactory.getLogger(EvaluationActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Waited past the deadline before giving up a poll, so Temporal's own timeout is what the workflow sees. */
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final EvaluationStore store;
  private final HttpClient http;
  private final EvaluationSettings settings;

  public EvaluationActivitiesImpl(DataSource dataSource, EvaluationSettings settings) {
    this(dataSource, HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build(), settings);
  }

  public EvaluationActivitiesImpl(DataSource dataSource, HttpClient http, EvaluationSettings settings) {
    this.store = new EvaluationStore(dataSource);
    this.http = Objects.requireNonNull(http, "http");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Heartbeat details while polling: how far this attempt got. */
  public record PollProgress(String location, int polls, String lastAnswer) {}

  @Override
  public Map<String, Double> evaluate(ReleaseRef release, EvaluationSpec spec) {
    if (release == null || release.service() == null || release.commit() == null || release.digest() == null) {
      throw ApplicationFailure.newNonRetryableFailure("an evaluation needs the release's service, commit and digest", EVALUATION_REFUSED);
    }
    URI endpoint = httpUri(spec == null ? null : spec.url(), "evaluation URL of " + release.service());
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    ActivityInfo info = ctx.getInfo();
    Instant deadline = deadline(info);
    EvaluationStore.Row request =
        store.open(
            new EvaluationStore.Key(info.getWorkflowId(), info.getActivityId(), release.service(), release.commit(), release.digest()),
            info.getRunId(), info.getAttempt(), info.getTaskToken(), spec.url(), deadline);
    if (!request.open()) {
      log.info("evaluation of {} already has its result ({})", request.release(), request.outcome());
      return request.metrics();
    }
    String what = "evaluation endpoint " + spec.url();
    Answer answer;
    try {
      answer = send(post(endpoint, release, request, deadline));
    } catch (IOException e) {
      throw ApplicationFailure.newFailureWithCause(what + " is unreachable: " + reason(e), EVALUATION_UNAVAILABLE, e);
    }
    int status = answer.status();
    if (status == 200) {
      Map<String, Double> metrics = result(request, answer.body(), what + " answered 200 for " + request.release() + " but its body");
      return store.finish(request.token(), metrics, EvaluationStore.RESPONSE, spec.url());
    }
    if (status == 202) {
      if (answer.location() != null) {
        URI statusUri = httpUri(resolve(endpoint, answer.location()), "status location of " + what);
        log.info("{} accepted {}; polling {}", what, request.release(), statusUri);
        return poll(ctx, request, statusUri, deadline);
      }
      log.info("{} accepted {}; waiting until {} for its callback", what, request.release(), deadline);
      ctx.doNotCompleteOnReturn();
      return null;
    }
    throw refusedOrRetry(request, status, answer.body(), what + " answered HTTP " + status + " to the request for " + request.release());
  }

  private Map<String, Double> poll(ActivityExecutionContext ctx, EvaluationStore.Row request, URI location, Instant deadline) {
    String what = "status location " + location;
    int polls = 0;
    String last = "not polled yet";
    while (true) {
      sleep(settings.pollInterval());
      HttpRequest get =
          HttpRequest.newBuilder(location).timeout(settings.requestTimeout()).header("Accept", "application/json").GET().build();
      polls++;
      try {
        Answer answer = send(get);
        int status = answer.status();
        if (status == 200) {
          Map<String, Double> metrics = result(request, answer.body(), what + " answered 200 for " + request.release() + " but its body");
          log.info("{} gave the result for {} after {} polls", what, request.release(), polls);
          return store.finish(request.token(), metrics, EvaluationStore.POLL, location.toString());
        }
        if (status != 202 && status / 100 == 4 && status != 408 && status != 429) {
          throw refused(request, what + " answered HTTP " + status + " while evaluating " + request.release() + excerpt(answer.body()));
        }
        last = "HTTP " + status;
      } catch (IOException e) {
        // an outage of the status endpoint is waited out like a slow evaluation
        last = "unreachable: " + reason(e);
      }
      ctx.heartbeat(new PollProgress(location.toString(), polls, last));
      if (Instant.now().isAfter(deadline.plus(GRACE))) {
        // Temporal's timeout has fired by now; this failure only stops a lingering attempt
        throw ApplicationFailure.newFailure(
            "no evaluation result for " + request.release() + " from " + what + " by " + deadline + " (" + polls
                + " polls, last: " + last + ")",
            EVALUATION_UNAVAILABLE);
      }
    }
  }

  private HttpRequest post(URI endpoint, ReleaseRef release, EvaluationStore.Row request, Instant deadline) {
    ObjectNode body = JSON.createObjectNode();
    body.put("service", release.service());
    body.put("commit", release.commit());
    body.put("image", release.image());
    body.put("digest", release.digest());
    body.put("token", request.token());
    body.put("callback", settings.callbackBase() + request.token());
    body.put("deadline", deadline.toString());
    return HttpRequest.newBuilder(endpoint)
        .timeout(settings.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        // the same key on every attempt: an evaluator may use it to run the evaluation once
        .header("Idempotency-Key", request.token())
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
        .build();
  }

  /** An endpoint's answer, its body read up to a little more than a result document may be. */
  private record Answer(int status, String location, byte[] body) {}

  private Answer send(HttpRequest request) throws IOException {
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        return new Answer(
            response.statusCode(), response.headers().firstValue("Location").orElse(null),
            in.readNBytes(EvaluationMetrics.MAX_BODY_BYTES + 1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
  }

  private static String resolve(URI base, String location) {
    try {
      return base.resolve(location.strip()).toString();
    } catch (IllegalArgumentException e) {
      return location;
    }
  }

  private Map<String, Double> result(EvaluationStore.Row request, byte[] body, String what) {
    try {
      return EvaluationMetrics.parse(body, what);
    } catch (InvalidMetricsException e) {
      store.fail(request.token(), request.url());
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), EVALUATION_INVALID);
    }
  }

  private RuntimeException refusedOrRetry(EvaluationStore.Row request, int status, byte[] body, String message) {
    if (status / 100 == 4 && status != 408 && status != 429) {
      return refused(request, message + excerpt(body));
    }
    return ApplicationFailure.newFailure(message + excerpt(body), EVALUATION_UNAVAILABLE);
  }

  private ApplicationFailure refused(EvaluationStore.Row request, String message) {
    store.fail(request.token(), request.url());
    log.warn("evaluation refused: {}", message);
    return ApplicationFailure.newNonRetryableFailure(message, EVALUATION_REFUSED);
  }

  /** The attempt's own end: start-to-close from when it started, capped by schedule-to-close. */
  static Instant deadline(ActivityInfo info) {
    Instant started = info.getStartedTimestamp() > 0 ? Instant.ofEpochMilli(info.getStartedTimestamp()) : Instant.now();
    Instant deadline = positive(info.getStartToCloseTimeout()) ? started.plus(info.getStartToCloseTimeout()) : null;
    if (positive(info.getScheduleToCloseTimeout()) && info.getScheduledTimestamp() > 0) {
      Instant overall = Instant.ofEpochMilli(info.getScheduledTimestamp()).plus(info.getScheduleToCloseTimeout());
      deadline = deadline == null || overall.isBefore(deadline) ? overall : deadline;
    }
    if (deadline == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the evaluation activity needs a start-to-close timeout: it is how long Gantry waits for the result",
          EVALUATION_REFUSED);
    }
    return deadline;
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isZero() && !d.isNegative();
  }

  private static URI httpUri(String url, String what) {
    try {
      URI uri = URI.create(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (RuntimeException e) {
      // refused below
    }
    throw ApplicationFailure.newNonRetryableFailure(what + " '" + url + "' is not an http(s) URL", INVALID_EVALUATION_URL);
  }

  private static String excerpt(byte[] body) {
    if (body == null || body.length == 0) {
      return " (empty body)";
    }
    String text = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    return ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
  }

  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.HttpTimeoutException) {
        return "no answer in time";
      }
      if (t instanceof java.net.ConnectException) {
        return t.getMessage() == null || t.getMessage().isBlank() ? "connection refused" : t.getMessage();
      }
    }
    return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
  }
}
