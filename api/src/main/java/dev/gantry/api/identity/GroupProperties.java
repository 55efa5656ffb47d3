package dev.gantry.api.identity;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gantry.auth.groups}: what a person's provider groups make them in Gantry. A group a
 * mapping does not name gives nothing (default deny).
 */
@ConfigurationProperties("gantry.auth")
public record GroupProperties(List<Mapping> groups) {

  /**
   * @param group the provider's group exactly as its token carries it: a Keycloak group ({@code
   *     approvers}, or {@code /acme/approvers} with full paths on), a realm role, a GitHub team
   *     ({@code acme/release-managers}), an Entra group id
   * @param issuer optional: only this issuer's tokens (default: every people issuer)
   * @param roles the Gantry roles it grants: {@code oncall}, {@code security}
   * @param approverGroups the approver groups ({@code environments[].approver-group}) it makes its
   *     members part of
   */
  public record Mapping(String group, String issuer, List<String> roles, List<String> approverGroups) {}

  public List<Mapping> groups() {
    return groups == null ? List.of() : groups;
  }
}
