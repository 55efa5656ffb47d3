package dev.gantry.signing;

/**
 * Gantry's verification summary for one environment, in both places cosign reads attestations.
 *
 * @param keyId the signing key's id; null when no signing key is configured (nothing is written)
 * @param legacy manifest digest of the {@code .att} manifest holding it
 * @param referrer manifest digest of the Sigstore bundle referrer holding it
 * @param added false when both were already there
 */
public record SummaryAttestation(String keyId, String legacy, String referrer, boolean added) {}
