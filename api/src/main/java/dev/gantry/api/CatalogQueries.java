package dev.gantry.api;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.Outcome;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.ServiceSpec;
import dev.gantry.release.ApprovalView;
import dev.gantry.release.EnvironmentState;
import dev.gantry.release.EnvironmentView;
import dev.gantry.release.ReleaseStatus;
import dev.gantry.release.ReleaseView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The read side of the catalog (tables written by the catalog activities). The one write here,
 * clearing a hold, is a person's decision with no workflow behind it.
 */
public class CatalogQueries {
  private final JdbcClient jdbc;

  public CatalogQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public record ReleaseSummary(String service, String commit, String tag, String digest, String author, String startedBy, String status, Instant createdAt) {}

  public record Pinned(String digest, String commit) {}

  public record HoldView(String by, String reason, Instant at) {}

  public record HistoryEntry(
      String id, String kind, String digest, String commit, String gitCommit, String outcome, List<String> approvedBy, String by, String reason, Instant at) {}

  public record EnvironmentStatus(String service, String environment, Pinned current, Pinned lastKnownGood, HoldView hold, List<HistoryEntry> history) {}

  public List<ReleaseSummary> releases(String service, int limit) {
    return jdbc.sql(
            """
            SELECT service, commit, tag, digest, author, started_by, status, created_at FROM releases
            WHERE (CAST(:service AS text) IS NULL OR service = :service)
            ORDER BY created_at DESC, commit LIMIT :limit""")
        .param("service", service)
        .param("limit", limit)
        .query(CatalogQueries::summary)
        .list();
  }

  /**
   * A release as the catalog recorded it, for when its workflow is gone (embedded mode loses
   * in-flight workflows on restart; a real server drops closed ones after retention).
   */
  public Optional<ReleaseView> recordedRelease(ServiceSpec service, String commit) {
    Optional<ReleaseSummary> release =
        jdbc.sql("SELECT service, commit, tag, digest, author, started_by, status, created_at FROM releases WHERE service = ? AND commit = ?")
            .params(service.name(), commit)
            .query(CatalogQueries::summary)
            .optional();
    if (release.isEmpty()) {
      return Optional.empty();
    }
    ReleaseSummary r = release.get();
    List<EnvironmentView> environments = new ArrayList<>();
    for (EnvironmentSpec env : service.environments()) {
      Optional<HistoryEntry> last =
          jdbc.sql(
                  """
                  SELECT id, kind, digest, commit, git_commit, outcome, approved_by, by_principal, reason, at FROM promotions
                  WHERE service = ? AND environment = ? AND commit = ? AND kind = 'PROMOTION' ORDER BY at DESC LIMIT 1""")
              .params(service.name(), env.name(), commit)
              .query(CatalogQueries::history)
              .optional();
      Optional<String> bundle =
          jdbc.sql("SELECT bundle_sha256 FROM evidence_bundles WHERE service = ? AND commit = ? AND environment = ?")
              .params(service.name(), commit, env.name())
              .query(String.class)
              .optional();
      List<GateVerdict> gates = bundle.map(this::verdicts).orElse(List.of());
      String sha = bundle.orElse(null);
      environments.add(last
          .map(h -> new EnvironmentView(env.name(), EnvironmentState.valueOf(h.outcome()), r.digest(),
              h.approvedBy().stream().map(by -> new ApprovalView(by, null, null)).toList(), env.requiredApprovals(), h.gitCommit(), h.reason(), null, sha, gates))
          .orElse(new EnvironmentView(env.name(), sha == null ? EnvironmentState.PENDING : stateOf(gates), r.digest(), List.of(), env.requiredApprovals(), null,
              sha == null ? "no promotion recorded" : "no promotion recorded; the gates' last verdicts are shown", null, sha, gates)));
    }
    return Optional.of(new ReleaseView(r.service(), r.commit(), r.tag(), r.digest(), r.author(), r.startedBy(),
        ReleaseStatus.valueOf(r.status()),
        "from the catalog: the release's workflow is no longer available (embedded mode keeps workflow state in memory only)",
        environments, List.of()));
  }

