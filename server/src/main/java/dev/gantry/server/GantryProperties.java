package dev.gantry.server;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How this process runs: its roles, where its data lives, which Temporal it talks to.
 *
 * @param roles {@code api}, {@code worker}, or both
 * @param dataDir everything embedded mode keeps on disk (absolute; the launcher makes it so)
 */
@ConfigurationProperties("gantry")
public record GantryProperties(List<String> roles, Path dataDir, Temporal temporal, Database database) {

  /**
   * @param embedded run Temporal's in-process test server (workflow state in memory)
   * @param port the port the embedded server listens on, so the Temporal CLI/UI can attach
   * @param target {@code host:port} of an external Temporal server when not embedded
   * @param namespace created on start when the external server lacks it
   * @param retention how long the server keeps a closed release's history, for a namespace Gantry creates
   * @param connectTimeout how long start-up waits for an external server to answer
   */
  public record Temporal(
      boolean embedded, int port, String target, String namespace, java.time.Duration retention, java.time.Duration connectTimeout) {}

  /** @param embedded run PostgreSQL from embedded binaries with its data under the data dir */
  public record Database(boolean embedded, int port) {}

  public boolean hasRole(String role) {
    return roles == null || roles.isEmpty() || roles.contains(role);
  }
}
