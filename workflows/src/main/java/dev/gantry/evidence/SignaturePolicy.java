package dev.gantry.evidence;

import java.util.List;

/**
 * CI's cosign signature on the digest must verify, in either form cosign writes (the legacy
 * {@code .sig} tag or a v3 Sigstore bundle), with one of these keys, or keyless with one of the
 * identities.
 *
 * @param publicKeys the keys CI signs with, each with its validity (older histories hold bare PEM
 *     strings here, which read as keys without limits)
 * @param keyless keyless rules; null when CI signs with keys only
 */
public record SignaturePolicy(List<TrustedKey> publicKeys, KeylessPolicy keyless) {

  public SignaturePolicy {
    publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
  }

  /** PEM public keys without limits, no keyless rules. */
  public SignaturePolicy(List<String> pems) {
    this(TrustedKey.of(pems), null);
  }
}
