package dev.gantry.scan;

import java.time.Instant;
import java.util.List;

/**
 * One VEX statement about one product, as the scan gate applies it. A document statement naming
 * several products becomes one of these per product, so each keeps its own scope.
 *
 * @param aliases other names of the vulnerability (OpenVEX {@code aliases}, CycloneDX {@code references})
 * @param products package URLs the statement covers (an unversioned one covers every version);
 *     empty means every package in the images of {@code imageDigests}
 * @param status {@code not_affected}, {@code affected}, {@code fixed} or {@code under_investigation}
 *     (CycloneDX states mapped onto these)
 * @param justification the OpenVEX justification label, else its impact statement; the CycloneDX
 *     justification; null when none
 * @param sourceSha256 the VEX document's identity
 * @param timestamp when the statement was made; when statements disagree the newest wins; null
 *     when a CycloneDX document gives no time (it then loses to any dated statement)
 * @param format {@code OpenVEX} or {@code CycloneDX VEX}
 * @param imageDigests the images the statement is limited to (the image product's digest, or the
 *     attestation's subjects); empty when a raw document names only packages
 */
public record VexStatement(
    String vulnerability,
    List<String> aliases,
    List<String> products,
    String status,
    String justification,
    String sourceSha256,
    Instant timestamp,
    String format,
    List<String> imageDigests) {

  public static final String NOT_AFFECTED = "not_affected";
  public static final String AFFECTED = "affected";
  public static final String FIXED = "fixed";
  public static final String UNDER_INVESTIGATION = "under_investigation";

  public VexStatement {
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    products = products == null ? List.of() : List.copyOf(products);
    imageDigests = imageDigests == null ? List.of() : List.copyOf(imageDigests);
  }

  /** {@code not_affected} and {@code fixed} clear a finding; {@code affected} and {@code under_investigation} do not. */
  public boolean suppresses() {
    return NOT_AFFECTED.equals(status) || FIXED.equals(status);
  }
}
