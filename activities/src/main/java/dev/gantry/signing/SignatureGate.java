package dev.gantry.signing;

import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SignaturePolicy;
import dev.gantry.model.ImageRef;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * CI's cosign signature on the release digest, in either form cosign writes, must verify with one
 * of the service's keys. An unsigned image is missing evidence (CI may still be signing); a
 * signature that does not verify refuses.
 */
public final class SignatureGate {
  public static final String NAME = "signature";

  private SignatureGate() {}

  /** @param verify the registry lookup: {@link CosignVerifier#verify(ImageRef, List, dev.gantry.registry.RegistrySettings)} */
  public static GateVerdict evaluate(ReleaseRef release, SignaturePolicy policy, BiFunction<ImageRef, List<PublicKey>, CosignVerifier.Result> verify) {
    if (policy.publicKeys().isEmpty()) {
      return GateVerdict.fail(NAME, List.of("no CI signing key is configured for " + release.service() + " (signing-keys): nothing can verify"), List.of());
    }
    List<PublicKey> keys = new ArrayList<>();
    for (String pem : policy.publicKeys()) {
      try {
        keys.add(PublicKeys.fromPem(pem));
      } catch (IllegalArgumentException e) {
        return GateVerdict.fail(NAME, List.of("a configured CI signing key cannot be read: " + e.getMessage()), List.of());
      }
    }
    CosignVerifier.Result result = verify.apply(new ImageRef(release.image(), release.digest()), keys);
    if (result.ok()) {
      List<String> reasons = new ArrayList<>();
      for (CosignVerifier.Verified v : result.verified()) {
        reasons.add(v.form() + " signature " + v.manifestDigest() + " by key " + v.keyId() + " verifies over " + release.digest());
      }
      return GateVerdict.pass(NAME, reasons, List.of());
    }
    boolean unsigned = result.refusals().size() == 1 && result.refusals().getFirst().startsWith("unsigned:");
    return unsigned ? GateVerdict.missing(NAME, result.refusals().getFirst()) : GateVerdict.fail(NAME, result.refusals(), List.of());
  }
}
