package dev.gantry.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CiRulesTest {
  static final String GH = "https://token.actions.githubusercontent.com";
  static final String LAB = "https://gitlab.example";

  static final CiRules RULES = new CiRules(new CiProperties(List.of(
      new CiProperties.Service("storefront", List.of(
          new CiProperties.Rule(GH, "acme/storefront", "refs/heads/main", "acme/storefront/.github/workflows/release.yml@", null, null),
          new CiProperties.Rule(GH, "acme/storefront", "refs/tags/v*", null, "production", null))),
      new CiProperties.Service("checkout", List.of(new CiProperties.Rule(LAB, null, null, null, null, List.of(new CiProperties.Claim("project_path", "acme/checkout"))))),
      new CiProperties.Service("legacy", null))), Set.of(GH, LAB));

  static Map<String, Object> claims(String repository, String ref, String environment) {
    java.util.HashMap<String, Object> c = new java.util.HashMap<>(Map.of("iss", GH, "sub", "repo:" + repository + ":ref:" + ref, "repository", repository, "ref", ref,
        "job_workflow_ref", repository + "/.github/workflows/release.yml@" + ref));
    if (environment != null) {
      c.put("environment", environment);
    }
    return c;
  }

  @Test
  void aTokenOfTheServicesCiIsAcceptedByAnyOfItsRules() {
    assertThat(RULES.refusal("storefront", claims("acme/storefront", "refs/heads/main", null))).isNull();
    assertThat(RULES.refusal("storefront", claims("acme/storefront", "refs/tags/v1.2.0", "production"))).isNull();
    assertThat(RULES.trusting(claims("acme/storefront", "refs/heads/main", null))).containsExactly("storefront");
    assertThat(RULES.refusal("checkout", Map.of("iss", LAB, "project_path", "acme/checkout"))).isNull();
  }

  @Test
  void aRefusalNamesTheClaimThatFailed() {
    assertThat(RULES.refusal("storefront", claims("acme/other", "refs/heads/main", null)))
        .isEqualTo("claim repository is acme/other; storefront's CI is acme/storefront");
    assertThat(RULES.refusal("storefront", claims("acme/storefront", "refs/tags/v2", null)))
        .contains("claim ref is refs/tags/v2; storefront's CI is refs/heads/main")
        .contains("claim environment is absent; storefront's CI runs in environment production");
    assertThat(RULES.refusal("checkout", claims("acme/storefront", "refs/heads/main", null)))
        .isEqualTo("claim iss is " + GH + "; checkout's CI is issued by " + LAB);
    assertThat(RULES.refusal("legacy", claims("acme/storefront", "refs/heads/main", null))).contains("legacy accepts no CI token");
  }

  @Test
  void aTokenNoServiceTrustsLearnsOnlyAboutItsOwnRepository() {
    assertThat(RULES.untrusted(claims("evil/repo", "refs/heads/main", null))).isEqualTo("claim repository is evil/repo; no service's CI is that repository");
    assertThat(RULES.untrusted(claims("acme/storefront", "refs/heads/feature", null))).contains("claim ref is refs/heads/feature; storefront's CI is refs/heads/main");
  }

  @Test
  void patternsMatchWholeValues() {
    assertThat(CiRules.matches("refs/tags/v*", "refs/tags/v1")).isTrue();
    assertThat(CiRules.matches("refs/tags/v*", "refs/heads/refs/tags/v1")).isFalse();
    assertThat(CiRules.matches("refs/heads/main", "refs/heads/main2")).isFalse();
    assertThat(CiRules.matches("a.b*", "axb")).isFalse();
  }

  @Test
  void aRuleNeedsATrustedIssuerAndMoreThanTheIssuer() {
    assertThatThrownBy(() -> new CiRules(new CiProperties(List.of(new CiProperties.Service("s", List.of(new CiProperties.Rule(GH, null, "refs/heads/main", null, null, null))))), Set.of(GH)))
        .hasMessageContaining("name the repository");
    assertThatThrownBy(() -> new CiRules(new CiProperties(List.of(new CiProperties.Service("s", List.of(new CiProperties.Rule(LAB, "a/b", null, null, null, null))))), Set.of(GH)))
        .hasMessageContaining("is not one of gantry.auth.oidc.issuers");
  }
}
