package dev.gantry.signing;

import dev.gantry.evidence.ReleaseRef;

/**
 * Sign a release's digest for one environment, after that environment's gates passed and its
 * approvals are in.
 *
 * @param evidenceBundle the bundle the gates and approvals were about; named in the signature
 */
public record SignRequest(ReleaseRef release, String environment, String evidenceBundle) {}
