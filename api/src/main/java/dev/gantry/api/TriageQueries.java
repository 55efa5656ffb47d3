package dev.gantry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gantry.api.TriageQuestions.AnyVersion;
import dev.gantry.api.TriageQuestions.ExactPurl;
import dev.gantry.api.TriageQuestions.NameRange;
import dev.gantry.api.TriageQuestions.Query;
import dev.gantry.api.TriageQuestions.Question;
import dev.gantry.api.TriageQuestions.Vulnerability;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Triage: which releases contain a package (by purl, by name and version range) or are affected by
 * a vulnerability, and which environments run one of them now. Reads the tables the catalog's
 * {@code ComponentIndex} writes; purls are matched in the canonical form it stores them in. The
 * question comes parsed, from {@link TriageQuestions}.
 *
 * <p>Each answer is read in one read-only snapshot, so the page, the environments and the counts
 * agree. Releases come newest first (in the order the catalog recorded them), paged by a cursor.
 * Only the count visits every match, from an index alone; the rest costs the page and the
 * environments, however many releases contain the package.
 */
public class TriageQueries {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  private final JdbcClient jdbc;
  private final TransactionTemplate snapshot;

  public TriageQueries(DataSource dataSource) {
    this.jdbc = JdbcClient.create(dataSource);
    this.snapshot = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    snapshot.setReadOnly(true);
    snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
  }

  public record ComponentRef(String purl, String name, String version) {}

  public record FindingRef(String vulnerability, String purl, String severity, String fixedVersion, String evidence) {}

  /** A release that contains a matching component ({@code components}) or finding ({@code findings}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReleaseHit(
      String service, String commit, String digest, String status, Instant createdAt,
      List<ComponentRef> components, List<FindingRef> findings) {}

  /** An environment whose current digest is one of the matching releases'. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EnvironmentHit(
      String service, String environment, String digest, String commit,
      List<ComponentRef> components, List<FindingRef> findings) {}

  /**
   * Totals over every matching release, not just this page: releases, the environments running
   * one, and the matching components (package versions; for a vulnerability the distinct affected
   * purls).
   */
  public record Counts(long releases, long environments, long components) {}

  /** {@code nextCursor} is null on the last page. */
  public record TriageResult(Query query, List<ReleaseHit> releases, List<EnvironmentHit> environments, Counts counts, String nextCursor) {}

