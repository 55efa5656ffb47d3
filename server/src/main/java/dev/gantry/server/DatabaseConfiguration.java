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
    stopLeftover(dir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false);
    if (props.database() != null && props.database().port() > 0) {
      builder.setPort(props.database().port());
    }
    EmbeddedPostgres postgres = builder.start();
    log.info("Embedded PostgreSQL on 127.0.0.1:{}, data in {}", postgres.getPort(), dir);
    return postgres;
  }

  /**
   * PostgreSQL runs as its own process; when Gantry is killed (crash, OOM, SIGKILL) it keeps
   * running and holds the data directory. The data directory is Gantry's alone, so a server still
   * running on it is a leftover of an earlier Gantry: stop it cleanly, then start afresh.
   */
  static void stopLeftover(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
    } catch (RuntimeException unreadable) {
      return; // postgres itself judges a stale or torn pid file
    }
    var leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
    if (leftover.isEmpty()) {
      return;
    }
    log.warn("PostgreSQL (pid {}) is still running on {} from an earlier Gantry that did not shut down; stopping it", pid, dir);
    ProcessHandle postmaster = leftover.get();
    postmaster.destroy(); // SIGTERM: a clean shutdown, WAL flushed
    try {
      postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException slow) {
      log.warn("PostgreSQL (pid {}) did not stop within 30 s; killing it", pid);
      postmaster.destroyForcibly();
      postmaster.onExit().join();
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IOException("interrupted while stopping the leftover PostgreSQL " + pid, e);
    }
  }

  @Bean(destroyMethod = "close")
  DataSource dataSource(EmbeddedPostgres postgres) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    pool.setMaximumPoolSize(10);
    return pool;
  }
}
