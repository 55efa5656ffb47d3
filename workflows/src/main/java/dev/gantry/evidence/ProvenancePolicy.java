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
 * @param publicKeys PEM public keys (ECDSA P-256/P-384, RSA, Ed25519); the DSSE envelope must carry
 *     a signature that verifies with one of them
 */
public record ProvenancePolicy(List<String> trustedBuilders, String sourceRepository, List<String> publicKeys) {

  public ProvenancePolicy {
    trustedBuilders = trustedBuilders == null ? List.of() : List.copyOf(trustedBuilders);
    publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
  }
}
