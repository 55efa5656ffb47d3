package dev.gantry.server;

import dev.gantry.api.ProblemReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every HTTP answer, whatever the roles, is a problem document when it is an error: Tomcat's own
 * refusals (malformed request line, encoded slash, headers too large) included. The customizer
 * runs last so it replaces the error report valve Spring Boot adds.
 */
@Configuration(proxyBeanMethods = false)
public class ErrorReportConfiguration {

  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports(JsonMapper json) {
    return new ProblemReports(json);
  }

  private record ProblemReports(JsonMapper json) implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
    @Override
    public void customize(TomcatServletWebServerFactory factory) {
      factory.addContextCustomizers(context -> ProblemReportValve.install(context.getParent(), json));
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
