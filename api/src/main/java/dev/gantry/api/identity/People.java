package dev.gantry.api.identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A person's verified token from a {@code kind: people} issuer: named by its {@code
 * preferred_username} (issuer and subject kept in the token), with the Gantry roles and approver
 * groups {@code gantry.auth.groups} maps its provider groups to. Nothing else grants anything.
 */
final class People {
  static final Set<String> ROLES = Set.of("oncall", "security");
  private final List<GroupProperties.Mapping> mappings;

  People(GroupProperties props, Set<String> peopleIssuers) {
    this.mappings = props.groups();
    for (int i = 0; i < mappings.size(); i++) {
      GroupProperties.Mapping m = mappings.get(i);
      String where = "gantry.auth.groups[" + i + "]";
      if (m == null || m.group() == null || m.group().isBlank()) {
        throw new IllegalStateException(where + ": group is required (the provider's group as its tokens carry it)");
      }
      for (String r : m.roles() == null ? List.<String>of() : m.roles()) {
        if (!ROLES.contains(r)) {
          throw new IllegalStateException(where + " (" + m.group() + "): role " + r + " is not one a person may hold; roles: oncall, security (ci is for CI tokens)");
        }
      }
      if (m.issuer() != null && !peopleIssuers.contains(m.issuer())) {
        throw new IllegalStateException(where + " (" + m.group() + "): issuer " + m.issuer() + " is not a gantry.auth.oidc.issuers[] entry with kind: people");
      }
    }
  }

  JwtAuthenticationToken principal(Jwt jwt, OidcProperties.Issuer issuer) {
    List<String> provider = groups(jwt.getClaims(), issuer.groupsClaim());
    Set<GrantedAuthority> authorities = new LinkedHashSet<>();
    authorities.add(new SimpleGrantedAuthority("KIND_oidc"));
    for (GroupProperties.Mapping m : mappings) {
      if (!provider.contains(m.group()) || (m.issuer() != null && !m.issuer().equals(issuer.issuer()))) {
        continue;
      }
      (m.roles() == null ? List.<String>of() : m.roles()).forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r)));
      (m.approverGroups() == null ? List.<String>of() : m.approverGroups()).forEach(g -> authorities.add(new SimpleGrantedAuthority("GROUP_" + g)));
    }
    provider.forEach(g -> authorities.add(new SimpleGrantedAuthority("PROVIDER_GROUP_" + g)));
    Object name = jwt.getClaims().get(issuer.usernameClaim());
    String display = name instanceof String s && !s.isBlank() ? s : jwt.getSubject();
    return new JwtAuthenticationToken(jwt, authorities, display);
  }

  /** The strings at a claim path ({@code groups}, {@code realm_access.roles}); a lone string is one group. */
  static List<String> groups(Map<String, Object> claims, String path) {
    Object at = claims;
    for (String part : path.split("\\.")) {
      if (!(at instanceof Map<?, ?> m)) {
        return List.of();
      }
      at = m.get(part);
    }
    List<String> out = new ArrayList<>();
    if (at instanceof String s) {
      out.add(s);
    } else if (at instanceof Collection<?> c) {
      c.stream().filter(String.class::isInstance).map(String.class::cast).forEach(out::add);
    }
    return out;
  }
}
