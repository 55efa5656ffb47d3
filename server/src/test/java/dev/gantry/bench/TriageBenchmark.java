package dev.gantry.bench;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.gantry.api.TriageQueries;
import dev.gantry.api.TriageQueries.TriageResult;
import dev.gantry.api.TriageQuestions;
import dev.gantry.catalog.CatalogActivitiesImpl;
import dev.gantry.catalog.ComponentIndex;
import dev.gantry.catalog.ComponentIndex.ComponentRow;
import dev.gantry.catalog.PromotionRecord;
import dev.gantry.catalog.ReleaseRecord;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.LoggerFactory;

/**
 * Triage at scale: loads synthetic releases and their SBOM components into a real PostgreSQL
 * (the schema Flyway migrates, COPY for speed), asks {@link TriageQueries} the four kinds of
 * question (exact purl, every version of a package, name with a version range, vulnerability) and
 * prints p50/p99/max per kind; then writes the same releases as CycloneDX SBOMs and Trivy reports
 * and times {@code grep -rl} and {@code jq} answering the same questions.
 *
 * <p>A harness that prints figures, not a test: {@code ./gantry bench triage [--releases N]
 * [--components N] [--packages N] [--services N] [--queries N] [--files N] [--grep N] [--jq N]
 * [--no-files] [--seed N] [--hold SECONDS]}; {@code --hold} keeps PostgreSQL up after the queries
 * for a look at plans with psql.
 */
public final class TriageBenchmark {

