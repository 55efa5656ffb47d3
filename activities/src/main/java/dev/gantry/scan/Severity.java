package dev.gantry.scan;

import java.util.Locale;

/**
 * A finding's severity, normalised across scanners (Trivy writes {@code HIGH}, Grype {@code
 * High}); ordered from least to most severe. Grype's {@code Negligible} sits below {@code LOW};
 * {@code UNKNOWN} is the lowest, as in Trivy, so only a policy that fails on UNKNOWN blocks it.
 */
public enum Severity {
  UNKNOWN,
  NEGLIGIBLE,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** The severity a scanner wrote, case-insensitive; missing or empty is UNKNOWN; null when the word is not a severity. */
  public static Severity of(String text) {
    if (text == null || text.isBlank()) {
      return UNKNOWN;
    }
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether a finding of this severity is at or above {@code threshold}. */
  public boolean atLeast(Severity threshold) {
    return compareTo(threshold) >= 0;
  }
}
