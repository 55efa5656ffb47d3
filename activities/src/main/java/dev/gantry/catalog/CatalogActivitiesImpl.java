package dev.gantry.catalog;

import dev.gantry.model.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog on PostgreSQL (schema: {@code db/migration/V1__catalog.sql}), in plain JDBC. Each
 * write is one transaction and an upsert, so a retried activity leaves the same rows.
 */
public class CatalogActivitiesImpl implements CatalogActivities {

  /** Type of the non-retryable failure for a record the database refuses (bad data, not outage). */
  public static final String CATALOG_REJECTED = "CatalogRejected";

  private static final Logger log = LoggerFactory.getLogger(CatalogActivitiesImpl.class);
  private static final String PROMOTED = "PROMOTED";

  private final DataSource dataSource;

  public CatalogActivitiesImpl(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public void recordRelease(ReleaseRecord release) {
    require(release != null, "release is required");
    require(release.service() != null && release.commit() != null, "release needs service and commit");
    require(release.status() != null, "release needs a status");
    // A null in a later update means "not known to this caller", so it keeps what is stored.
    String sql =
        """
        INSERT INTO releases (service, commit, tag, digest, author, started_by, workflow_id,
                              status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), now())
        ON CONFLICT (service, commit) DO UPDATE SET
          tag         = coalesce(excluded.tag, releases.tag),
          digest      = coalesce(excluded.digest, releases.digest),
          author      = coalesce(excluded.author, releases.author),
          started_by  = coalesce(excluded.started_by, releases.started_by),
          workflow_id = coalesce(excluded.workflow_id, releases.workflow_id),
          status      = excluded.status,
          updated_at  = now()
        """;
    inTransaction(
        "record release " + release.service() + "@" + release.commit(),
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, release.service());
            ps.setString(2, release.commit());
            ps.setString(3, release.tag());
            ps.setString(4, release.digest());
            ps.setString(5, release.author());
            ps.setString(6, release.startedBy());
            ps.setString(7, release.workflowId());
            ps.setString(8, release.status());
            setInstant(ps, 9, release.createdAt());
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void recordPromotion(PromotionRecord p) {
    require(p != null, "promotion is required");
    require(
        p.id() != null && p.service() != null && p.environment() != null,
        "promotion needs id, service and environment");
    require(p.kind() != null && p.digest() != null && p.outcome() != null,
        "promotion needs kind, digest and outcome");
    Instant at = p.at() != null ? p.at() : Instant.now();
    // A stale write of the same entry (older `at`) must not overwrite a newer outcome.
    String history =
        """
        INSERT INTO promotions (id, service, environment, kind, digest, commit, git_commit,
                                outcome, approved_by, by_principal, reason, at, evidence_bundle)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
          kind = excluded.kind, digest = excluded.digest, commit = excluded.commit,
          git_commit = coalesce(excluded.git_commit, promotions.git_commit),
          outcome = excluded.outcome, approved_by = excluded.approved_by,
          by_principal = excluded.by_principal, reason = excluded.reason, at = excluded.at,
          evidence_bundle = coalesce(excluded.evidence_bundle, promotions.evidence_bundle)
        WHERE promotions.at <= excluded.at
        """;
    String ensureRow =
        "INSERT INTO environments (service, environment) VALUES (?, ?) ON CONFLICT DO NOTHING";
    String lock =
        "SELECT 1 FROM environments WHERE service = ? AND environment = ? FOR UPDATE";
    // Derived from the whole history rather than from this one entry: a retried or late entry
    // can then never move current or last known good backwards, whatever order writes arrive
    // in. Current is the newest entry that reached git (or PROMOTED); last known good the newest
    // PROMOTED one. The row moves only when that newest entry is not older than updated_at.
    String derive =
        """
        WITH cur AS (
          SELECT digest, commit, at FROM promotions
          WHERE service = ? AND environment = ? AND (outcome = 'PROMOTED' OR git_commit IS NOT NULL)
          ORDER BY at DESC, recorded_at DESC, id DESC LIMIT 1),
        lkg AS (
          SELECT digest, commit FROM promotions
          WHERE service = ? AND environment = ? AND outcome = 'PROMOTED'
          ORDER BY at DESC, recorded_at DESC, id DESC LIMIT 1)
        UPDATE environments e SET
          current_digest = cur.digest,
          current_commit = cur.commit,
          last_known_good_digest = (SELECT digest FROM lkg),
          last_known_good_commit = (SELECT commit FROM lkg),
          updated_at = cur.at
        FROM cur
        WHERE e.service = ? AND e.environment = ?
          AND (e.updated_at IS NULL OR e.updated_at <= cur.at)
        """;
    inTransaction(
        "record promotion " + p.id(),
        c -> {
          try (PreparedStatement ps = c.prepareStatement(history)) {
            ps.setString(1, p.id());
            ps.setString(2, p.service());
            ps.setString(3, p.environment());
            ps.setString(4, p.kind());
            ps.setString(5, p.digest());
            ps.setString(6, p.commit());
            ps.setString(7, p.gitCommit());
            ps.setString(8, p.outcome());
            List<String> approvers = p.approvedBy() != null ? p.approvedBy() : List.of();
            Array array = c.createArrayOf("text", approvers.toArray());
            ps.setArray(9, array);
            ps.setString(10, p.by());
            ps.setString(11, p.reason());
            setInstant(ps, 12, at);
            ps.setString(13, p.evidenceBundle());
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement(ensureRow)) {
            ps.setString(1, p.service());
            ps.setString(2, p.environment());
            ps.executeUpdate();
          }
          // Serialises concurrent writers of one environment; the next statement then sees
          // every history row committed before it.
          try (PreparedStatement ps = c.prepareStatement(lock)) {
            ps.setString(1, p.service());
            ps.setString(2, p.environment());
            ps.executeQuery().close();
          }
          try (PreparedStatement ps = c.prepareStatement(derive)) {
            for (int i = 0; i < 3; i++) {
              ps.setString(2 * i + 1, p.service());
              ps.setString(2 * i + 2, p.environment());
            }
            ps.executeUpdate();
          }
          return null;
        });
    log.info(
        "recorded {} {} of {} into {}/{}: {}",
        p.kind(), p.id(), p.digest(), p.service(), p.environment(), p.outcome());
  }

  @Override
  public EnvironmentRecord environment(String service, String environment) {
    String sql =
        """
        SELECT current_digest, current_commit, last_known_good_digest, last_known_good_commit,
               hold_by, hold_reason, hold_at
        FROM environments WHERE service = ? AND environment = ?
        """;
    return inTransaction(
        "read environment " + service + "/" + environment,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, service);
            ps.setString(2, environment);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return new EnvironmentRecord(service, environment, null, null, null, null, null);
              }
              String holdBy = rs.getString("hold_by");
              String holdReason = rs.getString("hold_reason");
              Instant holdAt = getInstant(rs, "hold_at");
              Hold hold =
                  holdBy == null && holdReason == null && holdAt == null
                      ? null
                      : new Hold(holdBy, holdReason, holdAt);
              return new EnvironmentRecord(
                  service,
                  environment,
                  rs.getString("current_digest"),
                  rs.getString("current_commit"),
                  rs.getString("last_known_good_digest"),
                  rs.getString("last_known_good_commit"),
                  hold);
            }
          }
        });
  }

  @Override
  public RollbackTarget lastKnownGood(String service, String environment, String failedDigest) {
    return inTransaction(
        "find last known good of " + service + "/" + environment,
        c -> newestPromoted(c, service, environment, null, failedDigest));
  }

  @Override
  public RollbackTarget rollbackTarget(String service, String environment, String digest) {
    RollbackTarget target =
        inTransaction(
            "find rollback target in " + service + "/" + environment,
            c -> {
              if (digest != null) {
                return newestPromoted(c, service, environment, digest, null);
              }
              String current = currentDigest(c, service, environment);
              return newestPromoted(c, service, environment, null, current);
            });
    if (target != null) {
      return target;
    }
    if (digest != null) {
      RollbackTarget lkg = lastKnownGood(service, environment, null);
      throw ApplicationFailure.newNonRetryableFailure(
          digest + " was never promoted and verified healthy in " + environment + " of "
              + service + ", so it cannot be rolled back to; "
              + (lkg != null
                  ? "name a digest that was (the last known good there is " + lkg.digest()
                      + ") or leave the digest out to roll back to the last known good"
                  : "no digest was ever verified healthy there yet"),
          FailureTypes.NOT_PROMOTED_HERE);
    }
    EnvironmentRecord env = environment(service, environment);
    throw ApplicationFailure.newNonRetryableFailure(
        "nothing to roll back to in " + environment + " of " + service + ": "
            + (env.currentDigest() == null
                ? "no digest was ever promoted there"
                : "no digest other than the current " + env.currentDigest()
                    + " was promoted and verified healthy there")
            + "; fix forward with a new release instead",
        FailureTypes.NO_ROLLBACK_TARGET);
  }

  @Override
  public void setHold(String service, String environment, Hold hold) {
    require(service != null && environment != null, "hold needs service and environment");
    String sql =
        """
        INSERT INTO environments (service, environment, hold_by, hold_reason, hold_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (service, environment) DO UPDATE SET
          hold_by = excluded.hold_by, hold_reason = excluded.hold_reason, hold_at = excluded.hold_at
        """;
    inTransaction(
        "set hold on " + service + "/" + environment,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, service);
            ps.setString(2, environment);
            // A null hold clears it, the same as the API's UPDATE ... SET hold_by = NULL.
            ps.setString(3, hold == null ? null : hold.by());
            ps.setString(4, hold == null ? null : hold.reason());
            setInstant(
                ps, 5, hold == null ? null : hold.at() != null ? hold.at() : Instant.now());
            ps.executeUpdate();
          }
          return null;
        });
    log.info(
        "{} hold on {}/{}{}",
        hold == null ? "cleared" : "set",
        service, environment,
        hold == null ? "" : " by " + hold.by() + ": " + hold.reason());
  }

  /** The newest PROMOTED entry, optionally of one digest and/or not of another. */
  private static RollbackTarget newestPromoted(
      Connection c, String service, String environment, String digest, String notDigest)
      throws SQLException {
    String sql =
        """
        SELECT digest, commit FROM promotions
        WHERE service = ? AND environment = ? AND outcome = 'PROMOTED'
          AND (?::text IS NULL OR digest = ?::text)
          AND (?::text IS NULL OR digest <> ?::text)
        ORDER BY at DESC, recorded_at DESC, id DESC LIMIT 1
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, service);
      ps.setString(2, environment);
      ps.setString(3, digest);
      ps.setString(4, digest);
      ps.setString(5, notDigest);
      ps.setString(6, notDigest);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new RollbackTarget(rs.getString(1), rs.getString(2)) : null;
      }
    }
  }

  private static String currentDigest(Connection c, String service, String environment)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT current_digest FROM environments WHERE service = ? AND environment = ?")) {
      ps.setString(1, service);
      ps.setString(2, environment);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private <T> T inTransaction(String what, Transactions.Work<T> work) {
    try {
      return Transactions.inTransaction(dataSource, work);
    } catch (SQLException e) {
      throw translate(what, e);
    }
  }

  private static RuntimeException translate(String what, SQLException e) {
    String state = e.getSQLState();
    // Classes 22 (data exception) and 23 (integrity violation) mean the record itself is wrong:
    // retrying cannot help. Everything else (connection refused, 08xxx, 57Pxx, ...) may pass.
    if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          "catalog refused to " + what + ": " + e.getMessage(), CATALOG_REJECTED, e);
    }
    return new CatalogUnavailableException(
        "catalog database failed to " + what + " (SQLState " + state + "): " + e.getMessage(), e);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw ApplicationFailure.newNonRetryableFailure(message, CATALOG_REJECTED);
    }
  }

  private static void setInstant(PreparedStatement ps, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
  }

  private static Instant getInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
