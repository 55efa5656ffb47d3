package dev.gantry.catalog;

/**
 * Where an environment stands: the digest pinned now (and its release commit), the last known
 * good, and the hold if there is one (null otherwise).
 */
public record EnvironmentRecord(
    String service,
    String environment,
    String currentDigest,
    String currentCommit,
    String lastKnownGoodDigest,
    String lastKnownGoodCommit,
    Hold hold) {}
