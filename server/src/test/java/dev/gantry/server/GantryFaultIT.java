package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.registry.Attachments;
import dev.gantry.server.FaultWorld.Release;
import dev.gantry.signing.CosignSigner;
import dev.gantry.signing.CosignVerifier;
import dev.gantry.signing.SigningActivitiesImpl;
import dev.gantry.signing.VerificationSummaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite (issue 6): Gantry in durable mode against real peers, with its own process, the
 * Temporal server and its other peers killed or cut off while promotions run. Every scenario ends
 * with the same checks: every release reached its end state, each promotion's GitOps change is on
 * main exactly once, nothing was signed or attested twice, and the catalog agrees with the
 * repository. Figures are printed as a table and written to target/fault-results.md; nothing is
 * asserted about timings. Run with {@code ./gantry faults}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GantryFaultIT {
  static final int SERVICES = 20;
  static final int RELEASES_PER_SERVICE = 10;
  /** Services whose images live in the docker-registry that scenario F stops. */
  static final List<String> REGISTRY_SERVICES = List.of("reg-00", "reg-01", "reg-02", "reg-03", "reg-04");
  static final int KILLS = 5;
  static final Duration PER_RELEASE = Duration.ofMinutes(6);

  @TempDir static Path root;
  static FaultWorld world;
  static final List<Row> results = new CopyOnWriteArrayList<>();
  /** Every release started so far and its end state: later scenarios check the catalog over all of them. */
  static final Map<String, Release> latest = new ConcurrentHashMap<>();

  /** One line of the results table. */
  record Row(String scenario, int promotions, int kills, int restarts, int duplicates, int lost, List<Long> recoverMs, long wallMs, String note) {}

  static List<String> serviceNames() {
    return IntStream.range(0, SERVICES).mapToObj(i -> String.format("svc-%02d", i)).toList();
  }

  @BeforeAll
  static void startWorld() throws Exception {
    List<String> all = new ArrayList<>(serviceNames());
    all.add("poison");
    all.add(FaultWorld.OUTAGE_LIMITED);
    all.addAll(REGISTRY_SERVICES);
    world = new FaultWorld(root, all, List.of("poison"), REGISTRY_SERVICES).start();
    world.startGantry();
  }

  @AfterAll
  static void stopWorld() throws Exception {
    try {
      writeResults();
    } finally {
      if (world != null) {
        world.close();
      }
    }
  }

  // --- scenarios -----------------------------------------------------------------------------

  @Test
  @Order(1)
  void a_gantrySigkilledRepeatedlyDuring200Promotions() throws Exception {
    long seed = Long.getLong("gantry.faults.seed", System.nanoTime());
    System.out.println("FAULTS: scenario A seed " + seed + " (rerun with -Dgantry.faults.seed=" + seed + ")");
    Random random = new Random(seed);
    List<String> services = serviceNames();
    long t0 = System.nanoTime();
    Batch batch = new Batch(services, 0, RELEASES_PER_SERVICE);
    batch.start();

    List<Long> recover = new ArrayList<>();
    List<Long> apiReady = new ArrayList<>();
    int kills = 0;
    int killsInFlight = 0;
    while (kills < KILLS) {
      Thread.sleep(3_000 + random.nextInt(7_000));
      boolean inFlight = batch.inFlight.get() > 0;
      world.gantry.kill();
      kills++;
      killsInFlight += inFlight ? 1 : 0;
      long restart = System.nanoTime();
      world.startGantry();
      apiReady.add((System.nanoTime() - restart) / 1_000_000);
      long r = awaitPushAfter(restart, batch, Duration.ofMinutes(4));
      recover.add(r);
      System.out.printf("FAULTS: kill %d (%d in flight): restart to API ready %d ms, to the first GitOps push %s%n",
          kills, batch.inFlight.get(), apiReady.getLast(), r < 0 ? "none (nothing left to push)" : r + " ms");
    }
    List<Outcome> outcomes = batch.await();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    Check check = check(outcomes);
    results.add(new Row("A: Gantry SIGKILL x" + kills, outcomes.size(), kills, kills, check.duplicates, check.lost, recover, wall,
        "max in flight " + batch.maxInFlight.get() + "; restart to API ready " + apiReady + " ms"));
    assertThat(killsInFlight).as("kills that landed while promotions were in flight").isEqualTo(KILLS);
    assertThat(batch.maxInFlight.get()).as("promotions in flight at once").isGreaterThanOrEqualTo(20);
    check.assertClean();
  }

  @Test
  @Order(2)
  void b_temporalServerSigkilledMidFlight() throws Exception {
    List<String> services = serviceNames().subList(0, 5);
    long t0 = System.nanoTime();
    Batch batch = new Batch(services, RELEASES_PER_SERVICE, 4);
    batch.start();
    List<Long> recover = new ArrayList<>();
    int kills = 0;
    for (int i = 0; i < 2; i++) {
      awaitInFlight(batch, Duration.ofMinutes(2));
      Thread.sleep(2_000);
      world.temporal.kill();
      kills++;
      long restart = System.nanoTime();
      world.temporal.start();
      long r = awaitPushAfter(restart, batch, Duration.ofMinutes(4));
      recover.add(r);
      System.out.printf("FAULTS: Temporal kill %d: restart to the first GitOps push %s%n", kills, r < 0 ? "none" : r + " ms");
    }
    List<Outcome> outcomes = batch.await();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    Check check = check(outcomes);
    results.add(new Row("B: Temporal server SIGKILL x" + kills, outcomes.size(), kills, kills, check.duplicates, check.lost, recover, wall, ""));
    check.assertClean();
  }

  /**
   * A poisoned input: the image carries a provenance attestation whose statement is not JSON. The
   * release must be refused at once with the reason, each activity having run once (the history
   * shows attempt 1 everywhere and no failed or timed-out attempt), and nothing reaches git or
   * gets Gantry's signature.
   */
  @Test
  @Order(3)
  void c_aPoisonedEvidenceDocumentFailsClosedAtOnceWithoutRetries() throws Exception {
    long t0 = System.nanoTime();
    Release r = world.image("poison", 0);
    byte[] garbage = "this is not an in-toto statement {{{ \u0000".getBytes(StandardCharsets.UTF_8);
    // signed by CI's provenance key, so the gate gets past the signature to the statement itself
    var ci = dev.gantry.signing.PemSigner.read(Path.of("src/main/resources/demo/provenance-key.pem"), null);
    byte[] sig = ci.sign(dev.gantry.evidence.Dsse.pae("application/vnd.in-toto+json", garbage));
    String envelope = "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\""
        + java.util.Base64.getEncoder().encodeToString(garbage) + "\",\"signatures\":[{\"sig\":\""
        + java.util.Base64.getEncoder().encodeToString(sig) + "\"}]}";
    dev.gantry.registry.AttestationWriter.attach(world.imageRef(r), envelope.getBytes(StandardCharsets.UTF_8),
        "https://slsa.dev/provenance/v1", dev.gantry.registry.AttestationWriter.Form.LEGACY_ATT, world.registry);

    world.startRelease(r, Duration.ofMinutes(2));
    String end = world.awaitEnd(r, Duration.ofMinutes(3));
    long wall = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("FAULTS: poisoned release ended " + end + " after " + wall + " ms");

    var history = world.history("release/poison/" + r.commit());
    Map<String, Integer> scheduled = new LinkedHashMap<>();
    List<String> retried = new ArrayList<>();
    Map<Long, String> types = new java.util.HashMap<>();
    for (var e : history) {
      if (e.hasActivityTaskScheduledEventAttributes()) {
        String type = e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
        types.put(e.getEventId(), type);
        scheduled.merge(type, 1, Integer::sum);
      } else if (e.hasActivityTaskStartedEventAttributes() && e.getActivityTaskStartedEventAttributes().getAttempt() != 1) {
        retried.add(types.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId()) + " attempt "
            + e.getActivityTaskStartedEventAttributes().getAttempt());
      } else if (e.hasActivityTaskFailedEventAttributes() || e.hasActivityTaskTimedOutEventAttributes()) {
        retried.add("event " + e.getEventId() + " " + e.getEventType());
      }
    }
    System.out.println("FAULTS: poisoned release's activities: " + scheduled + ", retried: " + retried);
    int lost = end.startsWith("REFUSED") ? 0 : 1;
    results.add(new Row("C: poisoned evidence document", 1, 0, 0, 0, lost, List.of(), wall,
        "ended " + end.replace("|", "/") + "; activities " + scheduled + ", retried " + retried));

    assertThat(end).startsWith("REFUSED").contains("provenance");
    assertThat(retried).as("activities retried for the poisoned release").isEmpty();
    assertThat(scheduled).containsKeys("CollectEvidence", "AssessEvidence").doesNotContainKeys("SignRelease");
    assertThat(world.promotionCommits()).doesNotContainKey("promotion/poison/dev/" + r.commit());
    assertThat(CosignVerifier.verify(world.imageRef(r), List.of(world.gantryKey), world.registry).verified()).isEmpty();
  }

  /**
   * PostgreSQL stopped for 30 s while promotions run: the activities that need it fail and retry,
   * and every promotion completes after it is back; meanwhile the release view (a workflow query,
   * no database) answers without a 5xx.
   */
  @Test
  @Order(4)
  void d_postgresStoppedFor30sDuringPromotions() throws Exception {
    List<String> services = serviceNames().subList(5, 10);
    long t0 = System.nanoTime();
    Batch batch = new Batch(services, RELEASES_PER_SERVICE, 3);
    batch.start();
    awaitInFlight(batch, Duration.ofMinutes(2));
    Thread.sleep(1_000);
    world.stopPostgres();
    long stopped = System.nanoTime();
    Map<String, Integer> views = new java.util.TreeMap<>();
    Map<String, Integer> catalogReads = new java.util.TreeMap<>();
    while (System.nanoTime() - stopped < Duration.ofSeconds(30).toNanos()) {
      for (String s : services) {
        Release current = batch.current.get(s);
        if (current == null) {
          continue;
        }
        var view = world.gantry.get("/api/v1/releases/" + s + "/" + current.commit(), FaultWorld.READER);
        views.merge(String.valueOf(view.statusCode()), 1, Integer::sum);
      }
      var env = world.gantry.get("/api/v1/services/" + services.getFirst() + "/environments/" + FaultWorld.ENV, FaultWorld.READER);
      catalogReads.merge(String.valueOf(env.statusCode()), 1, Integer::sum);
      Thread.sleep(500);
    }
    long restart = System.nanoTime();
    world.startPostgres();
    long r = awaitPushAfter(restart, batch, Duration.ofMinutes(4));
    List<Outcome> outcomes = batch.await();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    Check check = check(outcomes);
    System.out.println("FAULTS: PostgreSQL down 30 s: release views answered " + views + ", catalog reads answered " + catalogReads);
    results.add(new Row("D: PostgreSQL stopped 30 s", outcomes.size(), 0, 1, check.duplicates, check.lost, List.of(r), wall,
        "release views (workflow query) meanwhile: " + views + "; catalog reads (need the database): " + catalogReads));
    assertThat(views.keySet()).as("statuses of GET /releases/{service}/{commit} while PostgreSQL was down").allMatch(k -> !k.startsWith("5"));
    check.assertClean();
  }

  /**
   * The git remote refusing every push for 30 s (its pre-receive hook): the pin fails as a
   * retryable push rejection, Temporal retries it with backoff, and after the outage every
   * promotion lands exactly once.
   */
  @Test
  @Order(5)
  void e_gitRemoteRefusingPushesFor30s() throws Exception {
    List<String> services = serviceNames().subList(10, 15);
    Files.writeString(world.refuseFlag, "outage drill\n");
    long refusedFrom = System.nanoTime();
    long t0 = System.nanoTime();
    Batch batch = new Batch(services, RELEASES_PER_SERVICE, 2);
    batch.start();
    Thread.sleep(Math.max(0, Duration.ofSeconds(30).toMillis() - (System.nanoTime() - refusedFrom) / 1_000_000));
    int refusals = world.refusedPushes();
    Files.delete(world.refuseFlag);
    long restored = System.nanoTime();
    long r = awaitPushAfter(restored, batch, Duration.ofMinutes(4));
    List<Outcome> outcomes = batch.await();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    Check check = check(outcomes);
    System.out.println("FAULTS: git remote refused " + refusals + " pushes in 30 s; first push " + r + " ms after it accepted again");
    results.add(new Row("E: git remote refusing pushes 30 s", outcomes.size(), 0, 0, check.duplicates, check.lost, List.of(r), wall,
        refusals + " pushes refused by the pre-receive hook during the outage"));
    assertThat(refusals).as("pushes the remote refused during the outage (the drill must have bitten)").isPositive();
    check.assertClean();
  }

  /**
   * An outage longer than the environment's limit ({@code gitops.outage-limit}, 15 s here): the
   * promotion ends FAILED with the reason once the limit is spent, and nothing reached git.
   */
  @Test
  @Order(6)
  void e2_anOutageLongerThanTheLimitEndsThePromotionClosed() throws Exception {
    Files.writeString(world.refuseFlag, "outage drill (longer than the limit)\n");
    long t0 = System.nanoTime();
    String end;
    Release r;
    try {
      r = world.image(FaultWorld.OUTAGE_LIMITED, 0);
      world.startRelease(r, Duration.ofMinutes(1));
      end = world.awaitEnd(r, Duration.ofMinutes(2));
    } finally {
      Files.deleteIfExists(world.refuseFlag);
    }
    long wall = (System.nanoTime() - t0) / 1_000_000;
    int commits = world.promotionCommits().getOrDefault(r.promotionPrefix().substring(0, r.promotionPrefix().length() - 1), 0);
    System.out.println("FAULTS: outage longer than " + FaultWorld.OUTAGE_LIMIT + ": ended " + end + " after " + wall + " ms");
    results.add(new Row("E2: git refusing pushes longer than the limit (" + FaultWorld.OUTAGE_LIMIT.toSeconds() + " s)", 1, 0, 0,
        Math.max(0, commits - 1), 0, List.of(), wall, "ended " + end.replace("|", "/") + "; commits on main: " + commits));
    assertThat(end).startsWith("FAILED").contains("outage limit");
    assertThat(commits).as("GitOps commits of the promotion that ran out of time").isZero();
  }

  /**
   * The registry stopped for 30 s while releases of the services whose images it holds start:
   * resolving, signing and attesting retry with backoff, and after it is back every promotion
   * lands exactly once.
   */
  @Test
  @Order(7)
  void f_registryStoppedFor30s() throws Exception {
    long t0 = System.nanoTime();
    Batch batch = new Batch(REGISTRY_SERVICES, 0, 2);
    batch.start();
    Thread.sleep(1000); // some are resolving or signing when it goes
    world.dockerRegistry.stop();
    long stopped = System.nanoTime();
    Thread.sleep(Duration.ofSeconds(30).toMillis());
    world.dockerRegistry.start();
    long restored = System.nanoTime();
    long r = awaitPushAfter(restored, batch, Duration.ofMinutes(4));
    List<Outcome> outcomes = batch.await();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    Check check = check(outcomes);
    System.out.println("FAULTS: registry down " + (restored - stopped) / 1_000_000 + " ms; first push " + r + " ms after it was back");
    results.add(new Row("F: registry stopped 30 s", outcomes.size(), 0, 1, check.duplicates, check.lost, List.of(r), wall,
        "docker-registry SIGKILLed and started again on the same storage"));
    check.assertClean();
  }

  // --- driving releases ----------------------------------------------------------------------

  record Outcome(Release release, String end) {}

  /** Each service's releases one after another (the next starts once the previous ended), services in parallel. */
  static final class Batch {
    final List<String> services;
    final int from;
    final int count;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicBoolean done = new AtomicBoolean();
    /** The release each service is on now. */
    final Map<String, Release> current = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Future<List<Outcome>>> futures = new ArrayList<>();

    Batch(List<String> services, int from, int count) {
      this.services = services;
      this.from = from;
      this.count = count;
    }

    void start() {
      // build the images first: CI has pushed them before it starts a release
      Map<String, List<Release>> planned = new LinkedHashMap<>();
      for (String s : services) {
        planned.put(s, IntStream.range(from, from + count).mapToObj(k -> world.image(s, k)).toList());
      }
      for (List<Release> releases : planned.values()) {
        futures.add(pool.submit(() -> {
          List<Outcome> out = new ArrayList<>();
          for (Release r : releases) {
            current.put(r.service(), r);
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
              world.startRelease(r, PER_RELEASE);
              out.add(new Outcome(r, world.awaitEnd(r, PER_RELEASE)));
            } catch (AssertionError | Exception e) {
              out.add(new Outcome(r, "ERROR " + e.getMessage()));
            } finally {
              inFlight.decrementAndGet();
            }
            latest.put(r.service(), r);
          }
          return out;
        }));
      }
    }

    List<Outcome> await() throws Exception {
      List<Outcome> all = new ArrayList<>();
      for (Future<List<Outcome>> f : futures) {
        all.addAll(f.get());
      }
      done.set(true);
      pool.shutdown();
      return all;
    }

    boolean finished() {
      return futures.stream().allMatch(Future::isDone);
    }
  }

  static void awaitInFlight(Batch batch, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (batch.inFlight.get() == 0) {
      if (System.nanoTime() > deadline || batch.finished()) {
        throw new AssertionError("no promotion in flight within " + within);
      }
      Thread.sleep(100);
    }
  }

  /** Millis from {@code since} to the first GitOps push after it; -1 when the batch ended without one. */
  static long awaitPushAfter(long since, Batch batch, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      long n = world.firstPushAfter(since);
      if (n >= 0) {
        return n / 1_000_000;
      }
      if (batch.finished()) {
        return -1;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no GitOps push within " + within + " of the restart; " + batch.inFlight.get() + " promotions in flight");
  }

  // --- checks --------------------------------------------------------------------------------

  /** What the end checks found; {@link #assertClean} fails with all of it at once. */
  static final class Check {
    int duplicates;
    int lost;
    final List<String> problems = new ArrayList<>();

    void assertClean() {
      assertThat(problems).as("duplicates %d, lost %d", duplicates, lost).isEmpty();
      assertThat(duplicates).isZero();
      assertThat(lost).isZero();
    }
  }

  static Check check(List<Outcome> outcomes) throws Exception {
    Check c = new Check();
    Map<String, Integer> commits = world.promotionCommits();
    for (Outcome o : outcomes) {
      Release r = o.release();
      if (!o.end().startsWith("PROMOTED")) {
        c.lost++;
        c.problems.add(r + " ended " + o.end());
      }
      int n = commits.getOrDefault(r.promotionPrefix().substring(0, r.promotionPrefix().length() - 1), 0);
      if (n != 1) {
        c.problems.add(r + ": " + n + " commits on main carry its Gantry-Promotion trailer, expected 1");
        if (n > 1) {
          c.duplicates += n - 1;
        } else if (o.end().startsWith("PROMOTED")) {
          c.lost++;
        }
      }
      signaturesOnce(r, c);
    }
    for (String s : outcomes.stream().map(o -> o.release().service()).distinct().toList()) {
      String pinned = world.pinned().get(s);
      String catalog = world.catalogCurrent(s);
      Release last = latest.get(s);
      if (!pinned.equals(catalog)) {
        c.problems.add(s + ": the catalog says dev runs " + catalog + ", the repository pins " + pinned);
      }
      if (last != null && !pinned.equals(last.digest())) {
        c.problems.add(s + ": the repository pins " + pinned + ", the last release promoted was " + last.digest());
      }
    }
    return c;
  }

  /** Gantry's signature for dev and its verification summary, each exactly once per form. */
  static void signaturesOnce(Release r, Check c) {
    var image = world.imageRef(r);
    var keys = List.of(world.gantryKey);
    CosignVerifier.Result verified = CosignVerifier.verify(image, keys, Map.of(SigningActivitiesImpl.ENVIRONMENT, FaultWorld.ENV), world.registry);
    long legacy = verified.verified().stream().filter(v -> v.form() == CosignSigner.Form.LEGACY).count();
    long bundle = verified.verified().stream().filter(v -> v.form() == CosignSigner.Form.BUNDLE).count();
    // every layer under the .sig tag that names dev, verified or not: a second one is a duplicate either way
    long rawLegacy = Attachments.signatures(image, world.registry, Attachments.Limits.DEFAULT).stream()
        .filter(l -> new String(l.payload(), StandardCharsets.UTF_8).contains("\"" + SigningActivitiesImpl.ENVIRONMENT + "\":\"" + FaultWorld.ENV + "\""))
        .count();
    var summaries = VerificationSummaries.find(image, keys, FaultWorld.ENV, world.registry).found();
    long att = summaries.stream().filter(f -> f.source().endsWith(":att")).count(); // the .att tag; the rest are referrers
    long referrer = summaries.size() - att;
    String counts = "legacy " + legacy + " (layers naming dev " + rawLegacy + "), bundle " + bundle + ", summary .att " + att + ", summary referrer " + referrer;
    if (legacy != 1 || bundle != 1 || rawLegacy != 1 || att != 1 || referrer != 1) {
      c.problems.add(r + " " + r.digest() + ": Gantry's dev signatures and summaries: " + counts);
      c.duplicates += (int) (Math.max(0, rawLegacy - 1) + Math.max(0, bundle - 1) + Math.max(0, att - 1) + Math.max(0, referrer - 1));
    }
  }

  // --- results -------------------------------------------------------------------------------

  static void writeResults() throws Exception {
    StringBuilder t = new StringBuilder();
    t.append("| scenario | promotions | kills | restarts | duplicates | lost | recover after each kill (ms) | wall (s) | note |\n");
    t.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
    for (Row r : results) {
      t.append("| ").append(r.scenario()).append(" | ").append(r.promotions()).append(" | ").append(r.kills()).append(" | ")
          .append(r.restarts()).append(" | ").append(r.duplicates()).append(" | ").append(r.lost()).append(" | ")
          .append(recovery(r.recoverMs())).append(" | ").append(String.format("%.1f", r.wallMs() / 1000.0)).append(" | ").append(r.note()).append(" |\n");
    }
    String text = "# Fault suite results\n\nRecover = from the restart command to the first GitOps push made after it "
        + "(the first promotion progressing again).\n\n" + t;
    System.out.println("FAULTS: results\n" + t);
    Files.writeString(Path.of("target", "fault-results.md"), text);
  }

  static String recovery(List<Long> ms) {
    if (ms.isEmpty()) {
      return "–";
    }
    List<Long> sorted = new ArrayList<>(ms.stream().filter(m -> m >= 0).toList());
    Collections.sort(sorted);
    String list = ms.toString();
    if (sorted.isEmpty()) {
      return list;
    }
    return list + " (min " + sorted.getFirst() + ", p50 " + sorted.get((sorted.size() - 1) / 2) + ", max " + sorted.getLast() + ")";
  }
}
