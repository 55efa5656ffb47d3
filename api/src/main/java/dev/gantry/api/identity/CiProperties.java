package dev.gantry.api.identity;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gantry.services[].ci}: per service, which CI runs may start its releases and upload its
 * evidence. Bound beside {@code ApiProperties} from the same list; only {@code name} and {@code ci}
 * are read here.
 */
@ConfigurationProperties("gantry")
public record CiProperties(List<Service> services) {

  public record Service(String name, List<Rule> ci) {}

  /**
   * One CI a service trusts; a token must satisfy every claim the rule names. A service with
   * several rules trusts a token that satisfies any one.
   *
   * @param issuer the token's {@code iss}, exactly; one of {@code gantry.auth.oidc.issuers}
   * @param repository the {@code repository} claim, exactly (e.g. {@code acme/storefront})
   * @param ref the {@code ref} claim, exactly or as a pattern where {@code *} matches anything
   *     (e.g. {@code refs/heads/main}, {@code refs/tags/v*})
   * @param jobWorkflowRef a prefix the {@code job_workflow_ref} claim must start with (a reusable
   *     workflow pinned by organisation policy, e.g. {@code acme/ci/.github/workflows/release.yml@refs/heads/main})
   * @param environment the {@code environment} claim, exactly (the GitHub deployment environment)
   * @param claims any other claims (for CI issuers other than GitHub's, e.g. GitLab's {@code
   *     project_path}); a list, not a map, so claim names keep their underscores
   */
  public record Rule(String issuer, String repository, String ref, String jobWorkflowRef, String environment, List<Claim> claims) {}

  /**
   * @param name the claim's name in the token, exactly
   * @param value its value, exactly or as a pattern where {@code *} matches anything
   */
  public record Claim(String name, String value) {}

  public List<Service> services() {
    return services == null ? List.of() : services;
  }
}
