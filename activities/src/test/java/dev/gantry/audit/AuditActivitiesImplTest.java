package dev.gantry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.GitOpsTarget;
import dev.gantry.objects.LocalObjectStore;
import dev.gantry.release.ApprovalView;
import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class AuditActivitiesImplTest {
  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();
  @TempDir Path objects;
  private LocalObjectStore store;
  private AuditActivitiesImpl audit;
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void setUp() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM audit_log");
    }
    store = new LocalObjectStore(objects);
    audit = new AuditActivitiesImpl(db.dataSource(), store);
  }

  static AuditEvent event(String id, String outcome) {
    EnvironmentSpec policy = new EnvironmentSpec("production", 2, "release-managers", List.of("carol", "dave"), Duration.ofHours(72),
        new GitOpsTarget("/srv/gitops.git", "main", "values-production.yaml", "image.digest"), "http://127.0.0.1/health",
        Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofSeconds(5), null);
    return new AuditEvent(id, "PROMOTION", "promotion/shop/production/c1/run", "shop", "production", "c".repeat(40), "sha256:" + "d".repeat(64),
        outcome, "e".repeat(40), "gantry", null,
        List.of(new ApprovalView("carol", Instant.parse("2026-11-22T10:00:00Z"), "ok"), new ApprovalView("dave", Instant.parse("2026-11-22T10:05:00Z"), null)),
        policy, Instant.parse("2026-11-22T10:06:00Z"), "sha256:" + "b".repeat(64));
  }

  record Row(String sha, String previous) {}

  List<Row> chain() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sha256, previous_sha256 FROM audit_log ORDER BY seq")) {
      while (rs.next()) {
        rows.add(new Row(rs.getString(1), rs.getString(2)));
      }
    }
    return rows;
  }

  @Test
  void recordsAreCanonicalContentAddressedAndChained() throws Exception {
    String first = audit.append(event("a", "PROMOTED"));
    String second = audit.append(event("b", "COMPENSATED"));
    assertThat(chain()).containsExactly(new Row(first, null), new Row(second, first));

    byte[] stored = store.get(second).orElseThrow();
    assertThat("sha256:" + dev.gantry.model.ObjectStore.sha256(stored)).isEqualTo(second);
    String text = new String(stored, StandardCharsets.UTF_8);
    assertThat(new JsonCanonicalizer(text).getEncodedString()).as("already canonical").isEqualTo(text);
    JsonNode record = json.readTree(stored);
    assertThat(record.get("schema").asText()).isEqualTo(AuditActivitiesImpl.SCHEMA);
    assertThat(record.get("previous").asText()).isEqualTo(first);
    assertThat(record.at("/event/outcome").asText()).isEqualTo("COMPENSATED");
    assertThat(record.at("/event/policy/approvalTimeout").asText()).isEqualTo("PT72H");
    assertThat(record.at("/event/approvals/1/by").asText()).isEqualTo("dave");
    assertThat(record.at("/event/approvals/0/at").asText()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(json.readTree(store.get(first).orElseThrow()).get("previous").isNull()).isTrue();
  }

  @Test
  void aRetriedAppendWritesOnce() throws Exception {
    String once = audit.append(event("same", "PROMOTED"));
    assertThat(audit.append(event("same", "PROMOTED"))).isEqualTo(once);
    assertThat(chain()).hasSize(1);
  }

  @Test
  void concurrentAppendsKeepOneLinearChain() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = "e" + i;
      futures.add(pool.submit(() -> audit.append(event(id, "PROMOTED"))));
    }
    for (Future<String> f : futures) {
      f.get();
    }
    pool.shutdown();
    List<Row> rows = chain();
    assertThat(rows).hasSize(40);
    assertThat(rows.getFirst().previous()).isNull();
    for (int i = 1; i < rows.size(); i++) {
      assertThat(rows.get(i).previous()).as("link %d", i).isEqualTo(rows.get(i - 1).sha());
    }
  }

  @Test
  void anEditedRecordIsRefusedOnRead() throws Exception {
    String sha = audit.append(event("x", "PROMOTED"));
    String hex = sha.substring("sha256:".length());
    Path file = objects.resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex.substring(2));
    Files.writeString(file, Files.readString(file).replace("PROMOTED", "REJECTED"));
    assertThatThrownBy(() -> store.get(sha)).hasMessageContaining("refusing a corrupted blob");
    assertThatThrownBy(() -> store.get("sha256:nothex")).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.get("sha256:" + "0".repeat(64))).isEmpty();
  }
}
