package dev.gantry.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.DependencyPolicy;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyDiffGateTest {
  private static final List<String> EVIDENCE = List.of("sha256:previous-sbom", "sha256:current-sbom");

  private static Component lib(String name, String version, String... licenses) {
    return new Component("pkg:npm/" + name + "@" + version, name, version, "library", List.of(licenses), Map.of());
  }

  private static Sbom sbom(String sha, Component... components) {
    return new Sbom(Sbom.CYCLONEDX, "1.6", List.of(), List.of(components), sha);
  }

  private static final Sbom PREVIOUS = sbom("sha256:previous-sbom", lib("express", "4.18.2", "MIT"), lib("lodash", "4.17.21", "MIT"));

  @Test
  void refusesEachDowngradeByName() {
    Sbom current = sbom("sha256:current-sbom", lib("express", "4.18.1", "MIT"), lib("lodash", "4.17.20", "MIT"));
    DependencyDiff diff = DependencyDiff.of(PREVIOUS, current, List.of(), List.of());

    GateVerdict verdict = DependencyDiffGate.evaluate(new DependencyPolicy(true, List.of()), diff, EVIDENCE);

    assertThat(verdict.gate()).isEqualTo("dependency-diff");
    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.reasons()).startsWith(
        "downgrade refused: express 4.18.2 → 4.18.1 (pkg:npm/express@4.18.1)",
        "downgrade refused: lodash 4.17.21 → 4.17.20 (pkg:npm/lodash@4.17.20)");
    assertThat(verdict.evidence()).isEqualTo(EVIDENCE);
  }

  @Test
  void allowsDowngradesWhenThePolicyDoesButNamesThem() {
    Sbom current = sbom("sha256:current-sbom", lib("express", "4.18.2", "MIT"), lib("lodash", "4.17.20", "MIT"));

    GateVerdict verdict = DependencyDiffGate.evaluate(new DependencyPolicy(false, List.of()), DependencyDiff.of(PREVIOUS, current, List.of(), List.of()), EVIDENCE);

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reasons()).containsExactly(
        "1 downgrade, no new licenses", "downgrade (allowed here): lodash 4.17.21 → 4.17.20 (pkg:npm/lodash@4.17.20)");
  }

  @Test
  void refusesADeniedLicenseInsideAnExpressionCaseInsensitively() {
    Sbom current = sbom("sha256:current-sbom", lib("express", "4.18.2", "MIT"), lib("lodash", "4.17.21", "MIT"),
        lib("left-pad", "1.3.0", "MIT OR GPL-3.0-only"), lib("readline-sync", "1.4.10", "(Apache-2.0 AND AGPL-3.0-or-later)"));

    GateVerdict verdict = DependencyDiffGate.evaluate(
        new DependencyPolicy(true, List.of("gpl-3.0-only", "AGPL-3.0-or-later")), DependencyDiff.of(PREVIOUS, current, List.of(), List.of()), EVIDENCE);

    assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(verdict.reasons()).contains(
        "license (Apache-2.0 AND AGPL-3.0-or-later) (AGPL-3.0-or-later) is denied and new in this release, brought by readline-sync@1.4.10",
        "license MIT OR GPL-3.0-only (gpl-3.0-only) is denied and new in this release, brought by left-pad@1.3.0");
  }

  @Test
  void aDeniedLicenseAlreadyShippedIsNotNew() {
    Sbom previous = sbom("sha256:previous-sbom", lib("express", "4.18.2", "MIT"), lib("gpl-thing", "1.0.0", "GPL-3.0-only"));
    Sbom current = sbom("sha256:current-sbom", lib("express", "4.18.2", "MIT"), lib("gpl-thing", "1.0.1", "gpl-3.0-only"));

    GateVerdict verdict = DependencyDiffGate.evaluate(new DependencyPolicy(true, List.of("GPL-3.0-only")), DependencyDiff.of(previous, current, List.of(), List.of()), EVIDENCE);

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reasons()).containsExactly("1 upgraded, no downgrades, no new licenses");
  }

  @Test
  void passesWithAOneLineSummary() {
    Sbom current = sbom("sha256:current-sbom", lib("express", "4.19.2", "MIT"), lib("lodash", "4.17.21", "MIT"),
        lib("chalk", "5.3.0", "MIT"), lib("ms", "2.1.3", "MIT"), lib("debug", "4.3.4", "MIT"));

    GateVerdict verdict = DependencyDiffGate.evaluate(new DependencyPolicy(true, List.of("GPL-3.0-only")), DependencyDiff.of(PREVIOUS, current, List.of(), List.of()), EVIDENCE);

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reasons()).containsExactly("3 added, 1 upgraded, no downgrades, no new licenses");
  }

  @Test
  void flagsALockfileChangedUnderAnUnchangedSbomWithoutFailing() {
    Sbom current = sbom("sha256:current-sbom", lib("express", "4.18.2", "MIT"), lib("lodash", "4.17.21", "MIT"));
    DependencyDiff diff = DependencyDiff.of(PREVIOUS, current,
        List.of(new LockfileDigest("package-lock.json", "a".repeat(64), "sha256:l1")),
        List.of(new LockfileDigest("package-lock.json", "b".repeat(64), "sha256:l2")));

    GateVerdict verdict = DependencyDiffGate.evaluate(new DependencyPolicy(true, List.of()), diff, EVIDENCE);

    assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
    assertThat(verdict.reasons()).containsExactly(
        "no component changes, no downgrades, no new licenses",
        "lockfile package-lock.json changed but the SBOM lists the same components: the SBOM may be stale, or the change did not reach the image");
  }

  @Test
  void noDiffIsMissing() {
    GateVerdict verdict = DependencyDiffGate.evaluate(new DependencyPolicy(true, List.of()), null, List.of());

    assertThat(verdict.outcome()).isEqualTo(Outcome.MISSING);
  }
}
