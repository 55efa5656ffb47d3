package dev.gantry.evaluation;

import dev.gantry.catalog.Transactions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** Table {@code evaluation_requests} (V4__evaluations.sql) in plain JDBC, one transaction per call. */
final class EvaluationStore {

  static final String CALLBACK = "CALLBACK";
  static final String RESPONSE = "RESPONSE";
  static final String POLL = "POLL";
  static final String FAILED = "FAILED";

  /** 32 random bytes in base64url without padding are exactly 43 characters. */
  static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS =
      "token, task_token, workflow_id, service, commit, digest, url, deadline, completed_at, outcome, metrics::text";

  private final DataSource dataSource;

  EvaluationStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** The evaluation an activity runs: stable across its attempts. */
  record Key(String workflowId, String activityId, String service, String commit, String digest) {}

  /** One stored request. {@code metrics} is null until completed (and stays null when FAILED). */
  record Row(
      String token, byte[] taskToken, String workflowId, String service, String commit, String digest, String url,
      Instant deadline, Instant completedAt, String outcome, Map<String, Double> metrics) {

    boolean open() {
      return completedAt == null;
    }

    String release() {
      return service + "@" + commit + " (" + digest + ")";
    }
  }

  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The request this attempt waits on: the activity's open one, now pointing at this attempt's
   * task token (the evaluator may still answer the token it was first given), or a new one. A
   * request already completed is returned as it is; its metrics are the activity's result.
   */
  Row open(Key key, String runId, int attempt, byte[] taskToken, String url, Instant deadline) {
    String newest =
        "SELECT " + COLUMNS + " FROM evaluation_requests"
            + " WHERE workflow_id = ? AND activity_id = ? AND service = ? AND commit = ? AND digest = ?"
            + " ORDER BY (completed_at IS NULL) DESC, requested_at DESC LIMIT 1 FOR UPDATE";
    String repoint =
        "UPDATE evaluation_requests SET task_token = ?, run_id = ?, attempt = ?, url = ?, deadline = ? WHERE token = ?";
    String insert =
        """
        INSERT INTO evaluation_requests (token, task_token, workflow_id, run_id, activity_id, attempt,
                                         service, commit, digest, url, deadline)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """;
    return inTransaction(
        "open the evaluation of " + key.service() + "@" + key.commit(),
        c -> {
          Row found;
          try (PreparedStatement ps = c.prepareStatement(newest)) {
            ps.setString(1, key.workflowId());
            ps.setString(2, key.activityId());
            ps.setString(3, key.service());
            ps.setString(4, key.commit());
            ps.setString(5, key.digest());
            found = one(ps);
          }
          if (found != null && found.open()) {
            try (PreparedStatement ps = c.prepareStatement(repoint)) {
              ps.setBytes(1, taskToken);
              ps.setString(2, runId);
              ps.setInt(3, attempt);
              ps.setString(4, url);
              ps.setObject(5, utc(deadline));
              ps.setString(6, found.token());
              ps.executeUpdate();
            }
            return new Row(found.token(), taskToken, found.workflowId(), found.service(), found.commit(), found.digest(),
                url, deadline, null, null, null);
          }
          if (found != null && !FAILED.equals(found.outcome())) {
            return found;
          }
          String token = newToken();
          try (PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setString(1, token);
            ps.setBytes(2, taskToken);
            ps.setString(3, key.workflowId());
            ps.setString(4, runId);
            ps.setString(5, key.activityId());
            ps.setInt(6, attempt);
            ps.setString(7, key.service());
            ps.setString(8, key.commit());
            ps.setString(9, key.digest());
            ps.setString(10, url);
            ps.setObject(11, utc(deadline));
            ps.executeUpdate();
          }
          return new Row(token, taskToken, key.workflowId(), key.service(), key.commit(), key.digest(), url, deadline,
              null, null, null);
        });
  }

  Row find(String token) {
    return inTransaction("look up an evaluation token", c -> find(c, token, false));
  }

  Row find(Connection c, String token, boolean lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM evaluation_requests WHERE token = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, token);
      return one(ps);
    }
  }

  /**
   * Records the result unless one is already there; returns the result that stands, so whoever
   * delivered first (callback, answer, poll) wins and everyone sees the same metrics.
   */
  Map<String, Double> finish(String token, Map<String, Double> metrics, String outcome, String by) {
    return inTransaction(
        "record the evaluation result",
        c -> {
          Row row = find(c, token, true);
          if (row == null) {
            throw new IllegalStateException("evaluation request " + token + " vanished");
          }
          if (!row.open()) {
            return row.metrics();
          }
          markCompleted(c, token, metrics, outcome, by);
          return metrics;
        });
  }

  void markCompleted(Connection c, String token, Map<String, Double> metrics, String outcome, String by) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE evaluation_requests SET completed_at = now(), completed_by = ?, metrics = ?::jsonb, outcome = ?"
                + " WHERE token = ? AND completed_at IS NULL")) {
      ps.setString(1, by);
      ps.setString(2, metrics == null ? null : EvaluationMetrics.toJson(metrics));
      ps.setString(3, outcome);
      ps.setString(4, token);
      ps.executeUpdate();
    }
  }

  /** Ends an open request whose evaluation failed for good; a late callback then hears why. */
  void fail(String token, String by) {
    inTransaction(
        "record the failed evaluation",
        c -> {
          markCompleted(c, token, null, FAILED, by);
          return null;
        });
  }

  <T> T inTransaction(String what, Transactions.Work<T> work) {
    try {
      return Transactions.inTransaction(dataSource, work);
    } catch (SQLException e) {
      throw new EvaluationUnavailableException(
          "the database failed to " + what + " (SQLState " + e.getSQLState() + "): " + e.getMessage(), e);
    }
  }

  private static Row one(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      String metrics = rs.getString(11);
      return new Row(
          rs.getString(1),
          rs.getBytes(2),
          rs.getString(3),
          rs.getString(4),
          rs.getString(5),
          rs.getString(6),
          rs.getString(7),
          instant(rs, 8),
          instant(rs, 9),
          rs.getString(10),
          metrics == null ? null : EvaluationMetrics.fromJson(metrics));
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
