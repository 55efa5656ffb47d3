package dev.gantry.evidence;

/** What an evidence record says about a release. */
public enum EvidenceType {
  /** SLSA provenance (v0.2 or v1) in a DSSE envelope. */
  PROVENANCE,
  /** CycloneDX 1.5/1.6 or SPDX 2.3 JSON, raw or as an in-toto predicate. */
  SBOM,
  /** Trivy (SchemaVersion 2), Grype JSON or a cosign vuln predicate. */
  SCAN,
  /** OpenVEX 0.2 or CycloneDX VEX. */
  VEX,
  /** {@code {path, sha256}} of a lockfile, given by CI. */
  LOCKFILE,
  /** Metrics returned by the service's evaluation. */
  EVALUATION,
  /** Written by Gantry: the dependency diff against the previous release in an environment. */
  DEPENDENCY_DIFF,
  /** Written by Gantry: the evidence bundle of a release in an environment. */
  BUNDLE
}
