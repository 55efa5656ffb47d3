package dev.gantry.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.server.demo.DemoEnvironment;
import dev.gantry.signing.CosignSigner;
import dev.gantry.signing.PemSigner;
import dev.gantry.signing.SigningActivitiesImpl;
import dev.gantry.signing.SummaryRequest;
import dev.gantry.signing.VerificationSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How long a rollback takes, from the API call to the pushed GitOps commit, including Gantry's
 * re-verification of CI's signature, its own signature and its verification summary; beside the
 * same work done by hand on the same machine: {@code cosign verify} (CI's key), {@code cosign verify
 * -a dev.gantry/environment=dev} (Gantry's key), {@code cosign verify-attestation --type
 * https://slsa.dev/verification_summary/v1}, then editing the values file, {@code git commit} and
 * {@code git push}.
 *
 * <p>{@code ./gantry bench rollback [--rounds N]}. Needs the server jar, cosign v3.1.3
 * (deploy/ci/install-cosign.sh), docker-registry, skopeo and git.
 */
public final class RollbackBenchmark {
  private static final String API = "/api/v1";
  private static final String DEV = "/services/storefront/environments/dev";

  public static void main(String[] args) throws Exception {
    int rounds = 100;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--rounds")) {
        rounds = Integer.parseInt(args[++i]);
      }
    }
    Path data = Files.createTempDirectory("gantry-bench-rollback-");
    Path log = Path.of("server", "target", "bench-rollback.log");
    Files.createDirectories(log.getParent());
    Files.deleteIfExists(log);
    String c1 = DemoEnvironment.commitOf(1);
    String c2 = DemoEnvironment.commitOf(2);
    List<Double> gantryMs = new ArrayList<>();
    List<Double> acceptedMs = new ArrayList<>();
    String d1;
    String d2;
    try (GantryProcess gantry = new GantryProcess(data, log).start("--gantry.demo.live-timeout=6s", "--gantry.demo.soak-time=1s")) {
      gantry.awaitState(c1, "dev", "PROMOTED", Duration.ofMinutes(2));
      var created = gantry.send("POST", API + "/releases", "ci", "{\"service\":\"storefront\",\"commit\":\"" + c2 + "\",\"author\":\"erin\"}");
      if (created.statusCode() != 201) {
        throw new IllegalStateException("POST /releases answered " + created.statusCode() + ": " + created.body());
      }
      gantry.awaitState(c2, "dev", "PROMOTED", Duration.ofMinutes(2));
      d1 = gantry.release(c1).get("digest").asText();
      d2 = gantry.release(c2).get("digest").asText();
      System.out.printf("demo: %s and %s promoted to dev; %d rollbacks, alternating%n", d1.substring(0, 19), d2.substring(0, 19), rounds);

      for (int i = 0; i < rounds; i++) {
        String target = i % 2 == 0 ? d1 : d2;
        String before = DemoGitOps.head(data);
        long t0 = System.nanoTime();
        var r = gantry.send("POST", API + DEV + "/rollbacks", "oncall", "{\"reason\":\"bench " + i + "\",\"digest\":\"" + target + "\"}");
        long accepted = System.nanoTime();
        if (r.statusCode() != 202) {
          throw new IllegalStateException("rollback " + i + " answered " + r.statusCode() + ": " + r.body());
        }
        String after;
        while ((after = DemoGitOps.head(data)).equals(before)) {
          Thread.onSpinWait();
          Thread.sleep(0, 200_000);
        }
        long pushed = System.nanoTime();
        if (!DemoGitOps.pinned(data, "values-dev.yaml").equals(target)) {
          throw new IllegalStateException("rollback " + i + " pushed " + after + " but values-dev.yaml does not pin " + target);
        }
        gantryMs.add((pushed - t0) / 1e6);
        acceptedMs.add((accepted - t0) / 1e6);
        awaitRolledBack(gantry, target, "bench " + i);
      }
    }

    // --- the same by hand -------------------------------------------------------------------
    Path work = Files.createTempDirectory("gantry-bench-manual-");
    Path cosign = Path.of(System.getProperty("user.home"), ".cache", "gantry", "cosign-v3.1.3", "cosign");
    if (!Files.isExecutable(cosign)) {
      throw new IllegalStateException("cosign v3.1.3 not found at " + cosign + ": run deploy/ci/install-cosign.sh");
    }
    Map<String, List<Double>> manual = new java.util.LinkedHashMap<>();
    for (String step : List.of("cosign verify (CI key)", "cosign verify (Gantry key, -a environment)", "cosign verify-attestation (VSA)",
        "edit + git commit", "git push", "total")) {
      manual.put(step, new ArrayList<>());
    }
    try (LocalRegistry registry = new LocalRegistry(work.resolve("registry")).start()) {
      String image = registry.host() + "/storefront";
      String tag = "sha-" + c1;
      run(work, "skopeo", "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false",
          "oci:" + data.resolve("oci").resolve("storefront") + ":" + tag, "docker://" + image + ":" + tag);
      RegistrySettings settings = RegistrySettings.allowing(registry.host()).withInsecure(registry.host());
      ImageRef ref = new ImageRef(image, d1);
      // what the demo's CI and Gantry left on the image in the layout, written again here
      // cosign v3 reads only bundles once an image has one (Gantry's): CI signs in both forms too
      CosignSigner.sign(ref, PemSigner.fromPem(resource("demo/provenance-key.pem")), Map.of(), CosignSigner.Form.LEGACY, settings);
      CosignSigner.sign(ref, PemSigner.fromPem(resource("demo/provenance-key.pem")), Map.of(), CosignSigner.Form.BUNDLE, settings);
      SigningActivitiesImpl gantrySigning = new SigningActivitiesImpl(settings, PemSigner.fromPem(resource("demo/gantry-signing-key.pem")),
          List.of(), sha -> Optional.empty(), "https://gantry.example");
      ReleaseRef release = new ReleaseRef("storefront", c1, image, d1);
      gantrySigning.sign(new dev.gantry.signing.SignRequest(release, "dev", null));
      gantrySigning.attestVerified(new SummaryRequest(release, "dev", null, "bench", Instant.now()));
      Path ciPub = Files.writeString(work.resolve("ci.pub"), resource("demo/provenance-key.pub"));
      Path gantryPub = Files.writeString(work.resolve("gantry.pub"), resource("demo/gantry-signing-key.pub"));
      Path clone = work.resolve("clone");
      run(work, "git", "clone", "--quiet", data.resolve("gitops.git").toString(), clone.toString());
      run(clone, "git", "config", "user.email", "oncall@example.com");
      run(clone, "git", "config", "user.name", "On-call");
      String digestRef = image + "@" + d1;
      int manualRounds = Math.max(5, rounds / 2);
      for (int i = 0; i < manualRounds; i++) {
        String pin = i % 2 == 0 ? d1 : d2;
        long t0 = System.nanoTime();
        long a = time(work, cosign.toString(), "verify", "--key", ciPub.toString(), "--insecure-ignore-tlog=true", digestRef);
        long b = time(work, cosign.toString(), "verify", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
            "-a", "dev.gantry/environment=dev", digestRef);
        long c = time(work, cosign.toString(), "verify-attestation", "--key", gantryPub.toString(), "--insecure-ignore-tlog=true",
            "--type", VerificationSummary.PREDICATE_TYPE, digestRef);
        long e0 = System.nanoTime();
        Path values = clone.resolve("values-dev.yaml");
        String text = Files.readString(values).replaceAll("sha256:[0-9a-f]{64}", pin);
        Files.writeString(values, text + (text.endsWith("\n") ? "" : "\n") + "# manual rollback " + i + "\n");
        run(clone, "git", "commit", "--quiet", "-am", "Roll back storefront in dev by hand (" + i + ")");
        long e = System.nanoTime() - e0;
        long p = time(clone, "git", "push", "--quiet", "origin", "HEAD:refs/heads/manual-bench");
        long total = System.nanoTime() - t0;
        manual.get("cosign verify (CI key)").add(a / 1e6);
        manual.get("cosign verify (Gantry key, -a environment)").add(b / 1e6);
        manual.get("cosign verify-attestation (VSA)").add(c / 1e6);
        manual.get("edit + git commit").add(e / 1e6);
        manual.get("git push").add(p / 1e6);
        manual.get("total").add(total / 1e6);
      }
    }

    System.out.println();
    System.out.println("| rollback, API call → pushed GitOps commit | n | min | p50 | p90 | max |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    row("Gantry (POST …/rollbacks, re-verification included)", gantryMs);
    row("  of which the API's 202", acceptedMs);

    for (var e : manual.entrySet()) {
      row("by hand: " + e.getKey(), e.getValue());
    }
    List<Long> waits = new ArrayList<>();
    var waited = java.util.regex.Pattern.compile("waited (\\d+) ms for run \\S+ \\(\\w+\\) to close");
    for (String line : Files.readAllLines(log)) {
      var m = waited.matcher(line);
      if (m.find()) {
        waits.add(Long.parseLong(m.group(1)));
      }
    }
    System.out.printf("%nof %d rollbacks, %d met the previous one still closing after it had recorded its outcome and waited for it"
        + " (at most %d ms); none was refused%n", gantryMs.size(), waits.size(), waits.stream().mapToLong(Long::longValue).max().orElse(0));
  }

  private static void awaitRolledBack(GantryProcess gantry, String digest, String reason) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = GantryProcess.json(gantry.get(API + DEV, "oncall"));
      for (JsonNode h : status.path("history")) {
        if (h.path("kind").asText().equals("ROLLBACK") && h.path("reason").asText().startsWith(reason)
            && !h.path("outcome").asText().equals("VERIFYING")) {
          if (!h.path("outcome").asText().equals("PROMOTED")) {
            throw new IllegalStateException("rollback to " + digest + " ended " + h.path("outcome").asText() + ": " + h.path("reason").asText());
          }
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("rollback to " + digest + " did not finish within 60 s");
  }

  private static void row(String what, List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    System.out.printf("| %s | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n", what, s.size(), s.getFirst(), pct(s, 50), pct(s, 90), s.getLast());
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RollbackBenchmark.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static long time(Path dir, String... command) throws Exception {
    long t0 = System.nanoTime();
    run(dir, command);
    return System.nanoTime() - t0;
  }

  private static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
