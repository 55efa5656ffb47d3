package dev.gantry.sbom;

import dev.gantry.evidence.DependencyPolicy;
import dev.gantry.evidence.GateVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dependency-diff gate: refuses downgrades when the policy says so (each one named) and
 * licenses the policy denies when a release introduces them; flags a lockfile that changed while
 * the SBOM did not, without failing on it.
 */
public final class DependencyDiffGate {
  private DependencyDiffGate() {}

  public static final String NAME = "dependency-diff";

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
