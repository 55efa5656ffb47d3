package dev.gantry.evidence;

import java.util.List;

/**
 * Rules on the dependency diff against the previous release that reached the same environment.
 *
 * @param refuseDowngrades a component whose version went down fails the gate
 * @param deniedLicenses SPDX license ids (or expressions as written) that may not be introduced
 */
public record DependencyPolicy(boolean refuseDowngrades, List<String> deniedLicenses) {

  public DependencyPolicy {
    deniedLicenses = deniedLicenses == null ? List.of() : List.copyOf(deniedLicenses);
  }
}
