package dev.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gantry.catalog.ComponentIndex.ComponentRow;
import dev.gantry.catalog.ComponentIndex.FindingRow;
import dev.gantry.testsupport.EmbeddedCatalogDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ComponentIndexTest {

  @RegisterExtension static final EmbeddedCatalogDatabase db = new EmbeddedCatalogDatabase();

  static ComponentIndex index;
  static CatalogActivitiesImpl catalog;
  static int releases;

  @BeforeAll
  static void setUp() {
    db.start();
    index = new ComponentIndex(db.dataSource());
    catalog = new CatalogActivitiesImpl(db.dataSource());
  }

  /** A fresh release (own service) so tests do not see each other's rows. */
  static String release() {
    String service = "svc-" + ++releases;
    catalog.recordRelease(new ReleaseRecord(service, commit(), null, "sha256:" + "ab".repeat(32), "bob", "ci", null, "RUNNING", Instant.now()));
    return service;
  }

  static String commit() {
    return "c".repeat(40);
  }

  static ComponentRow npm(String name, String version) {
    return new ComponentRow("pkg:npm/" + name + "@" + version, name, version, "library", List.of("MIT"), Map.of("SHA-256", "00".repeat(32)));
  }

  @Test
  void indexesTheComponentsOfARelease() throws Exception {
    String svc = release();
    index.indexComponents(svc, commit(), List.of(
        npm("express", "4.17.1"),
        new ComponentRow("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "log4j-core", "2.14.1", "library",
            List.of("Apache-2.0"), Map.of("SHA-1", "aa".repeat(20), "SHA-256", "bb".repeat(32)))));

    assertThat(componentsOf(svc)).containsExactlyInAnyOrder(
        "pkg:npm/express@4.17.1 express 4.17.1 library {MIT}",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar log4j-core 2.14.1 library {Apache-2.0}");
    assertThat(query("SELECT hashes::text FROM components WHERE name = 'log4j-core'"))
        .containsExactly("{\"SHA-1\": \"" + "aa".repeat(20) + "\", \"SHA-256\": \"" + "bb".repeat(32) + "\"}");
  }

  @Test
  void aRetryWritesNothingTwice() throws Exception {
    String svc = release();
    List<ComponentRow> rows = List.of(npm("retry-a", "1.0.0"), npm("retry-b", "2.0.0"));
    index.indexComponents(svc, commit(), rows);
    // xmin is the transaction that wrote a row version: unchanged means not rewritten
    List<String> before = query("SELECT c.key || ' ' || c.xmin || ' ' || rc.xmin FROM components c JOIN release_components rc ON rc.component_id = c.id JOIN releases r ON r.id = rc.release_id WHERE r.service = '" + svc + "'");

    index.indexComponents(svc, commit(), rows);

    assertThat(query("SELECT c.key || ' ' || c.xmin || ' ' || rc.xmin FROM components c JOIN release_components rc ON rc.component_id = c.id JOIN releases r ON r.id = rc.release_id WHERE r.service = '" + svc + "'"))
        .hasSize(2)
        .containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void releasesShareOneRowPerComponent() throws Exception {
    String first = release();
    String second = release();
    index.indexComponents(first, commit(), List.of(npm("shared-lib", "3.1.0"), npm("only-first", "1.0.0")));
    index.indexComponents(second, commit(), List.of(npm("shared-lib", "3.1.0"), npm("shared-lib", "3.1.0")));

    assertThat(query("SELECT count(*)::text FROM components WHERE name = 'shared-lib'")).containsExactly("1");
    assertThat(componentsOf(second)).containsExactly("pkg:npm/shared-lib@3.1.0 shared-lib 3.1.0 library {MIT}");
    assertThat(componentsOf(first)).hasSize(2);
  }

  @Test
  void purlsAreStoredCanonicalSoTwoSpellingsAreOneComponent() throws Exception {
    String first = release();
    String second = release();
    index.indexComponents(first, commit(), List.of(
        new ComponentRow("pkg:npm/@angular/core@16.0.0", "core", "16.0.0", "library", null, null),
        new ComponentRow("pkg:deb/debian/curl@7.88.1-10+deb12u5?distro=debian-12&arch=amd64", "curl", "7.88.1-10+deb12u5", "library", null, null)));
    index.indexComponents(second, commit(), List.of(
        new ComponentRow("pkg:npm/%40angular/core@16.0.0", "core", "16.0.0", "library", null, null)));

    assertThat(componentsOf(first)).containsExactlyInAnyOrder(
        "pkg:npm/%40angular/core@16.0.0 core 16.0.0 library {}",
        "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12 curl 7.88.1-10+deb12u5 library {}");
    assertThat(componentsOf(second)).containsExactly("pkg:npm/%40angular/core@16.0.0 core 16.0.0 library {}");
    // the "any version" expression of V3's index finds the package under its base
    assertThat(query("SELECT key FROM components WHERE split_part(split_part(purl, '@', 1), '?', 1) = 'pkg:npm/%40angular/core'"))
        .containsExactly("pkg:npm/%40angular/core@16.0.0");
  }

  @Test
  void aComponentWithoutPurlIsKeyedByTypeNameAndVersionAndNameComesFromThePurlWhenMissing() throws Exception {
    String svc = release();
    index.indexComponents(svc, commit(), List.of(
        new ComponentRow(null, "libfoo", "1.2", "file", List.of(), Map.of()),
        new ComponentRow("", "libbar", null, null, null, null),
        new ComponentRow("pkg:pypi/requests@2.31.0", null, null, "library", null, null),
        new ComponentRow("not a purl", "weird", "0.1", "library", null, null)));

    assertThat(query("SELECT c.key || ' | ' || coalesce(c.purl, '-') || ' | ' || c.name || ' | ' || coalesce(c.version, '-') FROM components c JOIN release_components rc ON rc.component_id = c.id JOIN releases r ON r.id = rc.release_id WHERE r.service = '" + svc + "'"))
        .containsExactlyInAnyOrder(
            "file:libfoo@1.2 | - | libfoo | 1.2",
            ":libbar | - | libbar | -",
            "pkg:pypi/requests@2.31.0 | pkg:pypi/requests@2.31.0 | requests | 2.31.0",
            // kept as given: the SBOM gate, not the index, judges a malformed purl
            "not a purl | not a purl | weird | 0.1");
  }

  @Test
  void aReleaseTheCatalogDoesNotKnowIsRefusedWithTheReasonAndNothingIsWritten() throws Exception {
    List<String> before = query("SELECT count(*)::text FROM components");

    ApplicationFailure refused = catchThrowableOfType(ApplicationFailure.class,
        () -> index.indexComponents("ghost", commit(), List.of(npm("ghost-lib", "1.0.0"))));

    assertThat(refused.isNonRetryable()).isTrue();
    assertThat(refused.getType()).isEqualTo(CatalogActivitiesImpl.CATALOG_REJECTED);
    assertThat(refused.getOriginalMessage()).isEqualTo(
        "no release of ghost at commit " + commit() + " in the catalog; record the release before indexing its evidence");
    assertThat(query("SELECT count(*)::text FROM components")).isEqualTo(before);
  }

  @Test
  void aRowThePostgresTextTypeCannotHoldRefusesTheBatchNamingTheRow() throws Exception {
    String svc = release();
    ApplicationFailure refused = catchThrowableOfType(ApplicationFailure.class,
        () -> index.indexComponents(svc, commit(), List.of(npm("fine", "1.0.0"), npm("bad\0name", "1.0.0"))));
    assertThat(refused.getOriginalMessage()).contains("component 1 (").contains("contains a NUL character");

    ApplicationFailure nameless = catchThrowableOfType(ApplicationFailure.class,
        () -> index.indexComponents(svc, commit(), List.of(new ComponentRow(" ", null, "1.0", "library", null, null))));
    assertThat(nameless.getOriginalMessage()).isEqualTo("component 0 has neither a name nor a purl; one is needed to find it again");

    ApplicationFailure huge = catchThrowableOfType(ApplicationFailure.class,
        () -> index.indexComponents(svc, commit(), List.of(npm("x".repeat(3000), "1.0.0"))));
    assertThat(huge.getOriginalMessage()).contains("has an identity of 3014 characters; at most 2000 are stored");

    assertThat(componentsOf(svc)).isEmpty();
    assertThat(query("SELECT count(*)::text FROM components WHERE name = 'fine'")).containsExactly("0");
  }

  @Test
  void fiveThousandComponentsInOneCallAndTheirRetry() throws Exception {
    String svc = release();
    List<ComponentRow> rows = IntStream.range(0, 5000).mapToObj(i -> npm("bulk-" + i, "1." + (i % 7) + ".0")).toList();
    index.indexComponents(svc, commit(), rows);
    index.indexComponents(svc, commit(), rows);
    assertThat(query("SELECT count(*)::text FROM release_components rc JOIN releases r ON r.id = rc.release_id WHERE r.service = '" + svc + "'"))
        .containsExactly("5000");
    assertThat(query("SELECT count(*)::text FROM components WHERE name LIKE 'bulk-%'")).containsExactly("5000");
  }

  @Test
  void concurrentReleasesIntroducingTheSameNewComponentsBothSucceed() throws Exception {
    List<String> services = List.of(release(), release(), release(), release());
    List<ComponentRow> rows = IntStream.range(0, 2000).mapToObj(i -> npm("race-" + i, "0.0." + i)).toList();
    ExecutorService pool = Executors.newFixedThreadPool(services.size());
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (String svc : services) {
        runs.add(pool.submit(() -> index.indexComponents(svc, commit(), rows)));
      }
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(query("SELECT count(*)::text FROM components WHERE name LIKE 'race-%'")).containsExactly("2000");
    for (String svc : services) {
      assertThat(query("SELECT count(*)::text FROM release_components rc JOIN releases r ON r.id = rc.release_id WHERE r.service = '" + svc + "'"))
          .containsExactly("2000");
    }
  }

  @Test
  void findingsAreIndexedOncePerVulnerabilityAndPackage() throws Exception {
    String svc = release();
    String report = "sha256:" + "5".repeat(64);
    List<FindingRow> findings = List.of(
        new FindingRow("CVE-2024-1234", "pkg:npm/express@4.17.1", "High", "4.19.2"),
        new FindingRow("CVE-2024-1234", "pkg:npm/express@4.17.1", "HIGH", "4.19.2"), // Grype and Trivy agree
        new FindingRow("CVE-2023-0001", null, "critical", null),
        new FindingRow("GHSA-aaaa-bbbb-cccc", "pkg:npm/@scope/lib@1.0.0", null, ""));
    index.indexFindings(svc, commit(), report, findings);
    List<String> first = findingsOf(svc);
    index.indexFindings(svc, commit(), report, findings);

    assertThat(findingsOf(svc)).isEqualTo(first).containsExactlyInAnyOrder(
        "CVE-2024-1234|pkg:npm/express@4.17.1|HIGH|4.19.2|" + report,
        "CVE-2023-0001||CRITICAL|-|" + report,
        "GHSA-aaaa-bbbb-cccc|pkg:npm/%40scope/lib@1.0.0|UNKNOWN|-|" + report);

    // a later report adds its new findings and leaves the earlier ones as they were
    String later = "sha256:" + "6".repeat(64);
    index.indexFindings(svc, commit(), later, List.of(
        new FindingRow("CVE-2024-1234", "pkg:npm/express@4.17.1", "MEDIUM", "4.19.2"),
        new FindingRow("CVE-2025-0002", "pkg:npm/express@4.17.1", "LOW", null)));
    assertThat(findingsOf(svc)).contains(
        "CVE-2024-1234|pkg:npm/express@4.17.1|HIGH|4.19.2|" + report,
        "CVE-2025-0002|pkg:npm/express@4.17.1|LOW|-|" + later).hasSize(4);
  }

  @Test
  void findingsWithoutTheirReportOrVulnerabilityAreRefused() {
    String svc = release();
    ApplicationFailure noReport = catchThrowableOfType(ApplicationFailure.class,
        () -> index.indexFindings(svc, commit(), "sha256:ABC", List.of()));
    assertThat(noReport.getOriginalMessage())
        .isEqualTo("findings must name the scan report they come from as sha256:<64 lowercase hex>, got sha256:ABC");
    ApplicationFailure noId = catchThrowableOfType(ApplicationFailure.class,
        () -> index.indexFindings(svc, commit(), "sha256:" + "7".repeat(64), List.of(new FindingRow(" ", "pkg:npm/a@1", "HIGH", null))));
    assertThat(noId.getOriginalMessage()).isEqualTo("finding 0 names no vulnerability");
  }

  static List<String> componentsOf(String service) throws SQLException {
    return query("""
        SELECT c.purl || ' ' || c.name || ' ' || c.version || ' ' || c.type || ' ' || c.licenses::text
        FROM components c JOIN release_components rc ON rc.component_id = c.id JOIN releases r ON r.id = rc.release_id
        WHERE r.service = '%s'""".formatted(service));
  }

  static List<String> findingsOf(String service) throws SQLException {
    return query("""
        SELECT f.vulnerability || '|' || f.purl || '|' || f.severity || '|' || coalesce(f.fixed_version, '-') || '|' || f.evidence
        FROM scan_findings f JOIN releases r ON r.id = f.release_id WHERE r.service = '%s' ORDER BY 1""".formatted(service));
  }

  static List<String> query(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }
}
