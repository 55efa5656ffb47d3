package dev.gantry.api.identity;

import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Identity for CI: OIDC tokens of the configured issuers ({@code gantry.auth.oidc}), held to each
 * service's {@code ci} rules. A verified token whose claims some service trusts is a principal
 * with role {@code ci} named by its {@code sub}; which service and commit it may act for is
 * decided per request ({@link CiTokens}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({OidcProperties.class, CiProperties.class, GroupProperties.class})
public class IdentityConfiguration {

  static Duration skew(OidcProperties props) {
    Duration skew = props.clockSkew() == null ? TrustedIssuers.MAX_SKEW : props.clockSkew();
    if (skew.isNegative() || skew.compareTo(TrustedIssuers.MAX_SKEW) > 0) {
      throw new IllegalStateException("gantry.auth.oidc.clock-skew must be between 0 and 60s, got " + skew);
    }
    return skew;
  }

  @Bean
  TrustedIssuers trustedIssuers(OidcProperties oidc, CiRules rules, People people) {
    java.util.Map<String, OidcProperties.Issuer> byName = new java.util.HashMap<>();
    oidc.issuers().forEach(i -> byName.put(i.issuer(), i));
    return new TrustedIssuers(oidc, skew(oidc), Clock.systemUTC(), jwt -> {
      OidcProperties.Issuer from = byName.get(jwt.getClaimAsString("iss"));
      if (from != null && from.people()) {
        return people.principal(jwt, from);
      }
      if (rules.trusting(jwt.getClaims()).isEmpty()) {
        throw new CiNotTrusted(rules.untrusted(jwt.getClaims()));
      }
      return new JwtAuthenticationToken(jwt, List.of(new SimpleGrantedAuthority("ROLE_ci")), jwt.getSubject());
    });
  }

  @Bean
  People people(OidcProperties oidc, GroupProperties groups) {
    for (int i = 0; i < oidc.issuers().size(); i++) {
      String kind = oidc.issuers().get(i).kind();
      if (kind != null && !kind.equals("ci") && !kind.equals("people")) {
        throw new IllegalStateException("gantry.auth.oidc.issuers[" + i + "]: kind must be ci or people, got " + kind);
      }
    }
    return new People(groups, oidc.issuers().stream().filter(OidcProperties.Issuer::people).map(OidcProperties.Issuer::issuer)
        .collect(java.util.stream.Collectors.toSet()));
  }

  @Bean
  CiRules ciRules(OidcProperties oidc, CiProperties ci) {
    return new CiRules(ci, oidc.issuers().stream().filter(i -> !i.people()).map(OidcProperties.Issuer::issuer).collect(java.util.stream.Collectors.toSet()));
  }

  @Bean
  TokenLedger tokenLedger(JdbcClient jdbc, OidcProperties oidc) {
    return new TokenLedger(jdbc, skew(oidc));
  }

  @Bean
  CiTokens ciTokens(CiRules rules, TokenLedger ledger) {
    return new CiTokens(rules, ledger);
  }

  @Bean
  OidcSecurity oidcSecurity(TrustedIssuers issuers, JsonMapper json) {
    return new OidcSecurity(issuers, new BearerProblems(json));
  }

  /** The OpenAPI document names both ways in: HTTP Basic (demo, tests) and a CI's OIDC token. */
  @Bean
  OpenApiCustomizer bearerScheme() {
    return openApi -> {
      openApi.getComponents().addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
          .description("An OIDC token from an issuer in gantry.auth.oidc.issuers, for the audience configured there: a CI run's (e.g. GitHub Actions' ID token), "
              + "held to the service's gantry.services[].ci rules, or a person's from the single sign-on provider (kind: people), whose groups gantry.auth.groups maps"));
      boolean listed = openApi.getSecurity() != null && openApi.getSecurity().stream().anyMatch(r -> r.containsKey("bearer"));
      if (!listed) {
        openApi.addSecurityItem(new SecurityRequirement().addList("bearer"));
      }
    };
  }
}
