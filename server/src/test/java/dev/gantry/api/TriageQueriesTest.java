package dev.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.gantry.api.TriageQueries.ComponentRef;
import dev.gantry.api.TriageQueries.EnvironmentHit;
import dev.gantry.api.TriageQueries.FindingRef;
import dev.gantry.api.TriageQueries.ReleaseHit;
import dev.gantry.api.TriageQueries.TriageResult;
import dev.gantry.catalog.CatalogActivitiesImpl;
import dev.gantry.catalog.ComponentIndex;
import dev.gantry.catalog.ComponentIndex.ComponentRow;
import dev.gantry.catalog.ComponentIndex.FindingRow;
import dev.gantry.catalog.PromotionRecord;
import dev.gantry.catalog.ReleaseRecord;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * Triage against a real PostgreSQL: rows written the way the worker writes them (catalog
 * activities for releases and promotions, {@link ComponentIndex} for SBOM components and scan
 * findings), then asked through {@link TriageQueries} and through the controller.
 */
class TriageQueriesTest {
  static EmbeddedPostgres postgres;
  static DataSource db;
  static TriageQueries triage;

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String EXPRESS_OLD = "pkg:npm/express@4.17.1";
  static final String CVE = "CVE-2024-1234";
  static final String REPORT = "sha256:" + "e".repeat(64);

  /** payments p1..p4 (p3 and p4 created at the same instant), checkout c1, and a release with nothing in it. */
  @BeforeAll
  static void load() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    db = postgres.getPostgresDatabase();
    Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
    triage = new TriageQueries(db);
    CatalogActivitiesImpl catalog = new CatalogActivitiesImpl(db);
    ComponentIndex index = new ComponentIndex(db);

    // recorded in the order they started, as the workflows record them
    release(catalog, "payments", "1", 0);
    index.indexComponents("payments", commit("1"), List.of(npm("express", "4.17.1"), npm("lodash", "4.17.20"),
        deb("curl", "7.88.1-10+deb12u5", "amd64")));
    release(catalog, "checkout", "5", 5);
    index.indexComponents("checkout", commit("5"), List.of(npm("express", "4.17.1"), npm("koa", "2.15.0")));
    release(catalog, "payments", "2", 10);
    index.indexComponents("payments", commit("2"), List.of(npm("express", "4.18.2"), npm("lodash", "4.17.21"),
        deb("curl", "7.88.1-10+deb12u5", "arm64")));
    release(catalog, "payments", "3", 20);
    index.indexComponents("payments", commit("3"), List.of(npm("express", "4.18.2"), npm("express", "4.16.0"),
        new ComponentRow("pkg:npm/@angular/core@16.0.0", "core", "16.0.0", "library", List.of("MIT"), Map.of())));
    release(catalog, "payments", "4", 20);
    index.indexComponents("payments", commit("4"), List.of(npm("express", "5.0.0-beta.1")));
    release(catalog, "checkout", "6", 30);
    index.indexComponents("checkout", commit("6"), List.of());

    index.indexFindings("payments", commit("1"), REPORT, List.of(
        new FindingRow(CVE, EXPRESS_OLD, "HIGH", "4.19.2"), new FindingRow("CVE-2021-23337", "pkg:npm/lodash@4.17.20", "HIGH", "4.17.21")));
    index.indexFindings("checkout", commit("5"), REPORT, List.of(new FindingRow(CVE, EXPRESS_OLD, "HIGH", "4.19.2")));

    promote(catalog, "payments", "production", "1", 40);
    promote(catalog, "payments", "staging", "2", 41);
    promote(catalog, "checkout", "production", "5", 42);
    promote(catalog, "checkout", "staging", "6", 43);
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  static String commit(String c) {
    return c.repeat(40);
  }

  static String digest(String c) {
    return "sha256:" + c.repeat(64);
  }

  static void release(CatalogActivitiesImpl catalog, String service, String c, int minutes) {
    catalog.recordRelease(new ReleaseRecord(service, commit(c), "sha-" + commit(c), digest(c), "bob", "ci",
        "release/" + service + "/" + commit(c), "COMPLETED", T0.plusSeconds(60L * minutes)));
  }

  static void promote(CatalogActivitiesImpl catalog, String service, String env, String c, int minutes) {
    catalog.recordPromotion(new PromotionRecord("promotion/" + service + "/" + env + "/" + c + "/run", service, env, "PROMOTION",
        digest(c), commit(c), "git-" + c, "PROMOTED", List.of("alice"), "ci", "merge", T0.plusSeconds(60L * minutes), null));
  }

  static ComponentRow npm(String name, String version) {
    return new ComponentRow("pkg:npm/" + name + "@" + version, name, version, "library", List.of("MIT"), Map.of());
  }

