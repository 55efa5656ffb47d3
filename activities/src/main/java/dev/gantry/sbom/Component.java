package dev.gantry.sbom;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One component an SBOM lists, as stored for triage.
 *
 * @param purl package URL, or null when the SBOM gives none
 * @param type CycloneDX component type ({@code library}, {@code operating-system}, …) or the SPDX
 *     primary package purpose in lowercase; null when the SBOM says nothing
 * @param licenses SPDX ids, license names or expressions, as the SBOM writes them
 * @param hashes algorithm in CycloneDX spelling ({@code SHA-256}, {@code SHA-1}, {@code MD5}) →
 *     lowercase hex
 */
public record Component(String purl, String name, String version, String type, List<String> licenses, Map<String, String> hashes) {

  public Component {
    licenses = licenses == null ? List.of() : List.copyOf(licenses);
    hashes = hashes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(hashes));
  }

  /** The catalog's identity for it: the purl, or {@code <type>:<name>@<version>} without one. */
  public String key() {
    return purl != null ? purl : (type == null ? "" : type) + ":" + name + "@" + (version == null ? "" : version);
  }
}
