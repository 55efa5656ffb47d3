package dev.gantry.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

class PeopleTest {
  static final String KC = "https://sso.example/realms/acme";
  static final OidcProperties.Issuer ISSUER = new OidcProperties.Issuer(KC, "aud", null, null, "people", null, null);

  static Jwt jwt(Map<String, Object> claims) {
    Jwt.Builder b = Jwt.withTokenValue("t").header("alg", "RS256").issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(60))
        .claim("iss", KC).subject("f1e2");
    claims.forEach(b::claim);
    return b.build();
  }

  static List<String> authorities(People people, Jwt jwt, OidcProperties.Issuer issuer) {
    return people.principal(jwt, issuer).getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
  }

  @Test
  void mappedGroupsGiveRolesAndApproverGroupsAndNothingElse() {
    People people = new People(new GroupProperties(List.of(
        new GroupProperties.Mapping("approvers", null, null, List.of("approvers")),
        new GroupProperties.Mapping("acme/sre", null, List.of("oncall"), null))), Set.of(KC));
    Jwt alice = jwt(Map.of("preferred_username", "alice", "groups", List.of("approvers", "acme/sre", "unmapped")));
    assertThat(authorities(people, alice, ISSUER)).contains("GROUP_approvers", "ROLE_oncall", "KIND_oidc")
        .doesNotContain("GROUP_unmapped", "ROLE_ci", "GROUP_acme/sre");
    assertThat(people.principal(alice, ISSUER).getName()).isEqualTo("alice");
    // no preferred_username: the subject names them
    assertThat(people.principal(jwt(Map.of()), ISSUER).getName()).isEqualTo("f1e2");
  }

  @Test
  void groupsComeFromANestedClaimOrALoneString() {
    assertThat(People.groups(Map.of("realm_access", Map.of("roles", List.of("approvers", "x"))), "realm_access.roles")).containsExactly("approvers", "x");
    assertThat(People.groups(Map.of("groups", "approvers"), "groups")).containsExactly("approvers");
    assertThat(People.groups(Map.of("groups", 3), "groups")).isEmpty();
    assertThat(People.groups(Map.of("realm_access", "flat"), "realm_access.roles")).isEmpty();
  }

  @Test
  void aMappingLimitedToAnotherIssuerGivesNothingAndBadMappingsAreRefused() {
    People people = new People(new GroupProperties(List.of(
        new GroupProperties.Mapping("approvers", "https://other.example", null, List.of("approvers")))), Set.of(KC, "https://other.example"));
    assertThat(authorities(people, jwt(Map.of("groups", List.of("approvers"))), ISSUER)).doesNotContain("GROUP_approvers");
    assertThatThrownBy(() -> new People(new GroupProperties(List.of(new GroupProperties.Mapping("g", null, List.of("ci"), null))), Set.of(KC)))
        .hasMessageContaining("role ci");
    assertThatThrownBy(() -> new People(new GroupProperties(List.of(new GroupProperties.Mapping("g", "https://nope", null, null))), Set.of(KC)))
        .hasMessageContaining("kind: people");
  }
}
