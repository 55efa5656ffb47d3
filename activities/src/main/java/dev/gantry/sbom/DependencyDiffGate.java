package dev.gantry.sbom;

import dev.gantry.evidence.DependencyPolicy;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.lockfile.LockfileGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The dependency-diff gate: refuses downgrades when the policy says so (each one named) and
 * licenses the policy denies when a release introduces them; flags a lockfile that changed while
 * the SBOM did not, without failing on it. The diff is against the previous release promoted into
 * the environment, and is itself stored as evidence of the release.
 */
public final class DependencyDiffGate implements Gate {
  public static final String NAME = "dependency-diff";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<EvidenceType> reads() {
    return Set.of(EvidenceType.SBOM, EvidenceType.LOCKFILE, EvidenceType.PROVENANCE);
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    DependencyPolicy policy = context.policy().dependencies();
    if (policy == null) {
      return Optional.empty();
    }
    Sbom sbom = SbomGate.sbom(context);
    if (sbom == null) {
      return Optional.of(GateVerdict.missing(NAME, "no usable SBOM for " + context.release().digest() + " to diff"));
    }
    Sbom previous = SbomGate.previousSbom(context);
    List<LockfileDigest> previousLocks = context.previous().map(p -> LockfileGate.named(p.documents())).orElse(List.of());
    DependencyDiff diff = DependencyDiff.of(previous, sbom, previousLocks, LockfileGate.lockfiles(context));
    String diffSha = context.record(EvidenceType.DEPENDENCY_DIFF, diff.toJson());
    List<String> used = new ArrayList<>();
    used.add(sbom.sha256());
    if (previous != null) {
      used.add(previous.sha256());
    }
    used.add(diffSha);
    return Optional.of(evaluate(policy, diff, used));
  }

  /** @param evidence sha256 of the records the diff was made from (both SBOMs, the diff itself) */
  public static GateVerdict evaluate(DependencyPolicy policy, DependencyDiff diff, List<String> evidence) {
    if (diff == null) {
      return GateVerdict.missing(NAME, "no dependency diff: there is no accepted SBOM for this release to diff");
    }
    List<String> failures = new ArrayList<>();
    if (policy.refuseDowngrades()) {
      for (DependencyDiff.Change d : diff.downgraded()) {
        failures.add("downgrade refused: " + d.describe());
      }
    }
    for (Map.Entry<String, List<String>> e : diff.newLicenses().entrySet()) {
      String denied = deniedIn(e.getKey(), policy.deniedLicenses());
      if (denied != null) {
        failures.add(
            "license " + e.getKey() + (denied.equalsIgnoreCase(e.getKey()) ? "" : " (" + denied + ")")
                + " is denied and new in this release, brought by " + String.join(", ", e.getValue()));
      }
    }
    List<String> notes = new ArrayList<>();
    notes.add(diff.summary());
    if (!policy.refuseDowngrades()) {
      diff.downgraded().forEach(d -> notes.add("downgrade (allowed here): " + d.describe()));
    }
    if (diff.lockfileChangedWithSameSbom()) {
      notes.add(
          "lockfile " + String.join(", ", diff.changedLockfiles())
              + " changed but the SBOM lists the same components: the SBOM may be stale, or the change did not reach the image");
    }
    if (!failures.isEmpty()) {
      failures.addAll(notes);
      return GateVerdict.fail(NAME, failures, evidence);
    }
    return GateVerdict.pass(NAME, notes, evidence);
  }

  /**
   * The denied entry that matches a license as written: the whole text (case-insensitive), or a
   * denied SPDX id among the ids of an expression such as {@code MIT OR GPL-3.0-only} or {@code
   * (Apache-2.0 AND GPL-2.0-only WITH Classpath-exception-2.0)}; null when none does. Any
   * occurrence counts, even under OR: the policy does not choose the license for the consumer.
   */
  static String deniedIn(String license, List<String> denied) {
    List<String> ids = new ArrayList<>();
    for (String token : license.split("[\\s()]+")) {
      if (!token.isEmpty() && !List.of("and", "or", "with").contains(token.toLowerCase(Locale.ROOT))) {
        ids.add(token);
      }
    }
    for (String d : denied) {
      String entry = d.strip();
      if (entry.equalsIgnoreCase(license.strip())) {
        return entry;
      }
      for (String id : ids) {
        if (id.equalsIgnoreCase(entry)) {
          return entry;
        }
      }
    }
    return null;
  }
}
