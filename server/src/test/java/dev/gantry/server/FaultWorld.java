package dev.gantry.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Everything the fault suite runs Gantry against, each a real process or file on 127.0.0.1 that
 * outlives a killed Gantry: a Temporal server (SQLite file), PostgreSQL on a fixed port and data
 * directory, one bare GitOps repository shared by all services and served by {@code git daemon}
 * (its {@code pre-receive} hook refuses pushes while a flag file exists), an OCI layout holding
 * every service's images, and a health endpoint answering, per service, what the repository pins.
 */
final class FaultWorld implements AutoCloseable {
  static final String NAMESPACE = "gantry-faults";
  static final String ENV = "dev";
  static final String CI = "ci";
  static final String READER = "reader";
  /** How long Gantry waits for a database connection (docker-compose.yml sets the same). */
  static final int DB_CONNECTION_TIMEOUT_MS = 5000;
  /** Approves when the world's environments need approvals (the scale benchmark's). */
  static final String APPROVER = "approver";
  /** Approvals dev needs: 0 lets every release promote by itself. */
  int approvals;

  final Path root;
  final Path oci;
  final Path gitRoot;
  final Path bare;
  final Path refuseFlag;
  final Path logs;
  final List<String> services;
  /** Services whose dev environment requires evidence (provenance), for the poisoned-input drill. */
  final List<String> gated;
  final List<String> inRegistry;
  final LocalRegistry dockerRegistry;
  /** The service whose GitOps outage limit is short, for the drill that outlasts it. */
  static final String OUTAGE_LIMITED = "outage";
  static final Duration OUTAGE_LIMIT = Duration.ofSeconds(15);
  final PublicKey gantryKey;
  final RegistrySettings registry;

  final TemporalServerProcess temporal;
  private final int postgresPort;
  private final Path postgresData;
  private EmbeddedPostgres postgres;
  private Process gitDaemon;
  private int gitPort;
  private PinnedHealth health;
  GantryProcess gantry;
  private final int gantryPort;
  private Path config;
  private int gantryStarts;
  /** When main moved, as the test saw it (nanoTime): a promotion reached git. */
  final ConcurrentLinkedQueue<Long> pushes = new ConcurrentLinkedQueue<>();
  private Thread watcher;
  private volatile boolean closing;

  FaultWorld(Path root, List<String> services, List<String> gated) throws Exception {
    this(root, services, gated, List.of());
  }

  /** @param inRegistry services whose images live in a docker-registry (which can be stopped) rather than an OCI layout */
  FaultWorld(Path root, List<String> services, List<String> gated, List<String> inRegistry) throws Exception {
    this.root = root;
    this.inRegistry = List.copyOf(inRegistry);
    this.dockerRegistry = new LocalRegistry(root.resolve("docker-registry"));
    this.services = List.copyOf(services);
    this.gated = List.copyOf(gated);
    this.oci = root.resolve("oci");
    this.gitRoot = root.resolve("git");
    this.bare = gitRoot.resolve("gitops.git");
    this.refuseFlag = root.resolve("refuse-pushes");
    this.logs = Path.of("target", "faults");
    Files.createDirectories(logs);
    this.postgresData = root.resolve("postgres");
    this.postgresPort = GantryProcess.freePort();
    this.gantryPort = GantryProcess.freePort();
    this.temporal = new TemporalServerProcess(root.resolve("temporal"), freshLog("temporal-server.log"));
    this.gantryKey = PublicKeys.fromPem(Files.readString(Path.of("src/main/resources/demo/gantry-signing-key.pub")));
    this.registry = RegistrySettings.allowing("oci:" + oci, dockerRegistry.host()).withInsecure(dockerRegistry.host());
  }

  Path freshLog(String name) throws IOException {
    Path log = logs.resolve(name);
    Files.deleteIfExists(log);
    return log;
  }

  // --- the world -----------------------------------------------------------------------------

  FaultWorld start() throws Exception {
    temporal.start();
    if (!inRegistry.isEmpty()) {
      dockerRegistry.start();
    }
    startPostgres();
    createRepository();
    startGitDaemon();
    startHealth();
    startWatcher();
    writeConfig();
    return this;
  }

