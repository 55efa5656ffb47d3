package dev.gantry.evidence;

/**
 * A lockfile's digest as CI reported it (an evidence record {@code {"path", "sha256"}}) or as the
 * provenance's {@code resolvedDependencies} names it.
 *
 * @param sha256 lowercase hex
 * @param source sha256 of the evidence record it was read from
 */
public record LockfileDigest(String path, String sha256, String source) {}
