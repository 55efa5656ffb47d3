package dev.gantry.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.model.FailureTypes;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls an environment's health endpoint ({@code GET} → {@code {"digest": ..., "healthy": ...}}).
 * Progress goes into heartbeat details, so a retried attempt keeps the original deadline instead
 * of granting itself a fresh timeout or soak.
 */
public class HealthActivitiesImpl implements HealthActivities {

  /** Type of the non-retryable failure for a health URL that is not an http(s) URL. */
  public static final String INVALID_HEALTH_URL = "InvalidHealthUrl";

  private static final Logger log = LoggerFactory.getLogger(HealthActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http;
  private final Duration requestTimeout;

  public HealthActivitiesImpl() {
    this(
        HttpClient.newBuilder().connectTimeout(DEFAULT_REQUEST_TIMEOUT).build(),
        DEFAULT_REQUEST_TIMEOUT);
  }

  public HealthActivitiesImpl(HttpClient http, Duration requestTimeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /**
   * Heartbeat details: what a retried attempt resumes from. Epoch millis rather than an Instant
   * so the payload needs nothing beyond plain JSON.
   */
  public record Progress(long startedAtEpochMilli, int polls, int unreachableInARow) {}

  /** One poll's answer: a report, or why there was none. */
  record Observation(String digest, boolean healthy, String problem, boolean unreachable) {
    static Observation report(String digest, boolean healthy) {
      return new Observation(digest, healthy, null, false);
    }

    static Observation noReport(String problem, boolean unreachable) {
      return new Observation(null, false, problem, unreachable);
    }

    boolean reported() {
      return problem == null;
    }

    boolean isLive(String expected) {
      return reported() && healthy && expected.equals(digest);
    }

    String describe() {
      return reported() ? "reports " + digest + " healthy=" + healthy : problem;
    }
  }

  @Override
  public LiveReport awaitLive(String healthUrl, String digest, Duration timeout, Duration interval) {
    URI uri = parse(healthUrl);
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Progress progress = resume(ctx);
    Instant started = Instant.ofEpochMilli(progress.startedAtEpochMilli());
    Instant deadline = started.plus(timeout);
    int polls = progress.polls();
    while (true) {
      Observation seen = poll(uri);
      polls++;
      ctx.heartbeat(new Progress(progress.startedAtEpochMilli(), polls, 0));
      if (seen.isLive(digest)) {
        log.info("{} is live with {} after {} polls", healthUrl, digest, polls);
        return new LiveReport(seen.digest(), true, polls, "live after " + polls + " polls");
      }
      Instant now = Instant.now();
      if (!now.isBefore(deadline)) {
        String message =
            "after " + human(timeout) + " (" + polls + " polls) " + healthUrl
                + (seen.reported() ? " still " : " is ") + seen.describe()
                + "; expected " + digest + " healthy=true";
        log.warn("not live: {}", message);
        throw ApplicationFailure.newNonRetryableFailure(message, FailureTypes.NOT_LIVE);
      }
      sleep(min(interval, Duration.between(now, deadline)));
    }
  }

  @Override
  public LiveReport soak(String healthUrl, String digest, Duration duration, Duration interval) {
    URI uri = parse(healthUrl);
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Progress progress = resume(ctx);
    Instant started = Instant.ofEpochMilli(progress.startedAtEpochMilli());
    Instant end = started.plus(duration);
    int polls = progress.polls();
    int unreachableInARow = progress.unreachableInARow();
    while (true) {
      Observation seen = poll(uri);
      Instant when = Instant.now();
      polls++;
      if (seen.reported()) {
        unreachableInARow = 0;
        if (!seen.isLive(digest)) {
          throw unhealthy(healthUrl, digest, started, when, seen.describe());
        }
      } else if (++unreachableInARow >= 2) {
        // One blip is tolerated; two in a row mean nobody can vouch for the release.
        throw unhealthy(
            healthUrl, digest, started, when,
            "gave no report twice in a row, last: " + seen.describe());
      }
      ctx.heartbeat(new Progress(progress.startedAtEpochMilli(), polls, unreachableInARow));
      if (!when.isBefore(end)) {
        log.info(
            "{} stayed healthy on {} for {} ({} polls)", healthUrl, digest, human(duration), polls);
        return new LiveReport(
            digest, true, polls, "healthy for " + human(duration) + " (" + polls + " polls)");
      }
      sleep(min(interval, Duration.between(when, end)));
    }
  }

  private static ApplicationFailure unhealthy(
      String url, String digest, Instant started, Instant when, String what) {
    String message =
        "at " + when.truncatedTo(ChronoUnit.MILLIS) + " (" + human(Duration.between(started, when)) + " into the soak) " + url
            + " " + what + "; expected " + digest + " healthy=true";
    log.warn("soak failed: {}", message);
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.UNHEALTHY);
  }

  private static Progress resume(ActivityExecutionContext ctx) {
    return ctx.getHeartbeatDetails(Progress.class)
        .orElseGet(() -> new Progress(Instant.now().toEpochMilli(), 0, 0));
  }

  /** Never throws for what the endpoint does: every problem is an observation. */
  Observation poll(URI uri) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return Observation.noReport("unreachable: " + reason(e), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
    if (response.statusCode() / 100 != 2) {
      return Observation.noReport("answers HTTP " + response.statusCode(), true);
    }
    try {
      JsonNode body = JSON.readTree(response.body());
      JsonNode d = body == null ? null : body.get("digest");
      JsonNode h = body == null ? null : body.get("healthy");
      if (d == null || !d.isTextual() || h == null || !h.isBoolean()) {
        return Observation.noReport("answers JSON without a digest string and healthy boolean: "
            + abbreviate(response.body()), true);
      }
      return Observation.report(d.asText(), h.asBoolean());
    } catch (IOException e) {
      return Observation.noReport("answers something that is not JSON: "
          + abbreviate(response.body()), true);
    }
  }

  private String reason(IOException e) {
    // HttpClient reports a refused connection as a ConnectException without a message.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpTimeoutException) {
        return "no answer within " + human(requestTimeout);
      }
      if (t instanceof ConnectException) {
        return t.getMessage() == null || t.getMessage().isBlank()
            ? "connection refused"
            : t.getMessage();
      }
    }
    Throwable t = e;
    while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }

  private static URI parse(String url) {
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("not http(s)");
      }
      return uri;
    } catch (RuntimeException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "health URL " + url + " is not an http(s) URL", INVALID_HEALTH_URL);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.isNegative() ? Duration.ZERO : d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String human(Duration d) {
    return d.truncatedTo(ChronoUnit.MILLIS).toString().substring(2).toLowerCase();
  }

  private static String abbreviate(String s) {
    String oneLine = s == null ? "" : s.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "…";
  }
}
