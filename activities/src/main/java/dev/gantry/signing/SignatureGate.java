package dev.gantry.signing;

import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SignaturePolicy;
import dev.gantry.evidence.TrustedKey;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.RegistrySettings;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * CI's cosign signature on the release digest, in either form cosign writes, must verify with one
 * of the service's keys that is valid now, or keyless with one of its identity rules. An unsigned
 * image is missing evidence (CI may still be signing); a signature that does not verify refuses.
 */
public final class SignatureGate implements Gate {
  public static final String NAME = "signature";

  private final RegistrySettings registry;

  /** @param registry where CI's signatures are looked up, keyed and keyless */
  public SignatureGate(RegistrySettings registry) {
    this.registry = registry;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** None: the signatures are read from the registry, beside the image, not from stored records. */
  @Override
  public Set<EvidenceType> reads() {
    return Set.of();
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    SignaturePolicy policy = context.policy().signature();
    return policy == null ? Optional.empty() : Optional.of(verify(context.release(), policy, registry, context.now()));
  }

  /**
   * The gate, keyed and keyless, against the registry: what the release workflow runs before a
   * promotion and a rollback runs again before it pins a digest.
   *
   * @param now the verification time: keys are valid or not at this instant (a keyed signature
   *     carries no trusted timestamp), and a transparency log entry integrated later is refused
   */
  public static GateVerdict verify(ReleaseRef release, SignaturePolicy policy, RegistrySettings settings, Instant now) {
    return evaluate(release, policy, now, (image, keys) ->
        CosignVerifier.verify(image, keys, policy.keyless(), Map.of(), settings, Attachments.Limits.DEFAULT, now));
  }

  /** Looks up and verifies an image's signatures with the keys given and the policy's keyless rules. */
  @FunctionalInterface
  public interface Lookup {
    CosignVerifier.Result verify(ImageRef image, List<PublicKey> keys);
  }

  /**
   * The gate over any lookup (a registry, a layout, a test double). Every configured key is given
   * to the lookup, so a signature by an expired or revoked key is recognised and refused by name;
   * only a signature by a key valid at {@code now}, or a keyless one, counts.
   */
  public static GateVerdict evaluate(ReleaseRef release, SignaturePolicy policy, Instant now, Lookup lookup) {
    if (policy.publicKeys().isEmpty() && policy.keyless() == null) {
      return GateVerdict.fail(NAME, List.of("no CI signing key and no keyless identity is configured for "
          + release.service() + " (signing-keys, keyless): nothing can verify"), List.of());
    }
    List<PublicKey> keys = new ArrayList<>();
    List<String> invalid = new ArrayList<>(); // per key: why it verifies nothing now, or null
    for (TrustedKey key : policy.publicKeys()) {
      try {
        keys.add(PublicKeys.fromPem(key.pem()));
      } catch (IllegalArgumentException e) {
        return GateVerdict.fail(NAME, List.of("a configured CI signing key cannot be read: " + e.getMessage()), List.of());
      }
      invalid.add(key.refusal(now));
    }
    CosignVerifier.Result result = lookup.verify(new ImageRef(release.image(), release.digest()), keys);

    List<String> reasons = new ArrayList<>();
    List<String> byInvalidKeys = new ArrayList<>();
    for (CosignVerifier.Verified v : result.verified()) {
      String why = v.keyIndex() >= 0 ? invalid.get(v.keyIndex()) : null;
      String what = v.form() + " signature " + v.manifestDigest();
      if (why != null) {
        byInvalidKeys.add(what + " verifies, but " + why + ": it counts for nothing");
      } else {
        reasons.add(what + " by " + (v.keyIndex() >= 0 ? "key " + v.keyId() : v.keyId()) + " verifies over " + release.digest());
      }
    }
    if (!reasons.isEmpty()) {
      reasons.addAll(byInvalidKeys);
      return GateVerdict.pass(NAME, reasons, List.of());
    }
    if (!byInvalidKeys.isEmpty()) {
      List<String> refusals = new ArrayList<>();
      refusals.add("no cosign signature of " + release.image() + "@" + release.digest() + " is by a key valid at " + now
          + (policy.keyless() == null ? "" : " or a keyless identity"));
      refusals.addAll(byInvalidKeys);
      refusals.addAll(result.refusals());
      return GateVerdict.fail(NAME, refusals, List.of());
    }
    boolean unsigned = result.refusals().size() == 1 && result.refusals().getFirst().startsWith("unsigned:");
    if (unsigned) {
      return GateVerdict.missing(NAME, result.refusals().getFirst());
    }
    List<String> refusals = new ArrayList<>(result.refusals());
    invalid.stream().filter(why -> why != null).map(why -> why + " (not trusted now)").forEach(refusals::add);
    return GateVerdict.fail(NAME, refusals, List.of());
  }
}
