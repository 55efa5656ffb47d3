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
   * @param tls TLS to an external server (Temporal Cloud, a self-hosted frontend with TLS)
   * @param apiKey a Temporal Cloud API key, sent as a bearer token (implies TLS); best given as
   *     the environment variable {@code GANTRY_TEMPORAL_API_KEY}
   */
  public record Temporal(
      boolean embedded, int port, String target, String namespace, java.time.Duration retention, java.time.Duration connectTimeout,
      Tls tls, String apiKey) {}

  /**
   * @param enabled speak TLS to the frontend (implied by any of the files, or an API key)
   * @param clientCert PEM client certificate (chain) for mTLS, e.g. the one registered for a Temporal Cloud namespace
   * @param clientKey its PKCS#8 PEM private key
   * @param caCert PEM CA certificate(s) to trust instead of the JDK's, for a self-hosted server
   * @param serverName the name to expect in the server's certificate when it differs from the target's host
   */
  public record Tls(boolean enabled, java.nio.file.Path clientCert, java.nio.file.Path clientKey, java.nio.file.Path caCert, String serverName) {
    public boolean wanted() {
      return enabled || clientCert != null || clientKey != null || caCert != null || serverName != null;
    }
  }

  /** @param embedded run PostgreSQL from embedded binaries with its data under the data dir */
  public record Database(boolean embedded, int port) {}

  public boolean hasRole(String role) {
    return roles == null || roles.isEmpty() || roles.contains(role);
  }
}
