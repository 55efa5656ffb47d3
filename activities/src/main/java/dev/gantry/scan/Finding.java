package dev.gantry.scan;

import java.util.List;

/**
 * One vulnerability a scanner matched to one package.
 *
 * @param purl the package URL as the scanner wrote it; null when it gave none
 * @param fixedVersion the version(s) with a fix ({@code 2.12.7.1, 2.13.4.2}); null when none is known
 * @param severity normalised: CRITICAL, HIGH, MEDIUM, LOW, NEGLIGIBLE or UNKNOWN
 * @param status Trivy's {@code Status} or Grype's {@code fix.state}; null when the scanner gave none
 * @param aliases other identifiers the scanner gave for the same vulnerability (Grype's related
 *     vulnerabilities, Trivy's vendor IDs), so an exception or VEX statement naming the CVE
 *     matches a finding reported under its GHSA id
 */
public record Finding(
    String vulnerability,
    String purl,
    String pkgName,
    String installedVersion,
    String fixedVersion,
    String severity,
    String status,
    List<String> aliases) {

  public Finding {
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
  }

  public Finding(
      String vulnerability, String purl, String pkgName, String installedVersion, String fixedVersion, String severity, String status) {
    this(vulnerability, purl, pkgName, installedVersion, fixedVersion, severity, status, List.of());
  }
}
