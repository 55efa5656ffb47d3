package dev.gantry.signing;

import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SignaturePolicy;

/**
 * Re-verify a digest before a rollback pins it again in an environment.
 *
 * @param ciSignature the environment's CI signature policy today (keys rotated out no longer count);
 *     null when the environment does not require CI's signature
 */
public record ReverifyRequest(ReleaseRef release, String environment, SignaturePolicy ciSignature) {}
