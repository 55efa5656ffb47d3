package dev.gantry.signing;

import dev.gantry.evidence.ReleaseRef;
import java.time.Instant;

/**
 * Attest, as a SLSA verification summary, that a release passed an environment's gates and went
 * healthy there.
 *
 * @param evidenceBundle the bundle the gates and approvals were about (its members become the
 *     summary's input attestations); null when the environment requires no evidence
 * @param promotionId the promotion that verified it
 * @param verifiedAt when the promotion was verified healthy (workflow time, so a retried activity
 *     writes the same summary)
 */
public record SummaryRequest(
    ReleaseRef release, String environment, String evidenceBundle, String promotionId, Instant verifiedAt) {}