  record Options(
      int releases, int components, int packages, int services, int queries, int warmup,
      int files, int grepRuns, int jqRuns, long seed, int holdSeconds) {

    static Options parse(String[] args) {
      Map<String, String> given = new HashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--no-files")) {
          given.put("files", "0");
        } else if (a.startsWith("--") && i + 1 < args.length) {
          given.put(a.substring(2), args[++i]);
        } else {
          throw new IllegalArgumentException("unknown argument " + a
              + "; use --releases N --components N --packages N --services N --queries N --warmup N --files N --grep N --jq N --no-files --seed N --hold SECONDS");
        }
      }
      int releases = Integer.parseInt(given.getOrDefault("releases", "10000"));
      return new Options(
          releases,
          Integer.parseInt(given.getOrDefault("components", "500")),
          Integer.parseInt(given.getOrDefault("packages", "26000")),
          Integer.parseInt(given.getOrDefault("services", "50")),
          Integer.parseInt(given.getOrDefault("queries", "200")),
          Integer.parseInt(given.getOrDefault("warmup", "25")),
          Integer.parseInt(given.getOrDefault("files", String.valueOf(releases))),
          Integer.parseInt(given.getOrDefault("grep", "5")),
          Integer.parseInt(given.getOrDefault("jq", "2")),
          Long.parseLong(given.getOrDefault("seed", "42")),
          Integer.parseInt(given.getOrDefault("hold", "0")));
    }
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Options o = Options.parse(args);
    System.out.printf(Locale.ROOT, "Triage benchmark: %,d releases x %,d components, %,d packages, %,d services (seed %d)%n",
        o.releases(), o.components(), o.packages(), o.services(), o.seed());
    System.out.printf("machine: %d cores, java %s, %s%n", Runtime.getRuntime().availableProcessors(), Runtime.version(), System.getProperty("os.name"));

    long t = System.nanoTime();
    World world = new World(o);
    System.out.printf(Locale.ROOT, "data: %,d distinct packages used, %,d distinct components (package versions), %,d release-component rows, %,d scan findings of %,d vulnerabilities, %,d environments (generated in %s)%n",
        world.packagesUsed(), world.components.size(), (long) o.releases() * o.components(), world.findingCount, world.vulnerabilities.size(),
        world.environments().size(), seconds(System.nanoTime() - t));

    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
            // a modest production-like PostgreSQL; max_wal_size only spares checkpoints during the load
            .setServerConfig("shared_buffers", "512MB")
            .setServerConfig("maintenance_work_mem", "512MB")
            .setServerConfig("max_wal_size", "4GB")
            .start();
        HikariDataSource pool = pool(postgres)) {
      DataSource direct = postgres.getPostgresDatabase();
      Flyway.configure().dataSource(direct).locations("classpath:db/migration").load().migrate();
      try (Connection c = direct.getConnection()) {
        System.out.println("postgres: " + single(c, "SELECT version()") + "; shared_buffers " + single(c, "SHOW shared_buffers")
            + ", work_mem " + single(c, "SHOW work_mem") + ", random_page_cost " + single(c, "SHOW random_page_cost"));
      }
      new Loader(world, direct, pool).load();
      indexOneSbom(pool, o);
      Queries queries = new Queries(world, pool, o);
      Map<String, Stats> db = queries.run();
      if (o.holdSeconds() > 0) {
        // to look at plans by hand: psql, EXPLAIN (ANALYZE, BUFFERS) ...
        System.out.printf("holding PostgreSQL for %d s: psql 'postgresql://postgres@127.0.0.1:%d/postgres'%n", o.holdSeconds(), postgres.getPort());
        Thread.sleep(o.holdSeconds() * 1000L);
      }
      if (o.files() > 0) {
        new FileComparison(world, o, db, queries.asks).run();
      }
    }
  }

  static HikariDataSource pool(EmbeddedPostgres postgres) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    pool.setMaximumPoolSize(4);
    return pool;
  }

  // ---------------------------------------------------------------------------------------------
  // The synthetic world: packages with versions, services whose dependencies drift and upgrade
  // release by release, vulnerabilities affecting versions below a fix, environments.

  record Pkg(int rank, String type, String namespace, String name, String qualifiers, String[] versions) {
    String base() {
      return "pkg:" + type + "/" + (namespace == null ? "" : namespace + "/") + name;
    }

    String purl(int v) {
      return base() + "@" + versions[v] + (qualifiers == null ? "" : "?" + qualifiers);
    }

    /** The purl a person asks for: no qualifiers (triage then matches any). */
    String question(int v) {
      return base() + "@" + versions[v];
    }
  }

  record Vulnerability(String id, int pkg, int fixed, String severity) {}

  record Release(int service, int index, String commit, String digest, Instant createdAt, String status) {}

  record Env(int service, String name, int release) {}

  static final String[][] FAMOUS = {
    {"deb", "debian", "libc6", "2.36-9+deb12u"}, {"deb", "debian", "openssl", "3.0.11-1~deb12u"}, {"deb", "debian", "zlib1g", "1.2.13.dfsg-1~deb12u"},
    {"deb", "debian", "libssl3", "3.0.11-1~deb12u"}, {"deb", "debian", "ca-certificates", "20230311~deb12u"}, {"deb", "debian", "tzdata", "2024a-0~deb12u"},
    {"deb", "debian", "curl", "7.88.1-10~deb12u"}, {"deb", "debian", "libcurl4", "7.88.1-10~deb12u"},
    {"npm", null, "lodash", ""}, {"npm", null, "express", ""}, {"npm", null, "debug", ""}, {"npm", null, "semver", ""}, {"npm", null, "axios", ""},
    {"npm", null, "qs", ""}, {"npm", null, "body-parser", ""}, {"npm", null, "jsonwebtoken", ""}, {"npm", null, "ws", ""}, {"npm", null, "minimist", ""},
    {"maven", "com.fasterxml.jackson.core", "jackson-databind", ""}, {"maven", "org.apache.logging.log4j", "log4j-core", ""},
    {"maven", "org.springframework", "spring-core", ""}, {"maven", "com.google.guava", "guava", ""}, {"maven", "org.slf4j", "slf4j-api", ""},
    {"maven", "io.netty", "netty-handler", ""}, {"maven", "org.yaml", "snakeyaml", ""}, {"maven", "org.apache.commons", "commons-lang3", ""},
    {"pypi", null, "requests", ""}, {"pypi", null, "urllib3", ""}, {"pypi", null, "certifi", ""}, {"pypi", null, "idna", ""},
    {"pypi", null, "pyyaml", ""}, {"pypi", null, "jinja2", ""}, {"pypi", null, "cryptography", ""}, {"pypi", null, "setuptools", ""},
    {"golang", "golang.org/x", "net", ""}, {"golang", "golang.org/x", "crypto", ""}, {"golang", "google.golang.org", "grpc", ""},
    {"golang", "github.com/stretchr", "testify", ""}, {"golang", "gopkg.in", "yaml.v3", ""},
  };
  static final int HEAD = 300;
  static final String[] SEVERITIES = {"LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH", "CRITICAL"};
  static final String[] ENVIRONMENTS = {"dev", "staging", "production"};
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  static final class World {
    final Options o;
    final Pkg[] packages;
    final List<Release> releases = new ArrayList<>();
    final int[][] deps; // per release: package ranks
    final int[][] vers; // per release: version index of each dependency
    /** Distinct (package, version) pairs, numbered in first-seen order. */
    final Map<Long, Integer> components = new LinkedHashMap<>();
    final List<Vulnerability> vulnerabilities = new ArrayList<>();
    final Map<Integer, List<Vulnerability>> vulnerabilitiesByPackage = new HashMap<>();
    long findingCount;
    final String[] services;

    World(Options o) {
      this.o = o;
      Random random = new Random(o.seed());
      packages = new Pkg[o.packages()];
      for (int i = 0; i < packages.length; i++) {
        packages[i] = pkg(i, random);
      }
      services = IntStream.range(0, o.services()).mapToObj(s -> "service-" + String.format(Locale.ROOT, "%02d", s)).toArray(String[]::new);
      int perService = (o.releases() + o.services() - 1) / o.services();
      deps = new int[o.releases()][];
      vers = new int[o.releases()][];
      // release k of service s happens at (k + s/services) / perService of a year: services interleave
      int[][] order = new int[o.releases()][];
      int n = 0;
      for (int k = 0; k < perService && n < o.releases(); k++) {
        for (int s = 0; s < o.services() && n < o.releases(); s++) {
          order[n++] = new int[] {s, k};
        }
      }
      Map<Integer, Lineage> lineages = new HashMap<>();
      for (int i = 0; i < o.releases(); i++) {
        int s = order[i][0];
        int k = order[i][1];
        double year = (k + (double) s / o.services()) / perService;
        Lineage lineage = lineages.computeIfAbsent(s, x -> new Lineage(random));
        lineage.advance(random, year);
        deps[i] = lineage.deps.clone();
        vers[i] = lineage.vers.clone();
        for (int d = 0; d < deps[i].length; d++) {
          components.putIfAbsent(key(deps[i][d], vers[i][d]), components.size());
        }
        String id = services[s] + "/" + k;
        releases.add(new Release(s, k, hex(sha("commit/" + id), 20), "sha256:" + hex(sha("image/" + id), 32),
            START.plusSeconds((long) (year * 365 * 86400)), random.nextInt(20) == 0 ? "FAILED" : "COMPLETED"));
      }
      vulnerabilities(random);
    }

    /** One service's dependencies as they evolve: head packages by popularity, a drifting tail. */
    final class Lineage {
      final int[] deps = new int[o.components()];
      final int[] vers = new int[o.components()];
      final int head;
      boolean started;

      Lineage(Random random) {
        Set<Integer> chosen = new LinkedHashSet<>();
        for (int r = 0; r < Math.min(HEAD, packages.length) && chosen.size() < o.components(); r++) {
          double p = 0.03 + 0.97 * Math.pow(1.0 - (double) r / HEAD, 1.2);
          if (random.nextDouble() < p) {
            chosen.add(r);
          }
        }
        head = chosen.size();
        while (chosen.size() < o.components()) {
          chosen.add(tail(random));
        }
        int i = 0;
        for (int p : chosen) {
          deps[i++] = p;
        }
      }

      void advance(Random random, double year) {
        for (int d = 0; d < deps.length; d++) {
          if (!started) {
            vers[d] = Math.max(0, latest(deps[d], year) - random.nextInt(3));
          } else if (random.nextDouble() < 0.03) {
            vers[d] = Math.max(vers[d], latest(deps[d], year)); // an upgrade to what is out now
          }
        }
        // the tail drifts: each release drops two dependencies and takes two others
        for (int drift = 0; started && deps.length > head && drift < 2; drift++) {
          int d = head + random.nextInt(deps.length - head);
          int replacement;
          do {
            replacement = tail(random);
          } while (contains(deps, replacement));
          deps[d] = replacement;
          vers[d] = latest(replacement, year);
        }
        started = true;
      }
    }

    /** The long tail: any of the less popular packages, alike. */
    int tail(Random random) {
      return HEAD + random.nextInt(packages.length - HEAD);
    }

    /** Versions come out over the year: at {@code year} the newest is this index. */
    int latest(int pkg, double year) {
      int v = packages[pkg].versions().length;
      return (int) Math.round((0.6 + 0.4 * Math.min(1, year)) * (v - 1));
    }

    void vulnerabilities(Random random) {
      int count = Math.max(10, packages.length / 10);
      List<Integer> used = new ArrayList<>(new LinkedHashSet<>(components.keySet().stream().map(k -> (int) (k >> 20)).toList()));
      for (int i = 0; i < count; i++) {
        int pkg = random.nextInt(4) == 0 ? random.nextInt(Math.min(HEAD, packages.length)) : used.get(random.nextInt(used.size()));
        int versions = packages[pkg].versions().length;
        String id = random.nextInt(8) == 0
            ? "GHSA-" + code(random) + "-" + code(random) + "-" + code(random)
            : "CVE-" + (2019 + random.nextInt(7)) + "-" + (10000 + i * 3 + random.nextInt(3));
        // fixed in the second half of the package's versions: most of its releases are affected
        int fixed = Math.max(1, versions / 2 + random.nextInt(Math.max(1, versions - versions / 2)));
        Vulnerability v = new Vulnerability(id, pkg, fixed, SEVERITIES[random.nextInt(SEVERITIES.length)]);
        vulnerabilities.add(v);
        vulnerabilitiesByPackage.computeIfAbsent(pkg, x -> new ArrayList<>()).add(v);
      }
      for (int r = 0; r < releases.size(); r++) {
        forEachFinding(r, (v, d) -> findingCount++);
      }
    }

    interface FindingSink {
      void accept(Vulnerability v, int dependency);
    }

    void forEachFinding(int release, FindingSink sink) {
      for (int d = 0; d < deps[release].length; d++) {
        List<Vulnerability> vs = vulnerabilitiesByPackage.get(deps[release][d]);
        if (vs != null) {
          for (Vulnerability v : vs) {
            if (vers[release][d] < v.fixed()) {
              sink.accept(v, d);
            }
          }
        }
      }
    }

    List<Env> environments() {
      List<Env> envs = new ArrayList<>();
      int[] newest = new int[o.services()];
      Arrays.fill(newest, -1);
      List<List<Integer>> bySvc = new ArrayList<>();
      for (int s = 0; s < o.services(); s++) {
        bySvc.add(new ArrayList<>());
      }
      for (int r = 0; r < releases.size(); r++) {
        bySvc.get(releases.get(r).service()).add(r);
      }
      for (int s = 0; s < o.services(); s++) {
        List<Integer> rs = bySvc.get(s);
        if (rs.isEmpty()) {
          continue;
        }
        // dev runs the newest, staging a little older, production older still
        int[] lag = {1, 3, 6};
        for (int e = 0; e < ENVIRONMENTS.length; e++) {
          envs.add(new Env(s, ENVIRONMENTS[e], rs.get(Math.max(0, rs.size() - lag[e]))));
        }
      }
      return envs;
    }

    long packagesUsed() {
      return components.keySet().stream().map(k -> k >> 20).distinct().count();
    }

    static long key(int pkg, int version) {
      return ((long) pkg << 20) | version;
    }

    Pkg pkg(int rank, Random random) {
      int versions = rank < HEAD ? 15 + random.nextInt(26) : 3 + random.nextInt(12);
      String[] famous = rank < FAMOUS.length ? FAMOUS[rank] : null;
      String type;
      String namespace;
      String name;
      if (famous != null) {
        type = famous[0];
        namespace = famous[1];
        name = famous[2];
      } else {
        int kind = Math.floorMod(Integer.hashCode(rank * 31 + 7), 20);
        type = kind < 9 ? "npm" : kind < 14 ? "maven" : kind < 18 ? "pypi" : "golang";
        namespace = switch (type) {
          case "maven" -> "org.example" + (rank % 700);
          case "golang" -> "github.com/org" + (rank % 900);
          default -> null;
        };
        name = switch (type) {
          case "npm" -> "node-lib-" + rank;
          case "maven" -> "lib-" + rank;
          case "pypi" -> "py-lib-" + rank;
          default -> "mod" + rank;
        };
      }
      String[] v = new String[versions];
      if (type.equals("deb")) {
        for (int i = 0; i < versions; i++) {
          v[i] = famous[3] + (i + 1);
        }
        return new Pkg(rank, type, namespace, name, "arch=amd64&distro=debian-12", v);
      }
      int major = random.nextInt(5);
      int minor = random.nextInt(10);
      int patch = 0;
      for (int i = 0; i < versions; i++) {
        v[i] = (type.equals("golang") ? "v" : "") + major + "." + minor + "." + patch;
        int step = random.nextInt(20);
        if (step == 0) {
          major++;
          minor = 0;
          patch = 0;
        } else if (step < 5) {
          minor++;
          patch = 0;
        } else {
          patch++;
        }
      }
      return new Pkg(rank, type, namespace, name, null, v);
    }

    Pkg pkgOf(long key) {
      return packages[(int) (key >> 20)];
    }

    static int versionOf(long key) {
      return (int) (key & 0xFFFFF);
    }

    private static String code(Random random) {
      String alphabet = "23456789cfghjmpqrvwx";
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return s.toString();
    }
  }

  static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Loading: COPY into the migrated schema. release_components and scan_findings get their keys,
  // indexes and foreign keys back after the copy, rebuilt from their own definitions.

  static final class Loader {
    final World w;
    final DataSource direct;
    final DataSource pool;

    Loader(World w, DataSource direct, DataSource pool) {
      this.w = w;
      this.direct = direct;
      this.pool = pool;
    }

    void load() throws Exception {
      long start = System.nanoTime();
      List<String> phases = new ArrayList<>();
      long[] componentIds;
      Map<String, Long> releaseIds = new HashMap<>();
      try (Connection c = direct.getConnection()) {
        PGConnection pg = c.unwrap(PGConnection.class);
        long t = System.nanoTime();
        copy(pg, "COPY releases (service, commit, tag, digest, author, started_by, workflow_id, status, created_at, updated_at) FROM STDIN", out -> {
          for (Release r : w.releases) {
            String svc = w.services[r.service()];
            row(out, svc, r.commit(), "sha-" + r.commit(), r.digest(), "dev-" + (r.index() % 17), "ci-bot",
                "release/" + svc + "/" + r.commit(), r.status(), r.createdAt().toString(), r.createdAt().toString());
          }
        });
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT service, commit, id FROM releases")) {
          while (rs.next()) {
            releaseIds.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
          }
        }
        phases.add("releases " + seconds(System.nanoTime() - t));

        t = System.nanoTime();
        copy(pg, "COPY components (key, purl, name, version, type, licenses, hashes) FROM STDIN", out -> {
          for (long key : w.components.keySet()) {
            Pkg p = w.pkgOf(key);
            String purl = p.purl(World.versionOf(key));
            row(out, purl, purl, p.name(), p.versions()[World.versionOf(key)], "library", "{" + license(p) + "}",
                "{\"SHA-256\": \"" + hex(sha(purl), 32) + "\"}");
          }
        });
        Map<String, Long> byKey = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT key, id FROM components")) {
          while (rs.next()) {
            byKey.put(rs.getString(1), rs.getLong(2));
          }
        }
        componentIds = new long[w.components.size()];
        for (Map.Entry<Long, Integer> e : w.components.entrySet()) {
          Pkg p = w.pkgOf(e.getKey());
          componentIds[e.getValue()] = byKey.get(p.purl(World.versionOf(e.getKey())));
        }
        phases.add("components " + seconds(System.nanoTime() - t));

        t = System.nanoTime();
        List<String> rebuild = dropKeysAndIndexes(c, "release_components");
        long copyStart = System.nanoTime();
        copy(pg, "COPY release_components (component_id, release_id) FROM STDIN", out -> {
          StringBuilder line = new StringBuilder(32);
          for (int r = 0; r < w.releases.size(); r++) {
            Release rel = w.releases.get(r);
            long releaseId = releaseIds.get(w.services[rel.service()] + "/" + rel.commit());
            for (int d = 0; d < w.deps[r].length; d++) {
              line.setLength(0);
              line.append(componentIds[w.components.get(World.key(w.deps[r][d], w.vers[r][d]))]).append('\t').append(releaseId).append('\n');
              out.write(line.toString());
            }
          }
        });
        long copied = System.nanoTime() - copyStart;
        long rebuildStart = System.nanoTime();
        rebuild(c, rebuild);
        phases.add("release_components " + seconds(System.nanoTime() - t) + " (COPY " + seconds(copied) + ", keys and indexes "
            + seconds(System.nanoTime() - rebuildStart) + ")");

        t = System.nanoTime();
        List<String> rebuildFindings = dropKeysAndIndexes(c, "scan_findings");
        copy(pg, "COPY scan_findings (release_id, vulnerability, purl, severity, fixed_version, evidence) FROM STDIN", out -> {
          for (int r = 0; r < w.releases.size(); r++) {
            Release rel = w.releases.get(r);
            long releaseId = releaseIds.get(w.services[rel.service()] + "/" + rel.commit());
            String evidence = "sha256:" + hex(sha("trivy/" + rel.commit()), 32);
            int release = r;
            Set<String> seen = new java.util.HashSet<>();
            w.forEachFinding(r, (v, d) -> {
              Pkg p = w.packages[w.deps[release][d]];
              String purl = p.purl(w.vers[release][d]);
              if (seen.add(v.id() + " " + purl)) {
                try {
                  row(out, String.valueOf(releaseId), v.id(), purl, v.severity(), p.versions()[v.fixed()], evidence);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }
            });
          }
        });
        rebuild(c, rebuildFindings);
        phases.add("scan_findings " + seconds(System.nanoTime() - t));
      }

      long t = System.nanoTime();
      CatalogActivitiesImpl catalog = new CatalogActivitiesImpl(pool);
      List<Env> envs = w.environments();
      for (Env e : envs) {
        Release r = w.releases.get(e.release());
        String svc = w.services[r.service()];
        catalog.recordPromotion(new PromotionRecord("promotion/" + svc + "/" + e.name() + "/" + r.commit(), svc, e.name(), "PROMOTION",
            r.digest(), r.commit(), "gitops-" + r.commit().substring(0, 12), "PROMOTED", List.of("approver"), "ci-bot", "benchmark",
            r.createdAt().plus(Duration.ofHours(1)), null));
      }
      phases.add("environments " + seconds(System.nanoTime() - t) + " (" + envs.size() + " promotions through CatalogActivitiesImpl)");

      t = System.nanoTime();
      try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
        s.execute("VACUUM ANALYZE");
      }
      phases.add("VACUUM ANALYZE " + seconds(System.nanoTime() - t));
      System.out.println("load: " + String.join(", ", phases) + "; total " + seconds(System.nanoTime() - start));
      tableSizes();
    }

    static String license(Pkg p) {
      return switch (p.type()) {
        case "npm" -> "MIT";
        case "maven" -> "Apache-2.0";
        case "pypi" -> "BSD-3-Clause";
        case "deb" -> "GPL-2.0-or-later";
        default -> "BSD-3-Clause";
      };
    }

    /** Drops a table's constraints and indexes; returns the statements that put them back, keys first. */
    static List<String> dropKeysAndIndexes(Connection c, String table) throws SQLException {
      List<String> keys = new ArrayList<>();
      List<String> indexes = new ArrayList<>();
      List<String> foreign = new ArrayList<>();
      try (Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '" + table + "'::regclass")) {
          while (rs.next()) {
            String add = "ALTER TABLE " + table + " ADD CONSTRAINT " + rs.getString(1) + " " + rs.getString(3);
            (rs.getString(2).equals("f") ? foreign : keys).add(add);
          }
        }
        try (ResultSet rs = s.executeQuery("""
            SELECT indexdef FROM pg_indexes i WHERE tablename = '%s'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""".formatted(table))) {
          while (rs.next()) {
            indexes.add(rs.getString(1));
          }
        }
        for (String fk : foreign) {
          s.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + fk.split(" ")[5]);
        }
        for (String key : keys) {
          s.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + key.split(" ")[5]);
        }
        for (String index : indexes) {
          s.execute("DROP INDEX " + index.split(" ")[index.startsWith("CREATE UNIQUE") ? 3 : 2]);
        }
      }
      List<String> rebuild = new ArrayList<>(keys);
      rebuild.addAll(indexes);
      rebuild.addAll(foreign);
      return rebuild;
    }

    static void rebuild(Connection c, List<String> statements) throws SQLException {
      try (Statement s = c.createStatement()) {
        for (String sql : statements) {
          s.execute(sql);
        }
      }
    }

    void tableSizes() throws SQLException {
      try (Connection c = direct.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("""
              SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_table_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid)),
                     (SELECT string_agg(i.relname || ' ' || pg_size_pretty(pg_relation_size(i.oid)), ', ' ORDER BY i.relname)
                      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid)
              FROM pg_class c
              WHERE c.relname IN ('releases', 'components', 'release_components', 'scan_findings', 'environments') AND c.relkind = 'r'
              ORDER BY pg_total_relation_size(c.oid) DESC""")) {
        System.out.println("table sizes (rows, table, indexes: each):");
        while (rs.next()) {
          System.out.printf(Locale.ROOT, "  %-19s %,11d rows  %8s  indexes %8s: %s%n", rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5));
        }
        System.out.println("  database " + single(c, "SELECT pg_size_pretty(pg_database_size(current_database()))"));
      }
    }
  }

  /** The write path the SBOM gate uses, at the issue's largest SBOM: three releases, the last one timed warm. */
  static void indexOneSbom(DataSource pool, Options o) {
    CatalogActivitiesImpl catalog = new CatalogActivitiesImpl(pool);
    ComponentIndex index = new ComponentIndex(pool);
    long[] first = new long[3];
    long[] retry = new long[3];
    for (int run = 0; run < 3; run++) {
      String commit = String.valueOf(run).repeat(40);
      catalog.recordRelease(new ReleaseRecord("bench-index", commit, null, "sha256:" + String.valueOf(run).repeat(64), "bench", "ci", null, "RUNNING", Instant.now()));
      int r = run;
      List<ComponentRow> rows = IntStream.range(0, 5000)
          .mapToObj(i -> new ComponentRow("pkg:npm/bench-index-" + r + "-" + i + "@1." + (i % 13) + ".0", "bench-index-" + r + "-" + i, "1." + (i % 13) + ".0",
              "library", List.of("MIT"), Map.of("SHA-256", "ab".repeat(32))))
          .toList();
      long t = System.nanoTime();
      index.indexComponents("bench-index", commit, rows);
      first[run] = System.nanoTime() - t;
      t = System.nanoTime();
      index.indexComponents("bench-index", commit, rows);
      retry[run] = System.nanoTime() - t;
    }
    System.out.printf("ComponentIndex.indexComponents, an SBOM of 5,000 new components: %s (the first in this JVM: %s); its retry, all known: %s%n",
        millis(first[2]), millis(first[0]), millis(retry[2]));
  }

  // ---------------------------------------------------------------------------------------------
  // Triage queries through TriageQueries, the API's code path.

  record Ask(String kind, String purl, String name, String version, String vulnerability, List<String> grep, String jq, Map<String, Object> jqArgs, String corpus) {}

  record Stats(String kind, long[] nanos, long[] matched) {
    long p(double q) {
      long[] s = nanos.clone();
      Arrays.sort(s);
      return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
    }

    long median(long[] values) {
      long[] s = values.clone();
      Arrays.sort(s);
      return s[s.length / 2];
    }
  }

  static final String EXACT = "exact purl";
  static final String ANY = "purl, any version";
  static final String RANGE = "name + range";
  static final String VULN = "vulnerability";
  static final List<String> KINDS = List.of(EXACT, ANY, RANGE, VULN);

  static final class Queries {
    final World w;
    final TriageQueries triage;
    final Options o;
    final Random random;

    Queries(World w, DataSource pool, Options o) {
      this.w = w;
      this.triage = new TriageQueries(pool);
      this.o = o;
      this.random = new Random(o.seed() + 1);
    }

    /** Half the questions about packages in many releases (drawn by occurrence), half about any package (uniform). */
    long pickComponent(int i) {
      if (i % 2 == 0) {
        int r = random.nextInt(w.releases.size());
        int d = random.nextInt(w.deps[r].length);
        return World.key(w.deps[r][d], w.vers[r][d]);
      }
      List<Long> keys = componentKeys();
      return keys.get(random.nextInt(keys.size()));
    }

    List<Long> keys;

    List<Long> componentKeys() {
      if (keys == null) {
        keys = new ArrayList<>(w.components.keySet());
      }
      return keys;
    }

    Ask ask(String kind, int i) {
      if (kind.equals(VULN)) {
        // as for packages: half a vulnerability some release reported, half any known one
        List<Vulnerability> reported = new ArrayList<>();
        if (i % 2 == 0) {
          w.forEachFinding(random.nextInt(w.releases.size()), (found, d) -> reported.add(found));
        }
        Vulnerability v = reported.isEmpty()
            ? w.vulnerabilities.get(random.nextInt(w.vulnerabilities.size()))
            : reported.get(random.nextInt(reported.size()));
        return new Ask(kind, null, null, null, v.id(), List.of("\"VulnerabilityID\":\"" + v.id() + "\""),
            "select(any(.Results[]?.Vulnerabilities[]?; .VulnerabilityID == $v)) | input_filename", Map.of("v", v.id()), "trivy");
      }
      long key = pickComponent(i);
      Pkg p = w.pkgOf(key);
      int version = World.versionOf(key);
      return switch (kind) {
        case EXACT -> new Ask(kind, p.question(version), null, null, null, List.of("\"purl\":\"" + p.purl(version) + "\""),
            "select(any(.components[]; .purl == $p)) | input_filename", Map.of("p", p.purl(version)), "sbom");
        case ANY -> new Ask(kind, p.base(), null, null, null, List.of("\"purl\":\"" + p.base() + "@"),
            "select(any(.components[]; .purl | startswith($b))) | input_filename", Map.of("b", p.base() + "@"), "sbom");
        default -> {
          int n = p.versions().length;
          int lo = random.nextInt(Math.max(1, n - 1));
          int hi = Math.min(n - 1, lo + 1 + random.nextInt(Math.max(1, n / 3)));
          String range = ">=" + p.versions()[lo] + ",<" + p.versions()[hi];
          // grep cannot compare versions: it is given every version in the range, spelled out
          List<String> patterns = new ArrayList<>();
          Map<String, Boolean> inRange = new LinkedHashMap<>();
          for (int v = lo; v < hi; v++) {
            patterns.add("\"name\":\"" + p.name() + "\",\"version\":\"" + p.versions()[v] + "\"");
            inRange.put(p.versions()[v], true);
          }
          yield new Ask(kind, null, p.name(), range, null, patterns,
              "select(any(.components[]; .name == $n and ($vs[.version] // false))) | input_filename", Map.of("n", p.name(), "vs", inRange), "sbom");
        }
      };
    }

    Map<String, Stats> run() {
      Map<String, List<Ask>> asks = new LinkedHashMap<>();
      for (String kind : KINDS) {
        List<Ask> list = new ArrayList<>();
        for (int i = 0; i < o.queries(); i++) {
          list.add(ask(kind, i));
        }
        asks.put(kind, list);
      }
      // warm-up: JIT, the connection pool, PostgreSQL's buffers; not measured
      for (int i = 0; i < o.warmup(); i++) {
        for (String kind : KINDS) {
          run(ask(kind, i));
        }
      }
      Map<String, long[]> nanos = new LinkedHashMap<>();
      Map<String, long[]> matched = new LinkedHashMap<>();
      KINDS.forEach(k -> {
        nanos.put(k, new long[o.queries()]);
        matched.put(k, new long[o.queries()]);
      });
      // interleaved, as questions arrive
      for (int i = 0; i < o.queries(); i++) {
        for (String kind : KINDS) {
          long t = System.nanoTime();
          TriageResult r = run(asks.get(kind).get(i));
          nanos.get(kind)[i] = System.nanoTime() - t;
          matched.get(kind)[i] = r.counts().releases();
        }
      }
      System.out.printf(Locale.ROOT, "triage queries through TriageQueries (limit 100, first page; %d warm-up questions of each kind first):%n", o.warmup());
      System.out.printf(Locale.ROOT, "  %-18s %5s %9s %9s %9s   releases matched: median / max%n", "kind", "n", "p50", "p99", "max");
      Map<String, Stats> stats = new LinkedHashMap<>();
      for (String kind : KINDS) {
        Stats s = new Stats(kind, nanos.get(kind), matched.get(kind));
        stats.put(kind, s);
        System.out.printf(Locale.ROOT, "  %-18s %5d %9s %9s %9s   %,d / %,d%n", kind, o.queries(), millis(s.p(0.5)), millis(s.p(0.99)),
            millis(s.p(1.0)), s.median(s.matched()), Arrays.stream(s.matched()).max().orElse(0));
      }
      this.asks = asks;
      return stats;
    }

    Map<String, List<Ask>> asks;

    TriageResult run(Ask a) {
      return triage.triage(TriageQuestions.question(a.purl(), a.name(), a.version(), a.vulnerability()), TriageQueries.DEFAULT_LIMIT, null);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The same releases as files: one CycloneDX SBOM and one Trivy report each; grep and jq asked
  // the same questions.

  static final class FileComparison {
    final World w;
    final Options o;
    final Map<String, Stats> db;
    final Map<String, List<Ask>> asks;

    FileComparison(World w, Options o, Map<String, Stats> db, Map<String, List<Ask>> asks) {
      this.w = w;
      this.o = o;
      this.db = db;
      this.asks = asks;
    }

    void run() throws Exception {
      Path dir = Files.createTempDirectory("gantry-triage-bench-");
      try {
        Path sboms = Files.createDirectories(dir.resolve("sbom"));
        Path reports = Files.createDirectories(dir.resolve("trivy"));
        int files = Math.min(o.files(), w.releases.size());
        long t = System.nanoTime();
        for (int r = 0; r < files; r++) {
          writeSbom(sboms, r);
          writeTrivy(reports, r);
        }
        long wrote = System.nanoTime() - t;
        System.out.printf(Locale.ROOT, "files: %,d CycloneDX 1.6 SBOMs (%s) and %,d Trivy reports (%s) in %s, written in %s%s%n",
            files, size(sboms), files, size(reports), dir, seconds(wrote),
            files < w.releases.size() ? String.format(Locale.ROOT, "; a sample of %,d releases: times below are scaled x%.1f to all %,d",
                files, (double) w.releases.size() / files, w.releases.size()) : "");
        double scale = (double) w.releases.size() / files;
        boolean jq = onPath("jq");
        // page cache warm for both tools: one untimed pass each
        exec(List.of("grep", "-rlF", "--", "no-such-string-anywhere", sboms.toString(), reports.toString()));
        System.out.printf(Locale.ROOT, "the same questions over the files (warm page cache; grep %d and jq %d questions of each kind, median; triage p50 from above):%n",
            o.grepRuns(), o.jqRuns());
        System.out.printf(Locale.ROOT, "  %-18s %12s %12s %12s   agree with triage%n", "kind", "triage p50", "grep -rl", "jq");
        for (String kind : KINDS) {
          List<Long> grepTimes = new ArrayList<>();
          List<Long> jqTimes = new ArrayList<>();
          int agree = 0;
          int asked = 0;
          for (int i = 0; i < Math.min(asks.get(kind).size(), Math.max(o.grepRuns(), o.jqRuns())); i++) {
            Ask a = asks.get(kind).get(i); // the questions triage answered above, in the same order
            Path corpus = a.corpus().equals("sbom") ? sboms : reports;
            if (i < o.grepRuns()) {
              List<String> cmd = new ArrayList<>(List.of("grep", "-rlF"));
              a.grep().forEach(p -> {
                cmd.add("-e");
                cmd.add(p);
              });
              cmd.add(corpus.toString());
              long g = System.nanoTime();
              Result res = exec(cmd);
              grepTimes.add(System.nanoTime() - g);
              // every file written: triage's count; a sample: the generator's own bookkeeping
              long expected = files == w.releases.size() ? db.get(kind).matched()[i] : expectedFiles(a, files);
              asked++;
              if (res.lines() == expected) {
                agree++;
              }
            }
            if (jq && i < o.jqRuns()) {
              List<String> cmd = new ArrayList<>(List.of("find", corpus.toString(), "-name", "*.json", "-exec", "jq", "-r"));
              for (Map.Entry<String, Object> arg : a.jqArgs().entrySet()) {
                if (arg.getValue() instanceof String s) {
                  cmd.addAll(List.of("--arg", arg.getKey(), s));
                } else {
                  cmd.addAll(List.of("--argjson", arg.getKey(), json(arg.getValue())));
                }
              }
              cmd.addAll(List.of(a.jq(), "{}", "+"));
              long j = System.nanoTime();
              exec(cmd);
              jqTimes.add(System.nanoTime() - j);
            }
          }
          System.out.printf(Locale.ROOT, "  %-18s %12s %12s %12s   %d of %d%n", kind, millis(db.get(kind).p(0.5)),
              grepTimes.isEmpty() ? "-" : duration((long) (medianOf(grepTimes) * scale)),
              jq ? (jqTimes.isEmpty() ? "-" : duration((long) (medianOf(jqTimes) * scale))) : "no jq",
              agree, asked);
        }
        if (!jq) {
          System.out.println("jq is not installed: apt-get install jq (then run the benchmark again for its figures)");
        }
        System.out.println("grep and jq list files (releases) only: which environments run them is a second, manual step.");
      } finally {
        deleteTree(dir);
      }
    }

    /** How many of the written files hold the answer, by the world's own bookkeeping. */
    long expectedFiles(Ask a, int files) {
      long n = 0;
      for (int r = 0; r < files; r++) {
        if (holds(a, r)) {
          n++;
        }
      }
      return n;
    }

    boolean holds(Ask a, int r) {
      if (a.vulnerability() != null) {
        boolean[] found = {false};
        w.forEachFinding(r, (v, d) -> found[0] |= v.id().equals(a.vulnerability()));
        return found[0];
      }
      for (int d = 0; d < w.deps[r].length; d++) {
        Pkg p = w.packages[w.deps[r][d]];
        int v = w.vers[r][d];
        boolean match = switch (a.kind()) {
          case EXACT -> p.question(v).equals(a.purl());
          case ANY -> p.base().equals(a.purl());
          default -> p.name().equals(a.name()) && a.grep().contains("\"name\":\"" + p.name() + "\",\"version\":\"" + p.versions()[v] + "\"");
        };
        if (match) {
          return true;
        }
      }
      return false;
    }

    void writeSbom(Path dir, int r) throws IOException {
      Release rel = w.releases.get(r);
      String svc = w.services[rel.service()];
      try (Writer out = new BufferedWriter(Files.newBufferedWriter(dir.resolve(svc + "-" + rel.commit() + ".cdx.json")), 1 << 16)) {
        out.write("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"urn:uuid:" + uuid(rel.commit())
            + "\",\"version\":1,\"metadata\":{\"timestamp\":\"" + rel.createdAt() + "\",\"tools\":{\"components\":[{\"type\":\"application\",\"name\":\"syft\",\"version\":\"1.18.1\"}]},"
            + "\"component\":{\"bom-ref\":\"" + rel.digest() + "\",\"type\":\"container\",\"name\":\"registry.example.com/" + svc + "\",\"version\":\"" + rel.digest() + "\"}},\"components\":[");
        for (int d = 0; d < w.deps[r].length; d++) {
          Pkg p = w.packages[w.deps[r][d]];
          int v = w.vers[r][d];
          String purl = p.purl(v);
          out.write((d == 0 ? "" : ",") + "{\"bom-ref\":\"" + purl + "\",\"type\":\"library\",\"name\":\"" + p.name() + "\",\"version\":\"" + p.versions()[v]
              + "\",\"licenses\":[{\"license\":{\"id\":\"" + Loader.license(p) + "\"}}],\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" + hex(sha(purl), 32)
              + "\"}],\"purl\":\"" + purl + "\"}");
        }
        out.write("]}\n");
      }
    }

    void writeTrivy(Path dir, int r) throws IOException {
      Release rel = w.releases.get(r);
      String svc = w.services[rel.service()];
      try (Writer out = Files.newBufferedWriter(dir.resolve(svc + "-" + rel.commit() + ".trivy.json"))) {
        out.write("{\"SchemaVersion\":2,\"CreatedAt\":\"" + rel.createdAt() + "\",\"ArtifactName\":\"registry.example.com/" + svc + "@" + rel.digest()
            + "\",\"ArtifactType\":\"container_image\",\"Results\":[{\"Target\":\"registry.example.com/" + svc + "\",\"Class\":\"lang-pkgs\",\"Vulnerabilities\":[");
        boolean[] first = {true};
        w.forEachFinding(r, (v, d) -> {
          Pkg p = w.packages[w.deps[r][d]];
          int version = w.vers[r][d];
          try {
            out.write((first[0] ? "" : ",") + "{\"VulnerabilityID\":\"" + v.id() + "\",\"PkgName\":\"" + p.name() + "\",\"PkgIdentifier\":{\"PURL\":\""
                + p.purl(version) + "\"},\"InstalledVersion\":\"" + p.versions()[version] + "\",\"FixedVersion\":\"" + p.versions()[v.fixed()]
                + "\",\"Status\":\"fixed\",\"Severity\":\"" + v.severity() + "\"}");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          first[0] = false;
        });
        out.write("]}]}\n");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  interface Body {
    void write(Writer out) throws IOException;
  }

  /** COPY ... FROM STDIN in text format, streamed in 1 MiB chunks. */
  static long copy(PGConnection pg, String sql, Body body) throws SQLException, IOException {
    CopyIn in = pg.getCopyAPI().copyIn(sql);
    try {
      Writer out = new Writer() {
        final StringBuilder buffer = new StringBuilder(1 << 20);

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
          buffer.append(cbuf, off, len);
          if (buffer.length() >= 1 << 20) {
            flush();
          }
        }

        @Override
        public void write(String s) throws IOException {
          buffer.append(s);
          if (buffer.length() >= 1 << 20) {
            flush();
          }
        }

        @Override
        public void flush() throws IOException {
          if (buffer.isEmpty()) {
            return;
          }
          byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
          try {
            in.writeToCopy(bytes, 0, bytes.length);
          } catch (SQLException e) {
            throw new IOException(e);
          }
          buffer.setLength(0);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      };
      body.write(out);
      out.close();
      return in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  static void row(Writer out, String... values) throws IOException {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.write('\t');
      }
      out.write(values[i] == null ? "\\N" : values[i].replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"));
    }
    out.write('\n');
  }

  record Result(int exit, long lines) {}

  static Result exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long lines;
    try (var reader = p.inputReader()) {
      lines = reader.lines().count();
    }
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 30 minutes");
    }
    return new Result(p.exitValue(), lines);
  }

  static boolean onPath(String tool) {
    try {
      return new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static String json(Object value) {
    if (value instanceof Map<?, ?> m) {
      StringBuilder s = new StringBuilder("{");
      m.forEach((k, v) -> s.append(s.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
      return s.append('}').toString();
    }
    return String.valueOf(value);
  }

  static long medianOf(List<Long> values) {
    List<Long> s = new ArrayList<>(values);
    s.sort(Comparator.naturalOrder());
    return s.get(s.size() / 2);
  }

  static String size(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      long bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30)) : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static byte[] sha(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes, int n) {
    return HexFormat.of().formatHex(bytes, 0, n);
  }

  static String uuid(String commit) {
    return commit.substring(0, 8) + "-" + commit.substring(8, 12) + "-4" + commit.substring(13, 16) + "-8" + commit.substring(17, 20) + "-" + commit.substring(20, 32);
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }

  static String duration(long nanos) {
    return nanos < 1_000_000_000L ? String.format(Locale.ROOT, "%.0f ms", nanos / 1e6) : seconds(nanos);
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private TriageBenchmark() {}
}