  static ComponentRow deb(String name, String version, String arch) {
    return new ComponentRow("pkg:deb/debian/" + name + "@" + version + "?arch=" + arch + "&distro=debian-12", name, version, "library", List.of(), Map.of());
  }

  static TriageResult ask(String purl, String name, String version, String vulnerability) {
    return triage.triage(TriageQuestions.question(purl, name, version, vulnerability), 100, null);
  }

  static List<String> releases(TriageResult r) {
    return r.releases().stream().map(h -> h.service() + "@" + h.commit().charAt(0)).toList();
  }

  static List<String> environments(TriageResult r) {
    return r.environments().stream().map(e -> e.service() + "/" + e.environment() + "@" + e.commit().charAt(0)).toList();
  }

  @Test
  void anExactPurlFindsTheReleasesContainingThatVersionAndTheEnvironmentsRunningThem() {
    TriageResult r = ask(EXPRESS_OLD, null, null, null);

    assertThat(releases(r)).containsExactly("checkout@5", "payments@1");
    ReleaseHit checkout = r.releases().getFirst();
    assertThat(checkout.digest()).isEqualTo(digest("5"));
    assertThat(checkout.status()).isEqualTo("COMPLETED");
    assertThat(checkout.createdAt()).isEqualTo(T0.plusSeconds(300));
    assertThat(checkout.components()).containsExactly(new ComponentRef(EXPRESS_OLD, "express", "4.17.1"));
    assertThat(checkout.findings()).isNull();
    assertThat(r.environments()).containsExactly(
        new EnvironmentHit("checkout", "production", digest("5"), commit("5"), List.of(new ComponentRef(EXPRESS_OLD, "express", "4.17.1")), null),
        new EnvironmentHit("payments", "production", digest("1"), commit("1"), List.of(new ComponentRef(EXPRESS_OLD, "express", "4.17.1")), null));
    assertThat(r.counts()).isEqualTo(new TriageQueries.Counts(2, 2, 1));
    assertThat(r.query()).isEqualTo(new TriageQuestions.Query("purl", EXPRESS_OLD, null, null, null));
    assertThat(r.nextCursor()).isNull();
  }

  @Test
  void aPurlWithoutVersionFindsEveryVersion() {
    TriageResult r = ask("pkg:npm/express", null, null, null);

    assertThat(releases(r)).containsExactly("payments@4", "payments@3", "payments@2", "checkout@5", "payments@1");
    assertThat(r.releases().get(1).components()).extracting(ComponentRef::version).containsExactly("4.16.0", "4.18.2");
    assertThat(environments(r)).containsExactly("checkout/production@5", "payments/production@1", "payments/staging@2");
    assertThat(r.counts()).isEqualTo(new TriageQueries.Counts(5, 3, 4));
    assertThat(r.query().kind()).isEqualTo("package");
  }

  @Test
  void qualifiersAnswerOnlyWhenAsked() {
    assertThat(releases(ask("pkg:deb/debian/curl@7.88.1-10+deb12u5", null, null, null))).containsExactly("payments@2", "payments@1");
    TriageResult arm = ask("pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?distro=debian-12&arch=arm64", null, null, null);
    assertThat(releases(arm)).containsExactly("payments@2");
    assertThat(arm.releases().getFirst().components())
        .containsExactly(new ComponentRef("pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=arm64&distro=debian-12", "curl", "7.88.1-10+deb12u5"));
    assertThat(releases(ask("pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=s390x", null, null, null))).isEmpty();
  }

  @Test
  void aScopedPackageIsFoundWhicheverWayItsNamespaceIsSpelled() {
    assertThat(releases(ask("pkg:npm/@angular/core@16.0.0", null, null, null))).containsExactly("payments@3");
    assertThat(releases(ask("pkg:npm/%40angular/core", null, null, null))).containsExactly("payments@3");
    // a version that only shares a prefix is another version
    assertThat(releases(ask("pkg:npm/@angular/core@16.0", null, null, null))).isEmpty();
  }

  @Test
  void aNameWithARangeComparesVersionsInVersionOrder() {
    TriageResult r = ask(null, "express", ">=4.17.0,<4.18.2", null);
    assertThat(releases(r)).containsExactly("checkout@5", "payments@1");
    assertThat(r.counts().components()).isEqualTo(1);
    assertThat(r.query()).isEqualTo(new TriageQuestions.Query("name", null, "express", ">=4.17.0,<4.18.2", null));

    // a pre-release sorts before its release, and 4.9 before 4.17 (numbers, not text)
    assertThat(releases(ask(null, "express", ">4.9.9,<5.0.0", null))).containsExactly("payments@4", "payments@3", "payments@2", "checkout@5", "payments@1");
    assertThat(releases(ask(null, "express", "4.18.2", null))).containsExactly("payments@3", "payments@2");
    assertThat(releases(ask(null, "express", "=v4.18.2", null))).containsExactly("payments@3", "payments@2");
    assertThat(releases(ask(null, "express", "!=4.18.2,<4.18.2", null))).containsExactly("payments@3", "checkout@5", "payments@1");
    assertThat(releases(ask(null, "express", null, null))).hasSize(5);
    assertThat(releases(ask(null, "Express", null, null))).isEmpty();
  }

