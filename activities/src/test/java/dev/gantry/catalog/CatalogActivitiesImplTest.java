package dev.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gantry.model.FailureTypes;
import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import io.temporal.failure.ApplicationFailure;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

class CatalogActivitiesImplTest {

  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();

  static final String SVC = "payments";
  static final String ENV = "production";
  static final String V1 = "sha256:" + "1".repeat(64);
  static final String V2 = "sha256:" + "2".repeat(64);
  static final String V3 = "sha256:" + "3".repeat(64);
  static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  CatalogActivitiesImpl catalog;

  @BeforeEach
  void setUp() {
    db.truncate();
    catalog = new CatalogActivitiesImpl(db.dataSource());
  }

  static Instant t(int minutes) {
    return T0.plusSeconds(60L * minutes);
  }

  static PromotionRecord entry(
      String id, String kind, String digest, String gitCommit, String outcome, Instant at) {
    return new PromotionRecord(
        id, SVC, ENV, kind, digest, "c-" + digest.substring(7, 8), gitCommit, outcome,
        List.of("alice"), "ci", "merge", at, null);
  }

  static PromotionRecord promoted(String id, String digest, Instant at) {
    return entry(id, "PROMOTION", digest, "g-" + id, "PROMOTED", at);
  }

  EnvironmentRecord env() {
    return catalog.environment(SVC, ENV);
  }

  @Nested
  class Releases {
    ReleaseRecord release(String digest, String status, Instant createdAt) {
      return new ReleaseRecord(
          SVC, "a".repeat(40), "sha-" + "a".repeat(40), digest, "bob", "ci-bot",
          "release/payments/" + "a".repeat(40), status, createdAt);
    }

    @Test
    void recordsOnceAndLaterStatusOverwritesAllButCreatedAt() throws Exception {
      catalog.recordRelease(release(null, "RESOLVING", t(0)));
      catalog.recordRelease(release(null, "RESOLVING", t(0))); // a retry
      Instant firstUpdate = releaseRow().updatedAt;

      catalog.recordRelease(release(V1, "SIGNED", t(5)));

      Row row = releaseRow();
      assertThat(count("releases")).isEqualTo(1);
      assertThat(row.status).isEqualTo("SIGNED");
      assertThat(row.digest).isEqualTo(V1);
      assertThat(row.createdAt).isEqualTo(t(0));
      assertThat(row.updatedAt).isAfterOrEqualTo(firstUpdate);
    }

    @Test
    void aLaterUpdateWithoutDigestKeepsTheResolvedOne() throws Exception {
      catalog.recordRelease(release(V1, "SIGNED", t(0)));
      catalog.recordRelease(release(null, "FAILED", t(0)));
      assertThat(releaseRow().digest).isEqualTo(V1);
      assertThat(releaseRow().status).isEqualTo("FAILED");
    }

    record Row(String digest, String status, Instant createdAt, Instant updatedAt) {}

