package dev.gantry.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.catalog.CatalogActivitiesImpl;
import dev.gantry.catalog.ReleaseRecord;
import dev.gantry.objects.LocalObjectStore;
import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence activity runs whatever gates it is given, in that order, over the release's stored
 * records, and bundles and indexes their verdicts: it knows no gate by name.
 */
class GateListTest {
  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final EvidencePolicy ANY = EvidencePolicy.none();

  @TempDir Path root;
  private EvidenceStore store;
  private ReleaseRef release;

  /** A gate as a new one would be written: refuses a lockfile record whose path it denies. */
  record DeniedLockfile(String denied) implements Gate {
    @Override
    public String name() {
      return "denied-lockfile";
    }

    @Override
    public Set<EvidenceType> reads() {
      return Set.of(EvidenceType.LOCKFILE);
    }

    @Override
    public Optional<GateVerdict> judge(GateContext context) {
      List<EvidenceDocument> records = context.documents(EvidenceType.LOCKFILE);
      if (records.isEmpty()) {
        return Optional.of(GateVerdict.missing(name(), "no lockfile record for " + context.release().digest()));
      }
      List<String> read = records.stream().map(EvidenceDocument::sha256).toList();
      for (EvidenceDocument d : records) {
        if (denied.equals(d.json().path("path").asText())) {
          return Optional.of(GateVerdict.fail(name(), List.of(denied + " is denied in " + context.environment()), read));
        }
      }
      return Optional.of(GateVerdict.pass(name(), List.of(records.size() + " lockfile record(s), none denied"), read));
    }
  }

  /** Passes, and records derived evidence through the context, as the dependency diff does. */
  record Deriving() implements Gate {
    @Override
    public String name() {
      return "deriving";
    }

    @Override
    public Set<EvidenceType> reads() {
      return Set.of();
    }

    @Override
    public Optional<GateVerdict> judge(GateContext context) {
      String sha = context.record(EvidenceType.DEPENDENCY_DIFF, Json.WRITER.createObjectNode().put("derived", context.documents().size()));
      return Optional.of(GateVerdict.pass(name(), List.of("derived " + sha), List.of(sha)));
    }
  }

  /** Not required by any policy here: it gives no verdict. */
  record NotRequired() implements Gate {
    @Override
    public String name() {
      return "not-required";
    }

    @Override
    public Set<EvidenceType> reads() {
      return Set.of(EvidenceType.SBOM);
    }

    @Override
    public Optional<GateVerdict> judge(GateContext context) {
      return Optional.empty();
    }
  }

  @BeforeEach
  void setUp() {
    db.truncate();
    store = new EvidenceStore(db.dataSource(), new LocalObjectStore(root.resolve("objects")));
    String commit = "c".repeat(40);
    String digest = "sha256:" + "d".repeat(64);
    new CatalogActivitiesImpl(db.dataSource())
        .recordRelease(new ReleaseRecord("shop", commit, "v1", digest, "erin", "ci", "release/shop/" + commit, "IN_PROGRESS", NOW));
    release = new ReleaseRef("shop", commit, "registry.example/shop", digest);
  }

  private EvidenceActivitiesImpl activity(List<Gate> gates) {
    return new EvidenceActivitiesImpl(db.dataSource(), store, ref -> List.of(), gates, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private String lockfile(String path) {
    JsonNode record = Json.WRITER.createObjectNode().put("path", path).put("sha256", "a".repeat(64));
    return store.store(release.service(), release.commit(), EvidenceType.LOCKFILE, "application/json", record, "upload:ci").sha256();
  }

  @Test
  void aGateThatRefusesRefusesTheReleaseWithItsReasonInTheGivenOrder() throws Exception {
    String record = lockfile("yarn.lock");

    EvidenceActivitiesImpl activity = activity(List.of(new Deriving(), new NotRequired(), new DeniedLockfile("yarn.lock")));
    Assessment a = activity.assess(new AssessRequest(release, "production", ANY, null));

    assertThat(a.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(a.verdicts()).extracting(GateVerdict::gate).containsExactly("deriving", "denied-lockfile");
    assertThat(a.summary()).isEqualTo("denied-lockfile FAIL: yarn.lock is denied in production");
    JsonNode bundle = Json.read(store.get(a.bundleSha256()).orElseThrow(), "bundle");
    assertThat(bundle.get("verdicts").findValuesAsText("gate")).containsExactly("deriving", "denied-lockfile");
    assertThat(bundle.get("members").findValuesAsText("sha256")).contains(record);
    assertThat(bundle.get("members").findValuesAsText("type")).contains("LOCKFILE", "DEPENDENCY_DIFF");
    assertThat(store.documents(release.service(), release.commit())).extracting(EvidenceDocument::type)
        .contains(EvidenceType.DEPENDENCY_DIFF, EvidenceType.BUNDLE);
    assertThat(indexed(a.bundleSha256())).containsExactlyInAnyOrder("deriving PASS", "denied-lockfile FAIL");
  }

  @Test
  void theSameGateOverOtherEvidencePassesAndWithoutItsEvidenceIsMissing() {
    EvidenceActivitiesImpl activity = activity(List.of(new DeniedLockfile("yarn.lock")));
    Assessment missing = activity.assess(new AssessRequest(release, "dev", ANY, null));
    assertThat(missing.outcome()).as("fail closed: no evidence is no pass").isEqualTo(Outcome.MISSING);
    assertThat(missing.summary()).contains("no lockfile record for " + release.digest());

    lockfile("package-lock.json");
    Assessment passed = activity.assess(new AssessRequest(release, "dev", ANY, null));
    assertThat(passed.outcome()).isEqualTo(Outcome.PASS);
    assertThat(passed.verdicts()).singleElement().satisfies(v -> assertThat(v.reasons()).containsExactly("1 lockfile record(s), none denied"));
  }

  @Test
  void aGateAloneIsJudgedOverAContextWithoutADatabase() {
    EvidenceDocument record = new EvidenceDocument("sha256:" + "1".repeat(64), EvidenceType.LOCKFILE, "application/json", "upload:ci",
        Json.WRITER.createObjectNode().put("path", "yarn.lock").put("sha256", "a".repeat(64)));
    GateContext context = GateContext.of(release, "staging", ANY, List.of(record), NOW);
    assertThat(new DeniedLockfile("yarn.lock").judge(context)).hasValueSatisfying(v -> {
      assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(v.reasons()).containsExactly("yarn.lock is denied in staging");
      assertThat(v.evidence()).containsExactly(record.sha256());
    });
  }

  @Test
  void noGatesIsAPassWithNoVerdicts() {
    Assessment a = activity(List.of()).assess(new AssessRequest(release, "dev", ANY, null));
    assertThat(a.outcome()).isEqualTo(Outcome.PASS);
    assertThat(a.verdicts()).isEmpty();
    assertThat(store.get(a.bundleSha256())).isPresent();
  }

  @Test
  void twoGatesOfOneNameAreRefusedAtWiring() {
    assertThatThrownBy(() -> activity(List.of(new DeniedLockfile("a"), new DeniedLockfile("b"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("denied-lockfile");
  }

  private List<String> indexed(String bundle) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT gate, outcome FROM gate_verdicts WHERE bundle_sha256 = ?")) {
      ps.setString(1, bundle);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + " " + rs.getString(2));
        }
      }
    }
    return out;
  }
}
