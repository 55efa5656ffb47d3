package dev.gantry.evidence;

/**
 * SBOM requirements: one CycloneDX 1.5/1.6 or SPDX 2.3 JSON document about this digest.
 *
 * @param maxBytes largest SBOM accepted; a bigger one is refused before it is parsed
 * @param maxComponents most components accepted
 */
public record SbomPolicy(long maxBytes, int maxComponents) {

  public static final long DEFAULT_MAX_BYTES = 32L * 1024 * 1024;
  public static final int DEFAULT_MAX_COMPONENTS = 50_000;

  public static SbomPolicy defaults() {
    return new SbomPolicy(DEFAULT_MAX_BYTES, DEFAULT_MAX_COMPONENTS);
  }
}
