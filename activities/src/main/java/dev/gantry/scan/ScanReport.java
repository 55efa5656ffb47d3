package dev.gantry.scan;

import java.time.Instant;
import java.util.List;

/**
 * A vulnerability scan report, whatever scanner wrote it.
 *
 * @param format {@code Trivy}, {@code Grype} or {@code cosign-vuln} (a cosign vuln predicate
 *     around either)
 * @param subjectDigests the image manifest digests the report is about: the in-toto subjects
 *     when attested, else what the report names (never Trivy's ImageID, a config digest); empty
 *     when a raw report names none
 * @param createdAt when the scan ran; null when the report does not say
 * @param sha256 the evidence record's identity
 */
public record ScanReport(String format, List<String> subjectDigests, Instant createdAt, List<Finding> findings, String sha256) {

  public ScanReport {
    subjectDigests = subjectDigests == null ? List.of() : List.copyOf(subjectDigests);
    findings = findings == null ? List.of() : List.copyOf(findings);
  }
}
