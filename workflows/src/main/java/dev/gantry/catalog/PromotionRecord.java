package dev.gantry.catalog;

import java.time.Instant;
import java.util.List;

/**
 * One entry of an environment's history; upserted by {@code id} so a retried activity writes it
 * once.
 *
 * @param id the promotion's {@code <workflow id>/<run id>} (plus a suffix for its compensation)
 * @param kind {@code PROMOTION}, {@code COMPENSATION} or {@code ROLLBACK}
 * @param outcome an environment state: {@code PROMOTING}, {@code PROMOTED}, {@code COMPENSATED},
 *     {@code FAILED}, ...; {@code PROMOTED} makes the digest current and last known good, any other
 *     outcome of a change that reached git makes it current only
 * @param commit the release's source commit; null for a pin of a digest with no known release
 * @param gitCommit the GitOps commit that pinned the digest, if any
 * @param evidenceBundle sha256 of the evidence bundle the promotion was approved on; null for
 *     compensations, rollbacks and promotions recorded before evidence gates
 */
public record PromotionRecord(
    String id,
    String service,
    String environment,
    String kind,
    String digest,
    String commit,
    String gitCommit,
    String outcome,
    List<String> approvedBy,
    String by,
    String reason,
    Instant at,
    String evidenceBundle) {}