  @Test
  void aVulnerabilityFindsTheReleasesWhoseScanReportedItWithTheFindings() {
    TriageResult r = ask(null, null, null, "cve-2024-1234");

    assertThat(r.query().vulnerability()).isEqualTo(CVE);
    assertThat(releases(r)).containsExactly("checkout@5", "payments@1");
    assertThat(r.releases().getFirst().findings()).containsExactly(new FindingRef(CVE, EXPRESS_OLD, "HIGH", "4.19.2", REPORT));
    assertThat(r.releases().getFirst().components()).isNull();
    assertThat(environments(r)).containsExactly("checkout/production@5", "payments/production@1");
    assertThat(r.environments().getFirst().findings()).containsExactly(new FindingRef(CVE, EXPRESS_OLD, "HIGH", "4.19.2", REPORT));
    assertThat(r.counts()).isEqualTo(new TriageQueries.Counts(2, 2, 1));

    TriageResult none = ask(null, null, null, "CVE-1999-0001");
    assertThat(none.releases()).isEmpty();
    assertThat(none.environments()).isEmpty();
    assertThat(none.counts()).isEqualTo(new TriageQueries.Counts(0, 0, 0));
  }

  @Test
  void pagesFollowTheCursorNewestFirstWithoutSkippingOrRepeatingReleasesStartedAtTheSameInstant() {
    TriageQuestions.Question express = TriageQuestions.question("pkg:npm/express", null, null, null);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      TriageResult page = triage.triage(express, 2, cursor);
      assertThat(page.releases()).hasSizeLessThanOrEqualTo(2);
      assertThat(page.counts().releases()).isEqualTo(5);
      assertThat(page.environments()).hasSize(3); // every page names every environment, with what it runs
      assertThat(page.environments()).allSatisfy(e -> assertThat(e.components()).isNotEmpty());
      seen.addAll(releases(page));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactly("payments@4", "payments@3", "payments@2", "checkout@5", "payments@1");
  }

  @Test
  void questionsThatCannotBeAnsweredAreRefusedWithTheReason() {
    assertThat(refusal(() -> TriageQuestions.question(null, null, null, null)))
        .startsWith("InvalidQuery: give exactly one of purl, name (with version, optional) or vulnerability").endsWith("got none");
    assertThat(refusal(() -> TriageQuestions.question(EXPRESS_OLD, "express", null, null))).endsWith("got 2");
    assertThat(refusal(() -> TriageQuestions.question(EXPRESS_OLD, null, "4.17.1", null)))
        .isEqualTo("InvalidQuery: version is a range for name; for a purl put the version in it (pkg:npm/express@4.17.1)");
    assertThat(refusal(() -> TriageQuestions.question("express@4.17.1", null, null, null)))
        .startsWith("InvalidPurl: 'express@4.17.1' is not a package URL (").contains("scheme");
    assertThat(refusal(() -> TriageQuestions.question("pkg:npm/express@", null, null, null)))
        .isEqualTo("InvalidPurl: 'pkg:npm/express@' ends its name with '@' but gives no version; leave the '@' out to find every version");
    assertThat(refusal(() -> TriageQuestions.question("pkg:deb/debian/curl?arch=amd64", null, null, null)))
        .isEqualTo("InvalidPurl: 'pkg:deb/debian/curl?arch=amd64' has qualifiers or a subpath but no version; ask for pkg:deb/debian/curl (every version) or name the version");
    assertThat(refusal(() -> TriageQuestions.question("pkg:npm/exp\0ress@1", null, null, null)))
        .isEqualTo("InvalidPurl: purl contains a control character; percent-encode it (%00) if the package's name has one");
    assertThat(refusal(() -> TriageQuestions.question(null, "express", ">=4.0.0,,<5", null)))
        .isEqualTo("InvalidRange: '' in version range '>=4.0.0,,<5' is not a comparator: use >=, >, <=, <, = or != followed by a version, comma-separated (>=4.0.0,<4.18.2)");
    assertThat(refusal(() -> TriageQuestions.question(null, "express", "=>4", null))).startsWith("InvalidRange: '=>4' in version range");
    assertThat(refusal(() -> TriageQuestions.question(null, "express", "4.0 - 5.0", null))).startsWith("InvalidRange: '4.0 - 5.0' in version range");
    assertThat(refusal(() -> TriageQuestions.question(null, "express", " ", null))).startsWith("InvalidRange: version is empty");
    assertThat(refusal(() -> TriageQuestions.question(null, " ", null, null))).startsWith("InvalidQuery: name must be");
    assertThat(refusal(() -> TriageQuestions.question(null, null, null, "CVE 2024"))).startsWith("InvalidQuery: vulnerability must be an identifier");
    TriageQuestions.Question q = TriageQuestions.question(EXPRESS_OLD, null, null, null);
    assertThat(refusal(() -> triage.triage(q, 0, null))).isEqualTo("InvalidLimit: limit must be between 1 and 1000");
    assertThat(refusal(() -> triage.triage(q, 1001, null))).isEqualTo("InvalidLimit: limit must be between 1 and 1000");
    assertThat(refusal(() -> triage.triage(q, 10, "not-a-cursor")))
        .isEqualTo("InvalidCursor: cursor 'not-a-cursor' is not one this API returned; leave it out to start from the newest release");
  }