  /**
   * One page of the answer.
   *
   * @param limit releases per page, 1 to {@link #MAX_LIMIT}
   * @param cursor {@code nextCursor} of the page before, or null for the first page
   */
  public TriageResult triage(Question question, int limit, String cursor) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiProblem.badRequest("InvalidLimit", "limit must be between 1 and " + MAX_LIMIT);
    }
    long before = cursor == null ? Long.MAX_VALUE : decode(cursor);
    return snapshot.execute(tx -> question instanceof Vulnerability v ? byVulnerability(v, limit, before) : byComponents(question, limit, before));
  }

  private record Component(long id, String purl, String name, String version) {
    ComponentRef ref() {
      return new ComponentRef(purl, name, version);
    }
  }

  private record Release(long id, String service, String commit, String digest, String status, Instant createdAt) {}

  private record Environment(String service, String environment, String digest, String commit, long releaseId) {}

  /*
   * Cost: only the count visits every match (index-only). The page reads at most `limit` release
   * ids per matching component (or per vulnerability, in index order), and what each environment
   * runs is looked up by primary key: a package in all 10,000 releases costs about what a package
   * in 10 does.
   */

  private TriageResult byComponents(Question q, int limit, long before) {
    List<Component> matched = components(q);
    if (matched.isEmpty()) {
      return new TriageResult(q.echo(), List.of(), List.of(), new Counts(0, 0, 0), null);
    }
    Map<Long, Component> byId = matched.stream().collect(Collectors.toMap(Component::id, c -> c, (a, b) -> a, LinkedHashMap::new));
    String ids = array(byId.keySet());
    long releases = jdbc.sql("SELECT count(DISTINCT release_id) FROM release_components WHERE component_id = ANY(CAST(:ids AS bigint[]))")
        .param("ids", ids)
        .query(Long.class)
        .single();
    // The newest `limit` releases of each component, merged. A release on the merged page is
    // among the newest `limit` of every component it contains, so each page row also carries all
    // of its matching components.
    Map<Long, List<ComponentRef>> contents = new HashMap<>();
    List<Release> rows = jdbc.sql("""
            WITH top AS (
              SELECT x.release_id, c.id AS component_id FROM unnest(CAST(:ids AS bigint[])) AS c(id)
              CROSS JOIN LATERAL (
                SELECT release_id FROM release_components WHERE component_id = c.id AND release_id < :before
                ORDER BY release_id DESC LIMIT :limit) x),
            page AS (
              SELECT release_id, array_agg(component_id) AS matched FROM top
              GROUP BY release_id ORDER BY release_id DESC LIMIT :limit)
            SELECT r.id, r.service, r.commit, r.digest, r.status, r.created_at, p.matched
            FROM page p JOIN releases r ON r.id = p.release_id
            ORDER BY r.id DESC""")
        .param("ids", ids)
        .param("before", before)
        .param("limit", limit + 1)
        .query((rs, i) -> {
          Release r = release(rs, i);
          for (Long id : (Long[]) rs.getArray(7).getArray()) {
            contents.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(byId.get(id).ref());
          }
          return r;
        })
        .list();
    // what the environments run: each (release, component) pair one primary-key lookup, index-only
    List<Environment> candidates = runningReleases();
    Set<Long> unknown = new LinkedHashSet<>();
    candidates.forEach(e -> {
      if (!contents.containsKey(e.releaseId())) {
        unknown.add(e.releaseId());
      }
    });
    if (!unknown.isEmpty()) {
      jdbc.sql("""
              SELECT rc.release_id, rc.component_id
              FROM unnest(CAST(:releases AS bigint[])) AS r(id) CROSS JOIN unnest(CAST(:ids AS bigint[])) AS c(id)
              JOIN release_components rc ON rc.release_id = r.id AND rc.component_id = c.id""")
          .param("releases", array(unknown))
          .param("ids", ids)
          .query((RowCallbackHandler) rs -> contents.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(byId.get(rs.getLong(2)).ref()));
    }
    List<Environment> environments = running(candidates, contents.keySet());
    contents.values().forEach(refs -> refs.sort(Comparator.comparing(ComponentRef::purl, Comparator.nullsLast(Comparator.naturalOrder()))));
    Page page = page(rows, limit);
    List<ReleaseHit> hits = page.releases().stream()
        .map(r -> new ReleaseHit(r.service(), r.commit(), r.digest(), r.status(), r.createdAt(), contents.getOrDefault(r.id(), List.of()), null))
        .toList();
    List<EnvironmentHit> envs = environments.stream()
        .map(e -> new EnvironmentHit(e.service(), e.environment(), e.digest(), e.commit(), contents.getOrDefault(e.releaseId(), List.of()), null))
        .toList();
    return new TriageResult(q.echo(), hits, envs, new Counts(releases, envs.size(), matched.size()), page.next());
  }

  private TriageResult byVulnerability(Vulnerability v, int limit, long before) {
    // scan_findings_vulnerability_release (V5) answers the count and the page from the index alone
    long[] counts = jdbc.sql("SELECT count(DISTINCT release_id), count(DISTINCT NULLIF(purl, '')) FROM scan_findings WHERE vulnerability = :vulnerability")
        .param("vulnerability", v.id())
        .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)})
        .single();
    if (counts[0] == 0) {
      return new TriageResult(v.echo(), List.of(), List.of(), new Counts(0, 0, 0), null);
    }
    List<Release> rows = jdbc.sql("""
            SELECT id, service, commit, digest, status, created_at FROM releases
            WHERE id IN (
              SELECT DISTINCT release_id FROM scan_findings WHERE vulnerability = :vulnerability AND release_id < :before
              ORDER BY release_id DESC LIMIT :limit)
            ORDER BY id DESC""")
        .param("vulnerability", v.id())
        .param("before", before)
        .param("limit", limit + 1)
        .query(TriageQueries::release)
        .list();
    Page page = page(rows, limit);
    List<Environment> candidates = runningReleases();
    Set<Long> releaseIds = new LinkedHashSet<>();
    page.releases().forEach(r -> releaseIds.add(r.id()));
    candidates.forEach(e -> releaseIds.add(e.releaseId()));
    Map<Long, List<FindingRef>> findings = new HashMap<>();
    jdbc.sql("""
            SELECT release_id, vulnerability, purl, severity, fixed_version, evidence FROM scan_findings
            WHERE release_id = ANY(CAST(:releases AS bigint[])) AND vulnerability = :vulnerability
            ORDER BY release_id, purl""")
        .param("releases", array(releaseIds))
        .param("vulnerability", v.id())
        .query((RowCallbackHandler) rs -> findings.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
            .add(new FindingRef(rs.getString(2), rs.getString(3).isEmpty() ? null : rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6))));
    List<Environment> environments = running(candidates, findings.keySet());
    List<ReleaseHit> hits = page.releases().stream()
        .map(r -> new ReleaseHit(r.service(), r.commit(), r.digest(), r.status(), r.createdAt(), null, findings.getOrDefault(r.id(), List.of())))
        .toList();
    List<EnvironmentHit> envs = environments.stream()
        .map(e -> new EnvironmentHit(e.service(), e.environment(), e.digest(), e.commit(), null, findings.getOrDefault(e.releaseId(), List.of())))
        .toList();
    return new TriageResult(v.echo(), hits, envs, new Counts(counts[0], envs.size(), counts[1]), page.next());
  }

  private List<Component> components(Question q) {
    String columns = "SELECT id, purl, name, version FROM components ";
    // split_part(split_part(purl, '@', 1), '?', 1) is the expression of the components_purl_base index
    return switch (q) {
      case ExactPurl e when e.anyQualifiers() -> jdbc.sql(columns + """
              WHERE split_part(split_part(purl, '@', 1), '?', 1) = :base
                AND (purl = :purl OR left(purl, length(:purl) + 1) IN (:purl || '?', :purl || '#'))""")
          .param("base", e.base())
          .param("purl", e.canonical())
          .query(TriageQueries::component)
          .list();
      case ExactPurl e -> jdbc.sql(columns + "WHERE purl = :purl").param("purl", e.canonical()).query(TriageQueries::component).list();
      case AnyVersion a -> jdbc.sql(columns + "WHERE split_part(split_part(purl, '@', 1), '?', 1) = :base")
          .param("base", a.base())
          .query(TriageQueries::component)
          .list();
      // versions are compared in Java: VersionOrder is not expressible as a SQL ordering
      case NameRange n -> jdbc.sql(columns + "WHERE name = :name")
          .param("name", n.name())
          .query(TriageQueries::component)
          .stream()
          .filter(c -> n.range() == null || n.range().contains(c.version()))
          .toList();
      case Vulnerability v -> throw new IllegalArgumentException("a vulnerability is answered from scan findings, not components");
    };
  }

  private record Page(List<Release> releases, String next) {}

  /**
   * Newest first, in the order the catalog recorded the releases: their surrogate id, which the
   * indexes keep sorted per component and per vulnerability. The cursor is the last id shown.
   */
  private static Page page(List<Release> rows, int limit) {
    boolean more = rows.size() > limit;
    List<Release> releases = more ? rows.subList(0, limit) : rows;
    return new Page(List.copyOf(releases), more ? encode(releases.getLast().id()) : null);
  }

  /**
   * Every environment with each release whose digest it runs now: as many rows as environments
   * (more only where two services released one image), whatever the question.
   */
  private List<Environment> runningReleases() {
    return jdbc.sql("""
            SELECT e.service, e.environment, e.current_digest, r.commit, r.id, r.service
            FROM environments e
            -- one releases_digest probe per environment (OFFSET 0: rather than hashing every release)
            CROSS JOIN LATERAL (SELECT commit, id, service FROM releases WHERE digest = e.current_digest OFFSET 0) r
            ORDER BY e.service, e.environment, (r.service = e.service) DESC, r.id DESC""")
        .query((rs, i) -> new Environment(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)))
        .list();
  }

  /**
   * The environments running a matching release. The same image under two services runs the same
   * packages, so the match is by digest; the release of the environment's own service comes first.
   */
  private static List<Environment> running(List<Environment> candidates, Set<Long> matching) {
    Map<String, Environment> first = new LinkedHashMap<>();
    for (Environment e : candidates) {
      if (matching.contains(e.releaseId())) {
        first.putIfAbsent(e.service() + "\n" + e.environment(), e);
      }
    }
    return List.copyOf(first.values());
  }

  private static Component component(ResultSet rs, int row) throws SQLException {
    return new Component(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
  }

  private static Release release(ResultSet rs, int row) throws SQLException {
    Timestamp at = rs.getTimestamp(6);
    return new Release(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), at == null ? null : at.toInstant());
  }

  private static String array(Iterable<Long> ids) {
    StringBuilder s = new StringBuilder("{");
    for (Long id : ids) {
      s.append(s.length() > 1 ? "," : "").append(id);
    }
    return s.append('}').toString();
  }

  private static String encode(long releaseId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("r" + releaseId).getBytes(StandardCharsets.US_ASCII));
  }

  private static long decode(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      if (text.startsWith("r")) {
        long id = Long.parseLong(text.substring(1));
        if (id > 0) {
          return id;
        }
      }
    } catch (IllegalArgumentException unreadable) {
      // the same refusal as a cursor of the wrong shape
    }
    throw ApiProblem.badRequest("InvalidCursor", "cursor '" + cursor + "' is not one this API returned; leave it out to start from the newest release");
  }
}
