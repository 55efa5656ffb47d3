package dev.gantry.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * 10,000 releases waiting for approval on one Gantry process (API and worker, virtual threads, the
 * default bounded workflow cache) against the real Temporal server: the heap it uses while they all
 * wait, then the latency from an approval to its GitOps commit for 100 approvals sent meanwhile.
 *
 * <p>{@code ./gantry bench scale [--services 100] [--releases-per-service 100] [--approvals 100]
 * [--xmx 1g]}. Needs the Temporal server binary (deploy/temporal/install.sh) and git.
 */
public final class ScaleBenchmark {

  public static void main(String[] args) throws Exception {
    int services = 100;
    int perService = 100;
    int approvals = 100;
    String xmx = "1g";
    String synchronous = "2";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--services" -> services = Integer.parseInt(args[++i]);
        case "--releases-per-service" -> perService = Integer.parseInt(args[++i]);
        case "--approvals" -> approvals = Integer.parseInt(args[++i]);
        case "--xmx" -> xmx = args[++i];
        case "--sqlite-synchronous" -> synchronous = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    int total = services * perService;
    List<String> names = IntStream.range(0, services).mapToObj(i -> String.format("scale-%03d", i)).toList();
    Path root = Files.createTempDirectory("gantry-bench-scale-");
    try (FaultWorld world = new FaultWorld(root, names, List.of())) {
      world.approvals = 1;
      world.temporal.withEnv("TEMPORAL_SQLITE_SYNCHRONOUS", synchronous);
      world.start();
      long t0 = System.nanoTime();
      List<FaultWorld.Release> releases = new ArrayList<>(total);
      for (int k = 0; k < perService; k++) {
        for (String s : names) {
          releases.add(world.image(s, k));
        }
      }
      System.out.printf("images: %d in %d layouts written in %.1f s%n", total, services, (System.nanoTime() - t0) / 1e9);

      GantryProcess gantry = world.startGantry("-Xmx" + xmx, "-XX:+UseG1GC");
      System.out.printf("gantry: pid %d, -Xmx%s, against Temporal %s (SQLite synchronous=%s)%n", gantry.pid(), xmx, world.temporal.target(), synchronous);

      // start them all, 16 at a time
      t0 = System.nanoTime();
      final long startedFrom = t0;
      AtomicInteger started = new AtomicInteger();
      try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
        List<Future<?>> jobs = new ArrayList<>();
        for (FaultWorld.Release r : releases) {
          jobs.add(pool.submit(() -> {
            world.startRelease(r, Duration.ofMinutes(5));
            int n = started.incrementAndGet();
            if (n % 1000 == 0) {
              System.out.printf("  %,d releases started (%.0f s)%n", n, (System.nanoTime() - startedFrom) / 1e9);
            }
            return null;
          }));
        }
        for (Future<?> j : jobs) {
          j.get();
        }
      }
      double startSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("started %,d releases in %.1f s (%.0f/s)%n", total, startSeconds, total / startSeconds);

      // every one waiting for its approval in dev
      t0 = System.nanoTime();
      Map<String, JsonNode> waiting = new ConcurrentHashMap<>();
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (waiting.size() < total && System.nanoTime() < deadline) {
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
          for (FaultWorld.Release r : releases) {
            if (!waiting.containsKey(r.commit())) {
              pool.submit(() -> {
                JsonNode env = environment(gantry, r);
                if (env != null && env.path("state").asText().equals("WAITING_FOR_APPROVAL")) {
                  waiting.put(r.commit(), env);
                }
                return null;
              });
            }
          }
        }
        System.out.printf("  %,d of %,d waiting for approval%n", waiting.size(), total);
      }
      if (waiting.size() < total) {
        throw new IllegalStateException("only " + waiting.size() + " of " + total + " releases reached WAITING_FOR_APPROVAL");
      }
      System.out.printf("all %,d waiting for approval %.1f s after the last start%n", total, (System.nanoTime() - t0) / 1e9);

      String heap = heapAfterGc(gantry.pid());
      System.out.println("heap after a full GC, all waiting: " + heap);

