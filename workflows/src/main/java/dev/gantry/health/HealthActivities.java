package dev.gantry.health;

import io.temporal.activity.ActivityInterface;
import java.time.Duration;

/**
 * Watches an environment's health endpoint. The endpoint answers {@code GET} with JSON
 * {@code {"digest": "sha256:...", "healthy": true}}. Both methods heartbeat while they poll.
 */
@ActivityInterface
public interface HealthActivities {

  /**
   * Polls until the endpoint reports {@code digest} and healthy.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable {@code NotLive} when {@code
   *     timeout} passes first, naming what was last seen
   */
  LiveReport awaitLive(String healthUrl, String digest, Duration timeout, Duration interval);

  /**
   * Polls for {@code duration}; every poll must report {@code digest} and healthy.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable {@code Unhealthy} at the first poll
   *     that does not
   */
  LiveReport soak(String healthUrl, String digest, Duration duration, Duration interval);
}