  private List<GateVerdict> verdicts(String bundle) {
    return jdbc.sql("SELECT gate, outcome, reasons::text, evidence FROM gate_verdicts WHERE bundle_sha256 = ? ORDER BY gate")
        .params(bundle)
        .query((rs, n) -> new GateVerdict(rs.getString(1), Outcome.valueOf(rs.getString(2)), reasons(rs.getString(3)),
            java.util.Arrays.asList((String[]) rs.getArray(4).getArray()), List.of()))
        .list();
  }

  private static EnvironmentState stateOf(List<GateVerdict> gates) {
    return gates.stream().allMatch(GateVerdict::passed) ? EnvironmentState.PENDING : EnvironmentState.REFUSED;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper REASONS = new com.fasterxml.jackson.databind.ObjectMapper();

  /** A gate's reasons as stored (a JSON array of sentences). */
  static List<String> reasons(String json) {
    try {
      List<String> out = new ArrayList<>();
      REASONS.readTree(json).forEach(n -> out.add(n.asText()));
      return out;
    } catch (java.io.IOException e) {
      return List.of(json);
    }
  }

  public boolean releaseKnown(String service, String commit) {
    return jdbc.sql("SELECT count(*) FROM releases WHERE service = ? AND commit = ?").params(service, commit).query(Long.class).single() > 0;
  }

  public EnvironmentStatus environment(String service, String environment, int historyLimit) {
    Optional<EnvironmentStatus> row =
        jdbc.sql(
                """
                SELECT current_digest, current_commit, last_known_good_digest, last_known_good_commit, hold_by, hold_reason, hold_at
                FROM environments WHERE service = ? AND environment = ?""")
            .params(service, environment)
            .query((rs, i) -> new EnvironmentStatus(
                service,
                environment,
                pinned(rs.getString(1), rs.getString(2)),
                pinned(rs.getString(3), rs.getString(4)),
                rs.getString(5) == null ? null : new HoldView(rs.getString(5), rs.getString(6), instant(rs, 7)),
                List.of()))
            .optional();
    List<HistoryEntry> history = historyLimit <= 0 ? List.of() :
        jdbc.sql(
                """
                SELECT id, kind, digest, commit, git_commit, outcome, approved_by, by_principal, reason, at
                FROM promotions WHERE service = ? AND environment = ? ORDER BY at DESC, recorded_at DESC LIMIT ?""")
            .params(service, environment, historyLimit)
            .query(CatalogQueries::history)
            .list();
    EnvironmentStatus base = row.orElse(new EnvironmentStatus(service, environment, null, null, null, List.of()));
    return new EnvironmentStatus(service, environment, base.current(), base.lastKnownGood(), base.hold(), history);
  }

  /** One history entry by its id ({@code <workflow id>/<run id>} for a rollback), if the catalog has it. */
  public Optional<HistoryEntry> entry(String id) {
    return jdbc.sql("SELECT id, kind, digest, commit, git_commit, outcome, approved_by, by_principal, reason, at FROM promotions WHERE id = ?")
        .params(id)
        .query(CatalogQueries::history)
        .optional();
  }

  /** Whether the digest was promoted into the environment and verified healthy there. */
  public boolean promotedThere(String service, String environment, String digest) {
    return jdbc.sql("SELECT count(*) FROM promotions WHERE service = ? AND environment = ? AND digest = ? AND outcome = 'PROMOTED'")
            .params(service, environment, digest)
            .query(Long.class)
            .single() > 0;
  }

  /** @return whether there was a hold to clear */
  public boolean clearHold(String service, String environment) {
    return jdbc.sql(
                "UPDATE environments SET hold_by = NULL, hold_reason = NULL, hold_at = NULL WHERE service = ? AND environment = ? AND hold_by IS NOT NULL")
            .params(service, environment)
            .update() > 0;
  }

  private static ReleaseSummary summary(ResultSet rs, int row) throws SQLException {
    return new ReleaseSummary(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), instant(rs, 8));
  }

  private static HistoryEntry history(ResultSet rs, int row) throws SQLException {
    return new HistoryEntry(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
        strings(rs.getArray(7)), rs.getString(8), rs.getString(9), instant(rs, 10));
  }

  private static Pinned pinned(String digest, String commit) {
    return digest == null ? null : new Pinned(digest, commit);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static List<String> strings(Array array) throws SQLException {
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }
}
