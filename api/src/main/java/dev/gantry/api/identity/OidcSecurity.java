package dev.gantry.api.identity;

import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.resource.authentication.JwtIssuerAuthenticationManagerResolver;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;

/** {@code Authorization: Bearer} on the API's filter chain: an OAuth2 resource server over the trusted issuers only. */
public class OidcSecurity {
  private final TrustedIssuers issuers;
  private final BearerProblems problems;

  OidcSecurity(TrustedIssuers issuers, BearerProblems problems) {
    this.issuers = issuers;
    this.problems = problems;
  }

  public HttpSecurity apply(HttpSecurity http) {
    return http.oauth2ResourceServer(o -> o
        .authenticationManagerResolver(new JwtIssuerAuthenticationManagerResolver(issuers))
        .authenticationConverter(new BearerTokens())
        .authenticationEntryPoint(problems)
        .withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
          @Override
          public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
            filter.setAuthenticationFailureHandler(problems);
            return filter;
          }
        }));
  }
}
