package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.catalog.Transactions;
import dev.gantry.model.ObjectStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Evidence records: each stored once in the object store as canonical JSON (RFC 8785), its sha256
 * the identity, and indexed in PostgreSQL with the releases it belongs to. It reads no format:
 * judging a record is its gate's work ({@link EvidenceUploads} asks the gates' checks on upload).
 */
public final class EvidenceStore {
  private final DataSource dataSource;
  private final ObjectStore objects;

  public EvidenceStore(DataSource dataSource, ObjectStore objects) {
    this.dataSource = dataSource;
    this.objects = objects;
  }

  public record Stored(String sha256, long size, boolean created) {}

  /** Stores a record (once) and links it to the release (once). */
  public Stored store(String service, String commit, EvidenceType type, String mediaType, JsonNode json, String source) {
    byte[] canonical = Json.canonical(json);
    String sha = objects.put(canonical);
    InTotoStatement statement = statementOf(new EvidenceDocument(sha, type, mediaType, source, json));
    try {
      return Transactions.inTransaction(dataSource, c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO evidence (sha256, type, media_type, size, predicate_type, subject_digests) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
          ps.setString(1, sha);
          ps.setString(2, type.name());
          ps.setString(3, mediaType);
          ps.setLong(4, canonical.length);
          ps.setString(5, statement == null ? null : statement.predicateType());
          Array subjects = c.createArrayOf("text", statement == null ? new Object[0] : statement.subjectDigests().toArray());
          ps.setArray(6, subjects);
          ps.executeUpdate();
        }
        int linked;
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO release_evidence (service, commit, sha256, source) VALUES (?,?,?,?) ON CONFLICT DO NOTHING")) {
          ps.setString(1, service);
          ps.setString(2, commit);
          ps.setString(3, sha);
          ps.setString(4, source);
          linked = ps.executeUpdate();
        }
        return new Stored(sha, canonical.length, linked == 1);
      });
    } catch (SQLException e) {
      if ("23503".equals(e.getSQLState())) {
        throw new InvalidEvidenceException("release " + service + "/" + commit + " is not in the catalog");
      }
      throw new IllegalStateException("evidence index unavailable (will retry): " + e.getMessage(), e);
    }
  }

  /** The statement inside, or null: a malformed one is indexed without details and refused by its gate. */
  private static InTotoStatement statementOf(EvidenceDocument doc) {
    try {
      return Dsse.envelopeOf(doc.json()) == null ? null : doc.statement();
    } catch (EvidenceException e) {
      return null;
    }
  }

  /** Every record of a release, oldest first (the order they arrived). */
  public List<EvidenceDocument> documents(String service, String commit) {
    List<EvidenceDocument> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            """
            SELECT e.sha256, e.type, e.media_type, r.source FROM release_evidence r JOIN evidence e ON e.sha256 = r.sha256
            WHERE r.service = ? AND r.commit = ? ORDER BY r.added_at, e.sha256""")) {
      ps.setString(1, service);
      ps.setString(2, commit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String sha = rs.getString(1);
          byte[] bytes = objects.get(sha).orElseThrow(() -> new IllegalStateException("evidence " + sha + " is indexed but missing from the object store"));
          out.add(new EvidenceDocument(sha, EvidenceType.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4), Json.read(bytes, Long.MAX_VALUE, "evidence " + sha)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("evidence index unavailable (will retry): " + e.getMessage(), e);
    }
    return out;
  }

  /** A record's index entry: what it is and how it reached the release. */
  public record Member(String sha256, EvidenceType type, String mediaType, String source) {}

  /** The index entries of a release's records, without reading the documents. */
  public Map<String, Member> members(String service, String commit) {
    Map<String, Member> out = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT e.sha256, e.type, e.media_type, r.source FROM release_evidence r JOIN evidence e ON e.sha256 = r.sha256 WHERE r.service = ? AND r.commit = ?")) {
      ps.setString(1, service);
      ps.setString(2, commit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Member(rs.getString(1), EvidenceType.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("evidence index unavailable (will retry): " + e.getMessage(), e);
    }
    return out;
  }

  public Optional<byte[]> get(String sha256) {
    return objects.get(sha256);
  }
}
