package dev.gantry.evidence;

import java.util.List;

/**
 * SLSA provenance requirements.
 *
 * @param trustedBuilders accepted {@code builder.id}s; an entry ending in {@code *} is a prefix rule
 *     (e.g. {@code https://github.com/acme/workflows/.github/workflows/build.yml@*}), any other entry
 *     must match exactly
 * @param sourceRepository the repository the release's commit must come from, e.g. {@code
 *     https://github.com/acme/storefront}; compared without a {@code git+} prefix, {@code .git}
 *     suffix or trailing slash
 * @param publicKeys public keys (ECDSA P-256/P-384, RSA, Ed25519) with their validity; the DSSE
 *     envelope must carry a signature that verifies with one that is valid now (older histories
 *     hold bare PEM strings here, which read as keys without limits)
 * @param keyless keyless rules for provenance in a Sigstore bundle with a certificate (GitHub's
 *     attest-build-provenance); null when provenance is signed with keys only
 */
public record ProvenancePolicy(List<String> trustedBuilders, String sourceRepository, List<TrustedKey> publicKeys, KeylessPolicy keyless) {

  public ProvenancePolicy {
    trustedBuilders = trustedBuilders == null ? List.of() : List.copyOf(trustedBuilders);
    publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
  }

  /** PEM public keys without limits, no keyless rules. */
  public ProvenancePolicy(List<String> trustedBuilders, String sourceRepository, List<String> pems) {
    this(trustedBuilders, sourceRepository, TrustedKey.of(pems), null);
  }
}
