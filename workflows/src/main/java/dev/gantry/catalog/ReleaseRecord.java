package dev.gantry.catalog;

import java.time.Instant;

/** A release as the catalog keeps it; upserted by (service, commit). */
public record ReleaseRecord(
    String service,
    String commit,
    String tag,
    String digest,
    String author,
    String startedBy,
    String workflowId,
    String status,
    Instant createdAt) {}
