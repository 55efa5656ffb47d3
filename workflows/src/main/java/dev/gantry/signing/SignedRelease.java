package dev.gantry.signing;

/**
 * Gantry's signature on a digest, in both forms cosign reads.
 *
 * @param keyId base64 sha256 of the signing key's public key; null when no signing key is configured
 * @param legacy manifest digest of the {@code .sig} signature
 * @param bundle manifest digest of the Sigstore bundle referrer
 * @param added false when both were already there (a retried activity signs nothing twice)
 */
public record SignedRelease(String keyId, String legacy, String bundle, boolean added) {}