  static String refusal(Runnable call) {
    ApiProblem p = catchThrowableOfType(ApiProblem.class, call::run);
    assertThat(p).as("refused").isNotNull();
    assertThat(p.status()).isEqualTo(HttpStatus.BAD_REQUEST);
    return p.type() + ": " + p.getMessage();
  }

  /** The controller's answers as JSON, with the API's problem details. */
  @Nested
  class Http {
    final MockMvc mvc = MockMvcBuilders.standaloneSetup(new TriageController(db)).setControllerAdvice(new Problems()).build();

    @Test
    void answersJsonWithReleasesEnvironmentsAndCounts() throws Exception {
      mvc.perform(get("/api/v1/triage").param("purl", EXPRESS_OLD))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.query.kind").value("purl"))
          .andExpect(jsonPath("$.query.purl").value(EXPRESS_OLD))
          .andExpect(jsonPath("$.query.name").doesNotExist())
          .andExpect(jsonPath("$.releases[0].service").value("checkout"))
          .andExpect(jsonPath("$.releases[0].commit").value(commit("5")))
          .andExpect(jsonPath("$.releases[0].digest").value(digest("5")))
          .andExpect(jsonPath("$.releases[0].createdAt").value("2026-03-01T10:05:00Z"))
          .andExpect(jsonPath("$.releases[0].components[0].purl").value(EXPRESS_OLD))
          .andExpect(jsonPath("$.releases[0].findings").doesNotExist())
          .andExpect(jsonPath("$.environments[1].service").value("payments"))
          .andExpect(jsonPath("$.environments[1].environment").value("production"))
          .andExpect(jsonPath("$.environments[1].digest").value(digest("1")))
          .andExpect(jsonPath("$.counts.releases").value(2))
          .andExpect(jsonPath("$.nextCursor").doesNotExist());
    }

    @Test
    void pagesByLimitAndCursor() throws Exception {
      String body = mvc.perform(get("/api/v1/triage").param("vulnerability", CVE).param("limit", "1"))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.releases.length()").value(1))
          .andExpect(jsonPath("$.releases[0].findings[0].severity").value("HIGH"))
          .andReturn().getResponse().getContentAsString();
      String cursor = body.replaceAll("(?s).*\"nextCursor\":\"([^\"]+)\".*", "$1");
      mvc.perform(get("/api/v1/triage").param("vulnerability", CVE).param("limit", "1").param("cursor", cursor))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.releases[0].service").value("payments"))
          .andExpect(jsonPath("$.nextCursor").doesNotExist());
    }

    @Test
    void refusalsAreProblemDetails() throws Exception {
      mvc.perform(get("/api/v1/triage").param("purl", "pkg:npm"))
          .andExpect(status().isBadRequest())
          .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
          .andExpect(jsonPath("$.type").value("https://gantry.dev/problems/InvalidPurl"))
          .andExpect(jsonPath("$.status").value(400))
          .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("'pkg:npm' is not a package URL")));
      mvc.perform(get("/api/v1/triage").param("name", "express").param("version", ">>1"))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.type").value("https://gantry.dev/problems/InvalidRange"));
      mvc.perform(get("/api/v1/triage").param("name", "express").param("vulnerability", CVE))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.type").value("https://gantry.dev/problems/InvalidQuery"));
      mvc.perform(get("/api/v1/triage").param("vulnerability", CVE).param("limit", "many"))
          .andExpect(status().isBadRequest())
          .andExpect(content().contentTypeCompatibleWith("application/problem+json"));
    }
  }
}
