package dev.gantry.evidence;

import java.time.Duration;
import java.util.List;

/**
 * Vulnerability-scan requirements.
 *
 * @param failOn lowest severity that blocks: {@code CRITICAL}, {@code HIGH}, {@code MEDIUM}, {@code
 *     LOW} or {@code UNKNOWN} (the seed pipeline's rule, no HIGH or CRITICAL, is {@code HIGH})
 * @param ignoreUnfixed findings without a fixed version do not block
 * @param maxAge a report older than this (by its own creation time) is refused; null = no limit
 * @param exceptions time-limited exceptions; an expired one does not apply
 */
public record ScanPolicy(String failOn, boolean ignoreUnfixed, Duration maxAge, List<ScanException> exceptions) {

  public ScanPolicy {
    exceptions = exceptions == null ? List.of() : List.copyOf(exceptions);
  }
}
