package dev.gantry.evidence;

import java.util.List;

/**
 * CI's cosign signature on the digest must verify, in either form cosign writes (the legacy
 * {@code .sig} tag or a v3 Sigstore bundle), with one of these keys.
 *
 * @param publicKeys PEM public keys CI signs with
 */
public record SignaturePolicy(List<String> publicKeys) {

  public SignaturePolicy {
    publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
  }
}
