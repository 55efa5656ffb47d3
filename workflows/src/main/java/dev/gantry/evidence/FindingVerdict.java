package dev.gantry.evidence;

/**
 * What the scan gate decided about one finding.
 *
 * @param disposition {@code BLOCKED}, {@code SUPPRESSED} (by an exception or VEX) or {@code
 *     IGNORED} (below the threshold, or unfixed while the policy ignores unfixed findings)
 * @param by what suppressed or ignored it, e.g. {@code exception approved by alice until
 *     2026-12-01: reason} or {@code OpenVEX sha256:… not_affected (vulnerable_code_not_present)}
 */
public record FindingVerdict(
    String vulnerability, String purl, String severity, String fixedVersion, String disposition, String by) {

  public static final String BLOCKED = "BLOCKED";
  public static final String SUPPRESSED = "SUPPRESSED";
  public static final String IGNORED = "IGNORED";
}