      // 100 approvals while they all wait, one every 250 ms, each timed to its commit on main
      Random random = new Random(42);
      // one release per service (the lane would supersede an older release queued behind a newer one)
      List<FaultWorld.Release> chosen = new ArrayList<>();
      for (int i = 0; i < approvals; i++) {
        String s = names.get(i % names.size());
        chosen.add(releases.get(random.nextInt(perService) * names.size() + names.indexOf(s)));
      }
      if (approvals > names.size()) {
        throw new IllegalArgumentException("--approvals must not exceed --services: one approval per service");
      }
      // sent and answered are this process's wall clock; landed is the git server's post-receive
      // hook on the same machine: nothing polls the repository while the approvals run
      Map<String, Long> sentWall = new ConcurrentHashMap<>();
      Map<String, Long> answeredAt = new ConcurrentHashMap<>();
      for (FaultWorld.Release r : chosen) {
        JsonNode env = waiting.get(r.commit());
        String body = "{\"comment\":\"bench\",\"evidenceBundle\":" + (env.hasNonNull("evidenceBundle") ? "\"" + env.get("evidenceBundle").asText() + "\"" : "null") + "}";
        long sent = System.nanoTime();
        long sentMillis = System.currentTimeMillis();
        HttpResponse<String> resp = gantry.send("POST", "/api/v1/releases/" + r.service() + "/" + r.commit() + "/environments/" + FaultWorld.ENV + "/approvals",
            FaultWorld.APPROVER, body);
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("approving " + r + " answered " + resp.statusCode() + ": " + resp.body());
        }
        answeredAt.put(key(r), (System.nanoTime() - sent) / 1_000_000);
        sentWall.put(key(r), sentMillis);
        Thread.sleep(250);
      }
      deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      Map<String, Double> landed = Map.of();
      while (System.nanoTime() < deadline) {
        landed = world.promotionLandedAt();
        if (landed.keySet().containsAll(sentWall.keySet())) {
          break;
        }
        Thread.sleep(1000);
      }
      List<Double> latencies = new ArrayList<>();
      for (var e : sentWall.entrySet()) {
        Double c = landed.get(e.getKey());
        if (c == null) {
          throw new IllegalStateException(e.getKey() + " was approved but never committed");
        }
        latencies.add(c - e.getValue());
      }
      Collections.sort(latencies);
      String heapAfter = heapAfterGc(gantry.pid());
      timeline(world, chosen, sentWall, answeredAt, landed);

      System.out.println();
      System.out.println("| figure | value |");
      System.out.println("| --- | --- |");
      System.out.printf("| releases waiting for approval | %,d (%d services × %d) |%n", total, services, perService);
      System.out.printf("| start rate (POST /releases, 16 clients) | %.0f/s |%n", total / startSeconds);
      System.out.printf("| heap used after full GC, all waiting (-Xmx%s) | %s |%n", xmx, heap);
      System.out.printf("| heap used after full GC, after the approvals | %s |%n", heapAfter);
      System.out.printf("| approval → GitOps commit, %d approvals: min / p50 / p99 / max | %.0f / %.0f / %.0f / %.0f ms |%n", latencies.size(),
          latencies.getFirst(), pct(latencies, 50), pct(latencies, 99), latencies.getLast());
      gantry.stop();
    }
  }

  /**
   * Where an approval's time goes: every history event of the release, its promotion and the
   * service's lane from the approval on, as the median offset across the approvals.
   */
  private static void timeline(FaultWorld world, List<FaultWorld.Release> chosen, Map<String, Long> sentWall,
      Map<String, Long> answeredAt, Map<String, Double> landed) {
    Map<String, List<Long>> offsets = new java.util.LinkedHashMap<>();
    for (FaultWorld.Release r : chosen) {
      long sent = sentWall.get(key(r));
      Map<String, Integer> seen = new java.util.HashMap<>();
      List<Map.Entry<Long, String>> events = new ArrayList<>();
      String release = dev.gantry.release.ReleaseRequest.workflowId(r.service(), r.commit());
      String promotion = "promotion/" + r.service() + "/" + FaultWorld.ENV + "/" + r.commit();
      String lane = "lane/" + r.service() + "/" + FaultWorld.ENV;
      for (String[] wf : new String[][] {{"release", release}, {"promotion", promotion}, {"lane", lane}}) {
        for (var e : world.history(wf[1])) {
          long at = e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
          if (at < sent) {
            continue;
          }
          String what = e.getEventType().name().replace("EVENT_TYPE_", "").toLowerCase();
          if (e.hasActivityTaskScheduledEventAttributes()) {
            what += " " + e.getActivityTaskScheduledEventAttributes().getActivityType().getName();
          }
          events.add(Map.entry(at - sent, wf[0] + ": " + what));
        }
      }
      events.add(Map.entry(answeredAt.get(key(r)), "api: approval answered"));
      events.add(Map.entry(Math.round(landed.get(key(r)) - sent), "git: commit landed on main (post-receive)"));
      events.sort(Map.Entry.comparingByKey());
      for (var e : events) {
        int n = seen.merge(e.getValue(), 1, Integer::sum);
        offsets.computeIfAbsent(n == 1 ? e.getValue() : e.getValue() + " #" + n, k -> new ArrayList<>()).add(e.getKey());
      }
    }
    System.out.println();
    System.out.println("| event after the approval (release, promotion, lane histories) | approvals | p50 ms |");
    System.out.println("| --- | ---: | ---: |");
    offsets.entrySet().stream()
        .map(e -> {
          List<Double> v = e.getValue().stream().map(Long::doubleValue).sorted().toList();
          return Map.entry(e.getKey() + " | " + v.size(), pct(v, 50));
        })
        .sorted(Map.Entry.comparingByValue())
        .forEach(e -> System.out.printf("| %s | %.0f |%n", e.getKey(), e.getValue()));
  }

  private static String key(FaultWorld.Release r) {
    String p = r.promotionPrefix();
    return p.substring(0, p.length() - 1);
  }

  private static JsonNode environment(GantryProcess gantry, FaultWorld.Release r) throws Exception {
    HttpResponse<String> resp = gantry.get("/api/v1/releases/" + r.service() + "/" + r.commit(), FaultWorld.READER);
    if (resp.statusCode() != 200) {
      return null;
    }
    return GantryProcess.json(resp).path("environments").path(0);
  }

  /** {@code jcmd GC.run}, then the used heap {@code GC.heap_info} reports. */
  private static String heapAfterGc(long pid) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    run(jcmd.toString(), Long.toString(pid), "GC.run");
    String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
    // "garbage-first heap total reserved 1048576K, committed 136192K, used 49476K [...]" (JDK 25)
    var used = java.util.regex.Pattern.compile("heap\\b.*?\\bused (\\d+)K").matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("jcmd GC.heap_info printed no used heap figure: " + info.strip());
    }
    return String.format("%.0f MB", Long.parseLong(used.group(1)) / 1024.0);
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
