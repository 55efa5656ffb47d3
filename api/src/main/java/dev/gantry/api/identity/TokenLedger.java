package dev.gantry.api.identity;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The CI tokens Gantry accepted, in the catalog database ({@code ci_tokens}, migration V6): each
 * token's issuer and {@code jti} with the release it was first used for, until it expires. Every
 * API instance sees the same ledger, and it survives a restart, so a captured token cannot start or
 * extend another release anywhere.
 */
public class TokenLedger {
  /** The release a token is bound to. */
  public record Binding(String service, String commit) {
    @Override
    public String toString() {
      return service + "/" + commit;
    }
  }

  private final JdbcClient jdbc;
  private final Duration skew;

  public TokenLedger(JdbcClient jdbc, Duration skew) {
    this.jdbc = jdbc;
    this.skew = skew;
  }

  /** The release the token was first used for, if it was used before. */
  public Optional<Binding> boundTo(String issuer, String jti) {
    return jdbc.sql("SELECT service, commit FROM ci_tokens WHERE issuer = ? AND jti = ?")
        .params(issuer, jti)
        .query((rs, n) -> new Binding(rs.getString(1), rs.getString(2)))
        .optional();
  }

  /**
   * Binds the token to the release unless it is bound already; returns the binding that holds (the
   * earlier one when two requests raced). Forgets tokens that have expired.
   */
  public Binding bind(String issuer, String jti, Binding release, Instant expiresAt) {
    jdbc.sql("DELETE FROM ci_tokens WHERE expires_at < ?").param(Timestamp.from(Instant.now().minus(skew))).update();
    jdbc.sql("INSERT INTO ci_tokens (issuer, jti, service, commit, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING")
        .params(issuer, jti, release.service(), release.commit(), Timestamp.from(expiresAt))
        .update();
    return boundTo(issuer, jti).orElse(release);
  }
}