    Row releaseRow() throws SQLException {
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT digest, status, created_at, updated_at FROM releases")) {
        rs.next();
        return new Row(
            rs.getString(1), rs.getString(2),
            rs.getObject(3, OffsetDateTime.class).toInstant(),
            rs.getObject(4, OffsetDateTime.class).toInstant());
      }
    }
  }

  @Nested
  class History {
    @Test
    void unknownEnvironmentIsAnEmptyRecordNotNull() {
      assertThat(catalog.environment("nobody", "nowhere"))
          .isEqualTo(new EnvironmentRecord("nobody", "nowhere", null, null, null, null, null));
    }

    @Test
    void promotedMakesTheDigestCurrentAndLastKnownGood() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));

      assertThat(env())
          .isEqualTo(new EnvironmentRecord(SVC, ENV, V1, "c-1", V1, "c-1", null));
    }

    @Test
    void reRecordingTheSameEntryIsIdempotent() throws Exception {
      PromotionRecord p = promoted("p1", V1, t(0));
      catalog.recordPromotion(p);
      EnvironmentRecord once = env();
      catalog.recordPromotion(p);
      catalog.recordPromotion(p);

      assertThat(count("promotions")).isEqualTo(1);
      assertThat(env()).isEqualTo(once);
    }

    @Test
    void storesEveryColumnOfTheEntry() throws Exception {
      catalog.recordPromotion(
          new PromotionRecord("wf/run", SVC, ENV, "ROLLBACK", V1, null, "g1", "PROMOTED",
              List.of("alice", "carol"), "dave", "pager went off", t(3), "sha256:" + "b".repeat(64)));
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM promotions")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("id")).isEqualTo("wf/run");
        assertThat(rs.getString("kind")).isEqualTo("ROLLBACK");
        assertThat(rs.getString("commit")).isNull();
        assertThat(rs.getString("git_commit")).isEqualTo("g1");
        assertThat((String[]) rs.getArray("approved_by").getArray())
            .containsExactly("alice", "carol");
        assertThat(rs.getString("by_principal")).isEqualTo("dave");
        assertThat(rs.getString("reason")).isEqualTo("pager went off");
        assertThat(rs.getObject("at", OffsetDateTime.class).toInstant()).isEqualTo(t(3));
        assertThat(rs.getObject("recorded_at", OffsetDateTime.class)).isNotNull();
        assertThat(rs.getString("evidence_bundle")).isEqualTo("sha256:" + "b".repeat(64));
      }
    }

    @Test
    void anEntryUpdatedThroughItsOutcomesMovesCurrentThenLastKnownGood() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(entry("p2", "PROMOTION", V2, null, "PROMOTING", t(1)));
      assertThat(env().currentDigest()).as("not in git yet").isEqualTo(V1);

      catalog.recordPromotion(entry("p2", "PROMOTION", V2, "g2", "VERIFYING", t(2)));
      assertThat(env().currentDigest()).isEqualTo(V2);
      assertThat(env().lastKnownGoodDigest()).isEqualTo(V1);

      catalog.recordPromotion(entry("p2", "PROMOTION", V2, "g2", "PROMOTED", t(3)));
      assertThat(env().currentDigest()).isEqualTo(V2);
      assertThat(env().lastKnownGoodDigest()).isEqualTo(V2);
    }

    @Test
    void entriesThatNeverReachedGitDoNotMoveCurrent() throws Exception {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(entry("p2", "PROMOTION", V2, null, "FAILED", t(1)));

      assertThat(count("promotions")).isEqualTo(2);
      assertThat(env().currentDigest()).isEqualTo(V1);
      assertThat(catalog.environment(SVC, "staging").currentDigest()).isNull();
    }

    @Test
    void failedPromotionAndItsCompensationMoveCurrentButNotLastKnownGood() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(entry("p2", "PROMOTION", V2, "g2", "FAILED", t(1)));
      assertThat(env())
          .isEqualTo(new EnvironmentRecord(SVC, ENV, V2, "c-2", V1, "c-1", null));

      catalog.recordPromotion(entry("p2/compensation", "COMPENSATION", V1, "g3", "COMPENSATED", t(2)));
      assertThat(env())
          .isEqualTo(new EnvironmentRecord(SVC, ENV, V1, "c-1", V1, "c-1", null));
    }

    @Test
    void aCompensationNeverBecomesLastKnownGood() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      // a compensation pinning something that was never verified (e.g. a digest set by hand)
      catalog.recordPromotion(entry("p2/compensation", "COMPENSATION", V3, "g3", "COMPENSATED", t(1)));

      assertThat(env().currentDigest()).isEqualTo(V3);
      assertThat(env().lastKnownGoodDigest()).isEqualTo(V1);
    }

    @Test
    void anOlderEntryArrivingLateDoesNotMoveCurrentBackwards() {
      catalog.recordPromotion(promoted("p2", V2, t(2)));
      catalog.recordPromotion(promoted("p1", V1, t(1))); // late write of an earlier promotion
      catalog.recordPromotion(entry("p0", "PROMOTION", V3, "g0", "VERIFYING", t(0)));

      assertThat(env())
          .isEqualTo(new EnvironmentRecord(SVC, ENV, V2, "c-2", V2, "c-2", null));
    }

    @Test
    void aStaleRetryOfTheSameEntryDoesNotUndoItsOutcome() throws Exception {
      catalog.recordPromotion(entry("p1", "PROMOTION", V1, "g1", "VERIFYING", t(0)));
      catalog.recordPromotion(entry("p1", "PROMOTION", V1, "g1", "PROMOTED", t(1)));
      catalog.recordPromotion(entry("p1", "PROMOTION", V1, "g1", "VERIFYING", t(0)));

      assertThat(outcomeOf("p1")).isEqualTo("PROMOTED");
      assertThat(env().lastKnownGoodDigest()).isEqualTo(V1);
    }

    @Test
    void aLatePromotedEntryStillBecomesLastKnownGoodWhenItIsTheNewestVerified() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(entry("p3", "PROMOTION", V3, "g3", "VERIFYING", t(3)));
      catalog.recordPromotion(promoted("p2", V2, t(2))); // arrives after p3 started

      assertThat(env().currentDigest()).isEqualTo(V3);
      assertThat(env().lastKnownGoodDigest()).isEqualTo(V2);
    }

    @Test
    void concurrentWritersOfOneEnvironmentEndAtTheNewestEntry() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          int n = i;
          String digest = "sha256:" + String.format("%064d", n);
          writes.add(pool.submit(() -> catalog.recordPromotion(promoted("p" + n, digest, t(n)))));
        }
        for (Future<?> w : writes) {
          w.get();
        }
      } finally {
        pool.shutdownNow();
      }
      String newest = "sha256:" + String.format("%064d", 39);
      assertThat(env().currentDigest()).isEqualTo(newest);
      assertThat(env().lastKnownGoodDigest()).isEqualTo(newest);
    }

    String outcomeOf(String id) throws SQLException {
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT outcome FROM promotions WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      }
    }
  }

  @Nested
  class LastKnownGood {
    @Test
    void isTheNewestPromotedDigestOtherThanTheFailedOne() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(promoted("p2", V2, t(1)));
      catalog.recordPromotion(entry("p3", "PROMOTION", V3, "g3", "VERIFYING", t(2)));

      assertThat(catalog.lastKnownGood(SVC, ENV, V3)).isEqualTo(new RollbackTarget(V2, "c-2"));
      // V2 itself failed after being promoted earlier: fall back past it
      assertThat(catalog.lastKnownGood(SVC, ENV, V2)).isEqualTo(new RollbackTarget(V1, "c-1"));
      assertThat(catalog.lastKnownGood(SVC, ENV, null)).isEqualTo(new RollbackTarget(V2, "c-2"));
    }

    @Test
    void isNullWhenNothingElseWasEverVerified() {
      assertThat(catalog.lastKnownGood(SVC, ENV, V1)).isNull();
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(entry("p2", "PROMOTION", V2, "g2", "FAILED", t(1)));
      assertThat(catalog.lastKnownGood(SVC, ENV, V1)).isNull();
      assertThat(catalog.lastKnownGood(SVC, "staging", V2)).isNull();
    }
  }

  @Nested
  class RollbackTargets {
    @Test
    void aNamedDigestPromotedHereBeforeIsTheTarget() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(promoted("p2", V2, t(1)));
      catalog.recordPromotion(promoted("p1-again", V1, t(2)));
      catalog.recordPromotion(promoted("p3", V3, t(3)));

      assertThat(catalog.rollbackTarget(SVC, ENV, V1)).isEqualTo(new RollbackTarget(V1, "c-1"));
    }

    @Test
    void aNamedDigestNeverVerifiedHereIsRefused() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(entry("p2", "PROMOTION", V2, "g2", "FAILED", t(1)));
      // verified elsewhere does not count
      catalog.recordPromotion(
          new PromotionRecord("s3", SVC, "staging", "PROMOTION", V3, "c-3", "g", "PROMOTED",
              List.of(), "ci", null, t(1), null));

      for (String digest : List.of(V2, V3)) {
        ApplicationFailure failure =
            catchThrowableOfType(
                ApplicationFailure.class, () -> catalog.rollbackTarget(SVC, ENV, digest));
        assertThat(failure.getType()).isEqualTo(FailureTypes.NOT_PROMOTED_HERE);
        assertThat(failure.isNonRetryable()).isTrue();
        assertThat(failure.getOriginalMessage())
            .contains(digest, ENV, SVC, "last known good there is " + V1);
      }
    }

    @Test
    void withoutADigestItIsTheNewestVerifiedDigestBeforeTheCurrentOne() {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.recordPromotion(promoted("p2", V2, t(1)));
      assertThat(catalog.rollbackTarget(SVC, ENV, null)).isEqualTo(new RollbackTarget(V1, "c-1"));

      // current broken but never verified: the last known good itself is the target
      catalog.recordPromotion(entry("p3", "PROMOTION", V3, "g3", "VERIFYING", t(2)));
      assertThat(catalog.rollbackTarget(SVC, ENV, null)).isEqualTo(new RollbackTarget(V2, "c-2"));
    }

    @Test
    void withoutADigestAndNothingBeforeTheCurrentOneItIsRefused() {
      ApplicationFailure empty =
          catchThrowableOfType(
              ApplicationFailure.class, () -> catalog.rollbackTarget(SVC, ENV, null));
      assertThat(empty.getType()).isEqualTo(FailureTypes.NO_ROLLBACK_TARGET);
      assertThat(empty.isNonRetryable()).isTrue();
      assertThat(empty.getOriginalMessage()).contains("no digest was ever promoted there");

      catalog.recordPromotion(promoted("p1", V1, t(0)));
      ApplicationFailure onlyCurrent =
          catchThrowableOfType(
              ApplicationFailure.class, () -> catalog.rollbackTarget(SVC, ENV, null));
      assertThat(onlyCurrent.getType()).isEqualTo(FailureTypes.NO_ROLLBACK_TARGET);
      assertThat(onlyCurrent.isNonRetryable()).isTrue();
      assertThat(onlyCurrent.getOriginalMessage()).contains("other than the current " + V1);
    }
  }

  @Nested
  class Holds {
    @Test
    void setHoldCreatesTheEnvironmentAndIsReadBack() {
      Hold hold = new Hold("dave", "rolled back: 5xx spike", t(9));
      catalog.setHold(SVC, ENV, hold);

      assertThat(env()).isEqualTo(new EnvironmentRecord(SVC, ENV, null, null, null, null, hold));
    }

    @Test
    void holdIsOverwrittenKeptAcrossPromotionsAndClearedTheWayTheApiDoes() throws Exception {
      catalog.recordPromotion(promoted("p1", V1, t(0)));
      catalog.setHold(SVC, ENV, new Hold("dave", "first", t(1)));
      catalog.setHold(SVC, ENV, new Hold("erin", "second", t(2)));
      catalog.recordPromotion(promoted("p2", V2, t(3)));

      assertThat(env())
          .isEqualTo(new EnvironmentRecord(
              SVC, ENV, V2, "c-2", V2, "c-2", new Hold("erin", "second", t(2))));

      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE environments SET hold_by = NULL, hold_reason = NULL, hold_at = NULL"
                      + " WHERE service = ? AND environment = ?")) {
        ps.setString(1, SVC);
        ps.setString(2, ENV);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      assertThat(env().hold()).isNull();
      assertThat(env().currentDigest()).isEqualTo(V2);
    }

    @Test
    void aNullHoldClearsIt() {
      catalog.setHold(SVC, ENV, new Hold("dave", "why", t(1)));
      catalog.setHold(SVC, ENV, null);
      assertThat(env().hold()).isNull();
    }

    @Test
    void aHoldWithoutTimeGetsTheCurrentTime() {
      Instant before = Instant.now().minusSeconds(1);
      catalog.setHold(SVC, ENV, new Hold("dave", "why", null));
      assertThat(env().hold().at()).isAfter(before);
    }
  }

  @Nested
  class Failures {
    @Test
    void anUnreachableDatabaseIsARetryableFailureWithItsCause() throws Exception {
      int closedPort;
      try (ServerSocket s = new ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      PGSimpleDataSource nowhere = new PGSimpleDataSource();
      nowhere.setServerNames(new String[] {"127.0.0.1"});
      nowhere.setPortNumbers(new int[] {closedPort});
      nowhere.setUser("postgres");
      nowhere.setConnectTimeout(2);
      CatalogActivitiesImpl down = new CatalogActivitiesImpl(nowhere);

      assertThatThrownBy(() -> down.recordPromotion(promoted("p1", V1, t(0))))
          .isInstanceOf(CatalogUnavailableException.class)
          .isNotInstanceOf(ApplicationFailure.class)
          .hasCauseInstanceOf(SQLException.class)
          .hasMessageContaining("record promotion p1");
      assertThatThrownBy(() -> down.environment(SVC, ENV))
          .isInstanceOf(CatalogUnavailableException.class)
          .hasRootCauseInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void aRecordTheSchemaRefusesIsNotRetried() throws Exception {
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () -> catalog.recordPromotion(entry("p1", "REDEPLOY", V1, "g", "PROMOTED", t(0))));
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getType()).isEqualTo(CatalogActivitiesImpl.CATALOG_REJECTED);
      assertThat(count("promotions")).as("the transaction rolled back").isZero();
      assertThat(count("environments")).isZero();
    }
  }

  @Test
  void schemaKeepsTheColumnNamesOtherCodeQueries() throws Exception {
    assertThat(columns("releases"))
        .containsExactly("service", "commit", "tag", "digest", "author", "started_by",
            "workflow_id", "status", "created_at", "updated_at", "id");
    assertThat(columns("promotions"))
        .containsExactly("id", "service", "environment", "kind", "digest", "commit",
            "git_commit", "outcome", "approved_by", "by_principal", "reason", "at",
            "recorded_at", "evidence_bundle");
    assertThat(columns("environments"))
        .containsExactly("service", "environment", "current_digest", "current_commit",
            "last_known_good_digest", "last_known_good_commit", "hold_by", "hold_reason",
            "hold_at", "updated_at");
  }

  static List<String> columns(String table) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                    + " ORDER BY ordinal_position")) {
      ps.setString(1, table);
      List<String> names = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      return names;
    }
  }

  static long count(String table) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
