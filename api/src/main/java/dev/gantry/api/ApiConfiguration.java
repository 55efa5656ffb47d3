package dev.gantry.api;

import dev.gantry.objects.LocalObjectStore;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import tools.jackson.databind.json.JsonMapper;

/** The REST API: controllers, identity (HTTP Basic users from configuration), problem details. */
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

  /** The object store the worker writes to; the API only reads (and verifies) blobs. */
  @Bean
  LocalObjectStore objectStore(org.springframework.core.env.Environment env) {
    String dir = env.getProperty("gantry.objects.dir");
    return new LocalObjectStore(dir != null ? Path.of(dir) : Path.of(env.getRequiredProperty("gantry.data-dir")).resolve("objects"));
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
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
  SecurityFilterChain api(HttpSecurity http, JsonMapper json) throws Exception {
    ProblemWriter problems = new ProblemWriter(json);
    http.csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.realmName("gantry").authenticationEntryPoint(problems.unauthenticated()))
        .exceptionHandling(e -> e.authenticationEntryPoint(problems.unauthenticated()).accessDeniedHandler(problems.forbidden()))
        .authorizeHttpRequests(a -> a
            .requestMatchers(HttpMethod.POST, "/api/v1/releases").hasRole("ci")
            .requestMatchers(HttpMethod.POST, "/api/v1/services/*/environments/*/rollbacks").hasRole("oncall")
            .requestMatchers(HttpMethod.DELETE, "/api/v1/services/*/environments/*/hold").hasRole("oncall")
            .requestMatchers("/api/**").authenticated()
            .anyRequest().permitAll());
    return http.build();
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
