package dev.gantry.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.gantry.model.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.erdtman.jcs.JsonCanonicalizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends to the hash-chained audit log: the record goes to the object store as canonical JSON
 * (so its sha256 is reproducible by anyone), its index row to PostgreSQL. Appends are serialised
 * by an advisory lock so the chain never forks.
 */
public class AuditActivitiesImpl implements AuditActivities {
  private static final Logger log = LoggerFactory.getLogger(AuditActivitiesImpl.class);
  public static final String SCHEMA = "https://gantry.dev/audit/v1";
  // any fixed number: the lock only has to be the same for every appender of this database
  private static final long CHAIN_LOCK = 0x6761_6e74_7279L;

  private final DataSource dataSource;
  private final ObjectStore store;
  private final ObjectMapper json =
      new ObjectMapper().registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  public AuditActivitiesImpl(DataSource dataSource, ObjectStore store) {
    this.dataSource = dataSource;
    this.store = store;
  }

  @Override
  public String append(AuditEvent event) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        lock(c);
        String existing = single(c, "SELECT sha256 FROM audit_log WHERE event_id = ?", event.id());
        if (existing != null) {
          c.rollback();
          return existing;
        }
        String previous = single(c, "SELECT sha256 FROM audit_log ORDER BY seq DESC LIMIT 1", null);
        String sha = store.put(canonical(previous, event));
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO audit_log (event_id, sha256, previous_sha256, kind, service, environment, subject, outcome, at) VALUES (?,?,?,?,?,?,?,?,?)")) {
          ps.setString(1, event.id());
          ps.setString(2, sha);
          ps.setString(3, previous);
          ps.setString(4, event.kind());
          ps.setString(5, event.service());
          ps.setString(6, event.environment());
          ps.setString(7, event.subject());
          ps.setString(8, event.outcome());
          ps.setTimestamp(9, Timestamp.from(event.at()));
          ps.executeUpdate();
        }
        c.commit();
        log.info("audit: {} {} {} {} -> {}", event.kind(), event.service(), event.environment(), event.outcome(), sha);
        return sha;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      // transport trouble with the database: retryable; the blob, if written, is harmless
      throw new IllegalStateException("audit log append failed (will retry): " + e.getMessage(), e);
    }
  }

  /** The record as stored: {@code {schema, previous, event}}, canonicalised per RFC 8785. */
  byte[] canonical(String previous, AuditEvent event) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("schema", SCHEMA);
    record.put("previous", previous);
    record.put("event", event);
    try {
      return new JsonCanonicalizer(json.writeValueAsString(record)).getEncodedString().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise audit event " + event.id(), e);
    }
  }

  private static void lock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, CHAIN_LOCK);
      ps.execute();
    }
  }

  private static String single(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
