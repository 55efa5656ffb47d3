package dev.gantry.evidence;

import java.time.Instant;

/**
 * A time-limited exception to the scan gate for one vulnerability (optionally one package). It
 * stops applying when it expires.
 *
 * @param purl package URL the exception is limited to; null covers every package
 */
public record ScanException(String vulnerability, String purl, Instant expires, String reason, String approvedBy) {}
