package dev.gantry.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.json.JsonMapper;

/** The REST API: controllers, identity (HTTP Basic users from configuration; CI's OIDC tokens in {@code identity}), problem details. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
@ComponentScan(basePackageClasses = ApiConfiguration.class)
public class ApiConfiguration {

  @Bean
  ServiceDirectory serviceDirectory(ApiProperties props) {
    return new ServiceDirectory(props);
  }

  @Bean
  CatalogQueries catalogQueries(JdbcClient jdbc) {
    return new CatalogQueries(jdbc);
  }

  /** Rollbacks, one per environment at a time; a request meeting one that is finishing waits for it. */
  @Bean
  RollbackStarter rollbackStarter(
      io.temporal.client.WorkflowClient client, CatalogQueries catalog, @Value("${gantry.rollback.finishing-wait:5s}") Duration finishingWait) {
    return new RollbackStarter(client, catalog::entry, finishingWait);
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  /**
   * Users from configuration, checked with their configured encoding (never silently re-encoded in
   * memory), each verified password remembered for {@code gantry.auth.cache-ttl}.
   */
  static AuthenticationManager credentials(InMemoryUserDetailsManager users, PasswordEncoder passwords, Duration ttl) {
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("gantry.auth.cache-ttl must not be negative, got " + ttl);
    }
    DaoAuthenticationProvider check = new DaoAuthenticationProvider(users);
    check.setPasswordEncoder(passwords);
    return new ProviderManager(new VerifiedCredentials(check, ttl, Clock.systemUTC()));
  }

  @Bean
  InMemoryUserDetailsManager users(ApiProperties props) {
    List<UserDetails> users = new ArrayList<>();
    for (ApiProperties.User u : props.users() == null ? List.<ApiProperties.User>of() : props.users()) {
      List<SimpleGrantedAuthority> authorities = new ArrayList<>();
      (u.roles() == null ? List.<String>of() : u.roles()).forEach(r -> authorities.add(new SimpleGrantedAuthority("ROLE_" + r)));
      (u.groups() == null ? List.<String>of() : u.groups()).forEach(g -> authorities.add(new SimpleGrantedAuthority(Identity.GROUP_PREFIX + g)));
      users.add(User.withUsername(u.name()).password(u.password()).authorities(authorities).build());
    }
    return new InMemoryUserDetailsManager(users);
  }

  @Bean
  SecurityFilterChain api(
      HttpSecurity http, JsonMapper json, InMemoryUserDetailsManager users, PasswordEncoder passwords,
      @Value("${gantry.auth.cache-ttl:5m}") Duration credentialTtl, dev.gantry.api.identity.OidcSecurity oidc) throws Exception {
    ProblemWriter problems = new ProblemWriter(json);
    oidc.apply(http); // Authorization: Bearer, a CI's OIDC token (dev.gantry.api.identity)
    http.authenticationManager(credentials(users, passwords, credentialTtl))
        .csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.realmName("gantry").authenticationEntryPoint(problems.unauthenticated()))
        .exceptionHandling(e -> e.authenticationEntryPoint(problems.unauthenticated()).accessDeniedHandler(problems.forbidden()))
        .authorizeHttpRequests(a -> a
            .requestMatchers(HttpMethod.POST, "/api/v1/releases").hasRole("ci")
            .requestMatchers(HttpMethod.POST, "/api/v1/releases/*/*/evidence").hasRole("ci")
            .requestMatchers(HttpMethod.GET, "/api/v1/triage").hasAnyRole("security", "oncall")
            // the token in the path is the evaluator's credential: evaluators hold no Gantry account
            .requestMatchers(HttpMethod.POST, "/api/v1/evaluations/*").permitAll()
            .requestMatchers(HttpMethod.POST, "/api/v1/services/*/environments/*/rollbacks").hasRole("oncall")
            .requestMatchers(HttpMethod.DELETE, "/api/v1/services/*/environments/*/hold").hasRole("oncall")
            .requestMatchers("/api/**").authenticated()
            .anyRequest().permitAll());
    return http.build();
  }

  /** Every operation declares the problem documents it can answer with. */
  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      Content problem = new Content().addMediaType("application/problem+json",
          new io.swagger.v3.oas.models.media.MediaType().schema(new Schema<>().$ref("#/components/schemas/ProblemDetail")));
      openApi.getComponents().addSchemas("ProblemDetail", new ObjectSchema()
          .addProperty("type", new StringSchema().format("uri"))
          .addProperty("title", new StringSchema())
          .addProperty("status", new IntegerSchema())
          .addProperty("detail", new StringSchema())
          .addProperty("instance", new StringSchema().format("uri-reference")));
      Map<String, String> statuses = new LinkedHashMap<>();
      statuses.put("400", "Invalid input, or a request refused before Gantry read it (encoded slash or NUL in the path, malformed request line, headers over server.max-http-request-header-size)");
      statuses.put("401", "Not authenticated");
      statuses.put("403", "Not allowed for this principal");
      statuses.put("404", "Unknown service, environment, release or record");
      statuses.put("409", "Conflicts with the current state");
      statuses.put("422", "Refused: the reference cannot be used (tag absent, registry not allowed, digest never promoted there)");
      statuses.put("500", "Unexpected error");
      statuses.put("502", "A registry or workflow could not answer");
      statuses.put("503", "Temporal or the catalog database is unavailable");
      openApi.getPaths().values().forEach(path -> path.readOperations().forEach(op -> statuses.forEach((code, text) -> {
        if (op.getResponses().get(code) == null) {
          op.getResponses().addApiResponse(code, new ApiResponse().description(text).content(problem));
        }
      })));
    };
  }

  /** URIs the security firewall rejects (encoded slashes, percent signs, ...) get a problem too. */
  @Bean
  RequestRejectedHandler requestRejectedHandler(JsonMapper json) {
    return new ProblemWriter(json).rejected();
  }

  @Bean
  OpenAPI gantryOpenApi() {
    return new OpenAPI()
        .info(new Info().title("Gantry API").version("v1")
            .description("Evidence-gated promotion of container images. Errors are RFC 9457 problem details (application/problem+json)."))
        .components(new Components().addSecuritySchemes("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
        .addSecurityItem(new SecurityRequirement().addList("basic"));
  }

}
