package dev.gantry.evidence;

import java.time.Duration;

/**
 * What evidence one environment requires, as it stood when the release started (it travels in the
 * workflow input, so the history shows the rules a release was held to; its canonical hash is the
 * policy digest an evidence bundle names). A null gate policy means the gate is not required here;
 * any gate that is required fails closed when its evidence is missing.
 *
 * @param signature CI's cosign signature on the digest; null when not required (added after the
 *     other gates, hence last)
 * @param evidenceWait how long a release waits for missing evidence (CI uploading late) before the
 *     environment fails; evidence that is present and fails refuses at once
 */
public record EvidencePolicy(
    ProvenancePolicy provenance,
    SbomPolicy sbom,
    DependencyPolicy dependencies,
    LockfilePolicy lockfile,
    ScanPolicy scan,
    EvaluationPolicy evaluation,
    Duration evidenceWait,
    SignaturePolicy signature) {

  public EvidencePolicy(
      ProvenancePolicy provenance,
      SbomPolicy sbom,
      DependencyPolicy dependencies,
      LockfilePolicy lockfile,
      ScanPolicy scan,
      EvaluationPolicy evaluation,
      Duration evidenceWait) {
    this(provenance, sbom, dependencies, lockfile, scan, evaluation, evidenceWait, null);
  }

  /** No gate required: the environment is guarded by approvals alone. */
  public static EvidencePolicy none() {
    return new EvidencePolicy(null, null, null, null, null, null, Duration.ZERO, null);
  }

  public boolean requiresAny() {
    return provenance != null || sbom != null || dependencies != null || lockfile != null || scan != null || evaluation != null
        || signature != null;
  }
}
