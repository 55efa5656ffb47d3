package dev.gantry.sbom;

import java.util.List;

/**
 * An SBOM as the gate accepted it.
 *
 * @param format {@link #CYCLONEDX} or {@link #SPDX}
 * @param specVersion {@code 1.5} / {@code 1.6} for CycloneDX, {@code SPDX-2.3} for SPDX
 * @param subjectDigests the image digests ({@code sha256:<hex>}) the document itself says it
 *     describes; empty when it names none (an in-toto statement's subjects are checked apart)
 * @param components every component, nested ones included, the described image excluded
 * @param sha256 the evidence record it was read from
 */
public record Sbom(String format, String specVersion, List<String> subjectDigests, List<Component> components, String sha256) {

  public static final String CYCLONEDX = "CycloneDX";
  public static final String SPDX = "SPDX";

  public Sbom {
    subjectDigests = subjectDigests == null ? List.of() : List.copyOf(subjectDigests);
    components = components == null ? List.of() : List.copyOf(components);
  }
}
