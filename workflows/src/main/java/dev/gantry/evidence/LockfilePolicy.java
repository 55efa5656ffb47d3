package dev.gantry.evidence;

/**
 * A lockfile digest is required, given by CI ({@code {path, sha256}}) or read from the provenance's
 * {@code resolvedDependencies}.
 *
 * @param path the lockfile that must be named (e.g. {@code package-lock.json}); null accepts any
 */
public record LockfilePolicy(String path) {}
