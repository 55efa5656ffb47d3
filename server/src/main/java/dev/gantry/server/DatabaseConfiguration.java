package dev.gantry.server;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Embedded mode runs a real PostgreSQL from embedded binaries, its data under the data dir so a
 * restart keeps the catalog. Otherwise {@code spring.datasource.*} names the database.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gantry.database.embedded", havingValue = "true")
public class DatabaseConfiguration {
  private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

  @Bean(destroyMethod = "close")
  EmbeddedPostgres embeddedPostgres(GantryProperties props) throws IOException {
    Path dir = props.dataDir().resolve("postgres");
    Files.createDirectories(dir.getParent());
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false);
    if (props.database() != null && props.database().port() > 0) {
      builder.setPort(props.database().port());
    }
    EmbeddedPostgres postgres = builder.start();
    log.info("Embedded PostgreSQL on 127.0.0.1:{}, data in {}", postgres.getPort(), dir);
    return postgres;
  }

  @Bean(destroyMethod = "close")
  DataSource dataSource(EmbeddedPostgres postgres) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    pool.setMaximumPoolSize(10);
    return pool;
  }
}
