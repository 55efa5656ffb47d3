package dev.gantry.api;

import dev.gantry.api.identity.CiRules;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.ServiceSpec;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/me}: who the caller is, and what they may do where. */
@RestController
public class MeController {
  private final ServiceDirectory services;
  private final CiRules ciRules;

  public MeController(ServiceDirectory services, CiRules ciRules) {
    this.services = services;
    this.ciRules = ciRules;
  }

  @Schema(name = "Me")
  public record Me(
      @Schema(description = "the name approvals and audit records carry: a Basic user's name, a person's preferred_username, a CI token's sub") String name,
      @Schema(description = "how the caller signed in", allowableValues = {"basic", "oidc", "ci"}) String kind,
      @Schema(description = "the token's iss (oidc, ci)") String issuer,
      @Schema(description = "the token's sub (oidc, ci)") String subject,
      @Schema(description = "Gantry roles: ci, oncall, security") List<String> roles,
      @Schema(description = "approver groups the caller belongs to") List<String> groups,
      @Schema(description = "the provider's groups as the token carries them (oidc), before gantry.auth.groups maps them") List<String> providerGroups,
      @Schema(description = "may ask triage questions (security, oncall)") boolean triage,
      List<ServiceRights> services) {}

  @Schema(name = "ServiceRights")
  public record ServiceRights(String service,
      @Schema(description = "may start its releases (ci)") boolean startRelease,
      @Schema(description = "may upload its releases' evidence (ci)") boolean uploadEvidence,
      List<EnvironmentRights> environments) {}

  @Schema(name = "EnvironmentRights")
  public record EnvironmentRights(String environment,
      @Schema(description = "the environment's approver group; approve is true when the caller is in it") String approverGroup,
      boolean approve, boolean rollback, boolean clearHold) {}

  @GetMapping("/api/v1/me")
  @Operation(summary = "Who you are and what you may do where",
      description = "The caller's identity (name; for tokens also issuer and subject), roles and approver groups, and per service and environment "
          + "whether they may approve (member of its approver group; the workflow still refuses the release's author and starter), roll back and clear a hold (oncall), "
          + "start releases and upload evidence (ci; a CI token only for the services whose ci rules it satisfies), and ask triage questions (security, oncall)")
  public Me me(Authentication auth) {
    Set<String> authorities = auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).collect(Collectors.toSet());
    List<String> roles = authorities.stream().filter(a -> a.startsWith("ROLE_")).map(a -> a.substring(5)).sorted().toList();
    List<String> groups = Identity.of(auth).groups().stream().sorted().toList();
    List<String> provider = authorities.stream().filter(a -> a.startsWith("PROVIDER_GROUP_")).map(a -> a.substring(15)).sorted().toList();
    String kind = "basic", issuer = null, subject = null;
    List<String> ciServices = null; // null: every service (a Basic user with role ci)
    if (auth instanceof JwtAuthenticationToken jwt) {
      kind = authorities.contains("KIND_oidc") ? "oidc" : "ci";
      issuer = jwt.getToken().getClaimAsString("iss");
      subject = jwt.getToken().getSubject();
      if (kind.equals("ci")) {
        ciServices = ciRules.trusting(jwt.getToken().getClaims());
      }
    }
    boolean ci = roles.contains("ci"), oncall = roles.contains("oncall");
    List<ServiceRights> rights = new ArrayList<>();
    for (ServiceSpec s : services.all()) {
      boolean mayCi = ci && (ciServices == null || ciServices.contains(s.name()));
      List<EnvironmentRights> envs = new ArrayList<>();
      for (EnvironmentSpec e : s.environments()) {
        envs.add(new EnvironmentRights(e.name(), e.approverGroup(), e.approverGroup() != null && groups.contains(e.approverGroup()), oncall, oncall));
      }
      rights.add(new ServiceRights(s.name(), mayCi, mayCi, envs));
    }
    return new Me(auth.getName(), kind, issuer, subject, roles, groups, provider, oncall || roles.contains("security"), rights);
  }
}
