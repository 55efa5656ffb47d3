package dev.gantry.api;

import dev.gantry.model.ObjectStore;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Instant;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit log: who promoted, compensated or rolled back what, under which policy, with whose
 * approvals. Each record is canonical JSON addressed by its sha256 and names the one before it.
 */
@RestController
@RequestMapping("/api/v1/audit")
public class AuditController {
  private final JdbcClient jdbc;
  private final ObjectStore store;

  public AuditController(JdbcClient jdbc, ObjectStore store) {
    this.jdbc = jdbc;
    this.store = store;
  }

  public record Entry(long seq, String sha256, String previous, String kind, String service, String environment, String subject, String outcome, Instant at) {}

  public record Verification(long records, boolean intact, Long brokenAt, String problem) {}

  private static final String COLUMNS = "seq, sha256, previous_sha256, kind, service, environment, subject, outcome, at";

  private static Entry entry(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
    return new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant());
  }

  @Operation(summary = "Audit entries, newest first")
  @GetMapping
  public List<Entry> list(@RequestParam(required = false) String service, @RequestParam(defaultValue = "50") int limit) {
    if (limit < 1 || limit > 1000) {
      throw ApiProblem.badRequest("InvalidLimit", "limit must be between 1 and 1000");
    }
    return jdbc.sql("""
            SELECT %s FROM audit_log
            WHERE (CAST(:service AS text) IS NULL OR service = :service) ORDER BY seq DESC LIMIT :limit""".formatted(COLUMNS))
        .param("service", service)
        .param("limit", limit)
        .query(AuditController::entry)
        .list();
  }

  @Operation(summary = "One audit record, exactly as stored (canonical JSON; its sha256 is its name)")
  @GetMapping(value = "/{sha256}", produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<byte[]> record(@PathVariable String sha256) {
    if (!ObjectStore.isId(sha256)) {
      throw ApiProblem.badRequest("InvalidDigest", "an audit record is named sha256:<64 lowercase hex>, got '" + sha256 + "'");
    }
    byte[] content = store.get(sha256).orElseThrow(() -> ApiProblem.notFound("UnknownRecord", "no audit record " + sha256));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(content);
  }

  @Operation(summary = "Walk the whole chain: every record present, unaltered, and linked to the one before")
  @GetMapping("/verification")
  public Verification verify() {
    List<Entry> chain = jdbc.sql("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq")
        .query(AuditController::entry)
        .list();
    String previous = null;
    for (Entry e : chain) {
      if (e.previous() == null ? previous != null : !e.previous().equals(previous)) {
        return new Verification(chain.size(), false, e.seq(), "record " + e.seq() + " names " + e.previous() + " as previous, but the record before it is " + previous);
      }
      try {
        if (store.get(e.sha256()).isEmpty()) {
          return new Verification(chain.size(), false, e.seq(), "record " + e.seq() + " (" + e.sha256() + ") is missing from the object store");
        }
      } catch (IllegalStateException altered) {
        return new Verification(chain.size(), false, e.seq(), altered.getMessage());
      }
      previous = e.sha256();
    }
    return new Verification(chain.size(), true, null, null);
  }
}