  void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().setDataDirectory(postgresData).setCleanDataDirectory(false).setPort(postgresPort).start();
  }

  /** A clean shutdown (pg_ctl stop): what an operator or a failover does. */
  void stopPostgres() throws IOException {
    postgres.close();
    postgres = null;
  }

  String repositoryUrl() {
    return "git://127.0.0.1:" + gitPort + "/gitops.git";
  }

  private void createRepository() throws Exception {
    Files.createDirectories(gitRoot);
    git(gitRoot, "init", "-q", "--bare", "-b", "main", bare.toString());
    git(bare, "config", "gc.auto", "0");
    git(bare, "config", "receive.autogc", "false");
    Path hook = bare.resolve("hooks/pre-receive");
    Files.writeString(hook, "#!/bin/sh\n# the fault suite's outage drill: refuse every push while the flag exists\n"
        + "if [ -e '" + refuseFlag + "' ]; then echo refused >> '" + root.resolve("refused-pushes.log") + "'; "
        + "echo 'faults: pushes refused (outage drill)' >&2; exit 1; fi\nexit 0\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    // when each push landed, for the benchmarks: one line per ref update, nothing polled
    Path landed = bare.resolve("hooks/post-receive");
    Files.writeString(landed, "#!/bin/sh\nwhile read old new ref; do echo \"$(date +%s%N) $old $new $ref\" >> '"
        + root.resolve("pushes.log") + "'; done\nexit 0\n");
    Files.setPosixFilePermissions(landed, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path work = root.resolve("seed");
    git(root, "clone", "-q", bare.toString(), work.toString());
    for (String s : services) {
      Files.writeString(work.resolve(valuesFile(s)),
          "# Values for " + s + " in dev. Gantry pins image.digest.\nimage:\n  repository: " + s + "\n  digest: \"\"\nreplicas: 1\n");
    }
    git(work, "add", "-A");
    git(work, "-c", "user.name=faults", "-c", "user.email=faults@localhost", "commit", "-q", "-m", "seed values");
    git(work, "push", "-q", "origin", "HEAD:main");
  }

  static String valuesFile(String service) {
    return "values-" + service + ".yaml";
  }

  private void startGitDaemon() throws Exception {
    gitPort = GantryProcess.freePort();
    gitDaemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + gitPort,
        "--base-path=" + gitRoot, "--export-all", "--enable=receive-pack", "--informative-errors", gitRoot.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(freshLog("git-daemon.log").toFile())).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      if (!gitDaemon.isAlive()) {
        throw new IllegalStateException("git daemon exited with " + gitDaemon.exitValue() + "; see target/faults/git-daemon.log");
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gitPort)) {
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("git daemon did not listen on " + gitPort + " within 20 s");
        }
        Thread.sleep(50);
      }
    }
  }

  /** The environment's health: the digest the values file pins on main now, always healthy. */
  private void startHealth() throws IOException {
    health = new PinnedHealth(bare, services, FaultWorld::valuesFile);
  }

  String healthUrl(String service) {
    return health.url(service);
  }

  /** What main pins per service now. */
  Map<String, String> pinned() throws IOException {
    return health.pinned();
  }

  /** Notes each move of main: the first one after a restart is the first promotion progressing again. */
  private void startWatcher() {
    watcher = Thread.ofPlatform().daemon().name("faults-git-watcher").start(() -> {
      String last = null;
      while (!closing) {
        try {
          String now = Files.readString(bare.resolve("refs/heads/main")).strip();
          if (last != null && !now.equals(last)) {
            pushes.add(System.nanoTime());
          }
          last = now;
          Thread.sleep(20);
        } catch (IOException racingWithGit) {
          // the ref is being rewritten; read it again
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /** Nanos from {@code since} to the first push after it, or -1 if none yet. */
  long firstPushAfter(long since) {
    return pushes.stream().filter(t -> t > since).mapToLong(t -> t - since).min().orElse(-1);
  }

  // --- Gantry --------------------------------------------------------------------------------

  private void writeConfig() throws IOException {
    StringBuilder y = new StringBuilder();
    y.append("spring:\n  datasource:\n")
        .append("    url: jdbc:postgresql://127.0.0.1:").append(postgresPort).append("/postgres\n")
        .append("    username: postgres\n    password: postgres\n")
        .append("    hikari:\n      connection-timeout: ").append(DB_CONNECTION_TIMEOUT_MS).append('\n');
    y.append("gantry:\n")
        .append("  data-dir: ").append(root.resolve("gantry")).append('\n')
        .append("  temporal: {embedded: false, target: \"").append(temporal.target()).append("\", namespace: ").append(NAMESPACE).append("}\n")
        .append("  database: {embedded: false}\n")
        .append("  signing: {key: \"classpath:demo/gantry-signing-key.pem\"}\n")
        .append("  registries: {allowed: [\"oci:").append(oci).append("\", \"").append(dockerRegistry.host())
        .append("\"], insecure: [\"").append(dockerRegistry.host()).append("\"], timeout: 5s}\n")
        .append("  services:\n");
    String provenanceKey = Files.readString(Path.of("src/main/resources/demo/provenance-key.pub")).strip().replace("\n", "\n          ");
    for (String s : services) {
      y.append("    - name: ").append(s).append('\n')
          .append("      image: \"").append(repository(s)).append("\"\n");
      if (gated.contains(s)) {
        y.append("      source-repository: https://github.com/faults/").append(s).append('\n')
            .append("      trusted-builders: [\"https://github.com/faults/").append(s).append("/.github/workflows/release.yml@refs/heads/*\"]\n")
            .append("      provenance-keys:\n        - |\n          ").append(provenanceKey).append('\n');
      }
      y.append("      environments:\n")
          .append("        - name: ").append(ENV).append('\n')
          .append("          approvals: ").append(approvals).append('\n')
          .append(approvals > 0 ? "          approver-group: approvers\n" : "")
          .append("          gitops: {repository: \"").append(repositoryUrl()).append("\", branch: main, file: ").append(valuesFile(s))
          .append(", path: image.digest").append(s.equals(OUTAGE_LIMITED) ? ", outage-limit: " + OUTAGE_LIMIT.toSeconds() + "s" : "").append("}\n")
          .append("          health-url: \"").append(healthUrl(s)).append("\"\n")
          .append("          live-timeout: 5m\n          soak-time: 0s\n          poll-interval: 500ms\n")
          .append("          evidence: {require: [").append(gated.contains(s) ? "provenance" : "").append("], wait-for: 0s}\n");
    }
    y.append("  users:\n")
        .append("    - {name: ").append(CI).append(", password: \"{noop}").append(CI).append("\", roles: [ci]}\n")
        .append("    - {name: ").append(READER).append(", password: \"{noop}").append(READER).append("\"}\n")
        .append("    - {name: ").append(APPROVER).append(", password: \"{noop}").append(APPROVER).append("\", groups: [approvers]}\n");
    config = root.resolve("gantry.yaml");
    Files.writeString(config, y.toString());
  }

  /** Starts Gantry (again): the same configuration, data and port every time. */
  GantryProcess startGantry(String... jvmArgs) throws Exception {
    gantryStarts++;
    Path log = freshLog("gantry-" + gantryStarts + ".log");
    gantry = new GantryProcess(root.resolve("gantry"), log, gantryPort)
        .withJvmArgs(jvmArgs)
        .startServer("--spring.config.additional-location=file:" + config);
    return gantry;
  }

  // --- releases ------------------------------------------------------------------------------

  record Release(String service, String commit, String digest) {
    String promotionPrefix() {
      return "promotion/" + service + "/" + ENV + "/" + commit + "/";
    }

    @Override
    public String toString() {
      return service + "@" + commit.substring(0, 8);
    }
  }

  /** Builds release {@code k} of a service into the layout, tagged as CI tags it. */
  Release image(String service, int k) {
    String commit = commitOf(service, k);
    OciImageWriter image = new OciImageWriter().file("app/version", service + " build " + k + "\n");
    String digest = inRegistry.contains(service)
        ? image.push(new ImageRef(repository(service), Digests.defaultTag(commit)), registry)
        : image.writeLayout(oci.resolve(service), Digests.defaultTag(commit));
    return new Release(service, commit, digest);
  }

  /** The service's image repository: in the OCI layout, or in the docker-registry. */
  String repository(String service) {
    return inRegistry.contains(service) ? dockerRegistry.host() + "/" + service : "oci:" + oci + "/" + service;
  }

  ImageRef imageRef(Release r) {
    return new ImageRef(repository(r.service()), r.digest());
  }

  static String commitOf(String service, int k) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest((service + "/" + k).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Commits on main per promotion workflow id ({@code promotion/<service>/<env>/<commit>}). */
  Map<String, Integer> promotionCommits() throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
        RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(repo.resolve("refs/heads/main")));
      for (RevCommit c : walk) {
        for (String v : c.getFooterLines("Gantry-Promotion")) {
          counts.merge(promotionKey(v), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  /** A {@code Gantry-Promotion} trailer is {@code <workflow id>/<run id>}; the workflow id has four segments. */
  private static String promotionKey(String trailer) {
    String[] parts = trailer.strip().split("/");
    return parts.length >= 4 ? String.join("/", List.of(parts).subList(0, 4)) : trailer.strip();
  }

  /**
   * When each promotion's commit reached main (epoch milliseconds, from the post-receive hook),
   * per promotion workflow id as in {@link #promotionCommits()}.
   */
  Map<String, Double> promotionLandedAt() throws IOException {
    Map<String, Double> landed = new HashMap<>();
    Path log = root.resolve("pushes.log");
    if (!Files.exists(log)) {
      return landed;
    }
    try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build()) {
      for (String line : Files.readAllLines(log)) {
        String[] f = line.strip().split(" ");
        if (f.length < 4 || !f[3].equals("refs/heads/main")) {
          continue;
        }
        double at = Long.parseLong(f[0]) / 1e6;
        try (RevWalk walk = new RevWalk(repo)) {
          walk.markStart(walk.parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(f[2])));
          if (!f[1].matches("0+")) {
            walk.markUninteresting(walk.parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(f[1])));
          }
          for (RevCommit c : walk) {
            for (String v : c.getFooterLines("Gantry-Promotion")) {
              landed.merge(promotionKey(v), at, Math::min);
            }
          }
        }
      }
    }
    return landed;
  }

  /** How many pushes the pre-receive hook refused so far. */
  int refusedPushes() throws IOException {
    Path log = root.resolve("refused-pushes.log");
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }

  /** A workflow's full history from the Temporal server, as an operator reads it. */
  List<io.temporal.api.history.v1.HistoryEvent> history(String workflowId) {
    var stubs = io.temporal.serviceclient.WorkflowServiceStubs.newServiceStubs(
        io.temporal.serviceclient.WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    try {
      List<io.temporal.api.history.v1.HistoryEvent> events = new ArrayList<>();
      com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
      do {
        var resp = stubs.blockingStub().getWorkflowExecutionHistory(
            io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest.newBuilder()
                .setNamespace(NAMESPACE)
                .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                .setNextPageToken(page)
                .build());
        events.addAll(resp.getHistory().getEventsList());
        page = resp.getNextPageToken();
      } while (!page.isEmpty());
      return events;
    } finally {
      stubs.shutdownNow();
    }
  }

  // --- API -----------------------------------------------------------------------------------

  /**
   * POSTs the release until Gantry answers 201 or 200 (a retried start returns the running one);
   * connection failures and 5xx while Gantry is down or starting are retried until the deadline.
   */
  void startRelease(Release r, Duration within) throws Exception {
    String body = "{\"service\":\"" + r.service() + "\",\"commit\":\"" + r.commit() + "\",\"author\":\"dev-" + r.service() + "\"}";
    long deadline = System.nanoTime() + within.toNanos();
    String last = "nothing";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> resp = gantry.send("POST", "/api/v1/releases", CI, body);
        if (resp.statusCode() == 200 || resp.statusCode() == 201) {
          return;
        }
        last = resp.statusCode() + " " + resp.body();
        if (resp.statusCode() < 500) {
          throw new AssertionError("starting " + r + " was refused: " + last);
        }
      } catch (IOException down) {
        last = down.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("could not start " + r + " within " + within + "; last: " + last);
  }

  /** Polls the release view until dev reaches an end state; returns it, or TIMEOUT with what was last seen. */
  String awaitEnd(Release r, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "nothing";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> resp = gantry.get("/api/v1/releases/" + r.service() + "/" + r.commit(), READER);
        if (resp.statusCode() == 200) {
          JsonNode env = GantryProcess.json(resp).path("environments").path(0);
          String state = env.path("state").asText();
          last = state + (env.hasNonNull("reason") ? " (" + env.get("reason").asText() + ")" : "");
          if (List.of("PROMOTED", "FAILED", "REFUSED", "COMPENSATED", "REJECTED", "EXPIRED", "SUPERSEDED").contains(state)) {
            return last;
          }
        } else {
          last = resp.statusCode() + " " + resp.body();
        }
      } catch (IOException down) {
        last = down.toString();
      }
      Thread.sleep(500);
    }
    return "TIMEOUT after " + within + "; last seen: " + last;
  }

  /** The catalog's current digest of the service's dev environment. */
  String catalogCurrent(String service) throws Exception {
    HttpResponse<String> resp = gantry.get("/api/v1/services/" + service + "/environments/" + ENV, READER);
    if (resp.statusCode() != 200) {
      throw new AssertionError("GET environment of " + service + " answered " + resp.statusCode() + ": " + resp.body());
    }
    return GantryProcess.json(resp).path("current").path("digest").asText(null);
  }

  // --- helpers -------------------------------------------------------------------------------

  static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + " failed in " + dir + ": " + out);
    }
  }

  @Override
  public void close() {
    closing = true;
    List<Exception> problems = new ArrayList<>();
    dockerRegistry.close();
    if (gantry != null) {
      gantry.close();
    }
    if (health != null) {
      health.close();
    }
    if (gitDaemon != null && gitDaemon.isAlive()) {
      gitDaemon.destroy();
      try {
        if (!gitDaemon.waitFor(10, TimeUnit.SECONDS)) {
          gitDaemon.destroyForcibly();
        }
      } catch (InterruptedException e) {
        gitDaemon.destroyForcibly();
      }
    }
    try {
      temporal.close();
    } catch (Exception e) {
      problems.add(e);
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        problems.add(e);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("stopping the fault world: " + problems);
    }
  }
}
