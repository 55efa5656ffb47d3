package dev.gantry.server;

import dev.gantry.evidence.PublicKeys;
import static dev.gantry.server.GantryProcess.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.model.ImageRef;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.signing.CosignVerifier;
import dev.gantry.signing.VerificationSummaries;
import dev.gantry.signing.VerificationSummary;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.demo.DemoEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo story through the HTTP API of the server jar running as its own process: release →
 * dev promoted → staging approved → production needs two approvers → health failure →
 * compensated → manual rollback → hold → restart reuses the data dir.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoStoryIT {
  private static final String API = "/api/v1";
  private static final String C1 = DemoEnvironment.commitOf(1);
  private static final String C2 = DemoEnvironment.commitOf(2);
  private static final String C3 = DemoEnvironment.commitOf(3);

  @TempDir static Path data;
  static GantryProcess gantry;
  static String d1;
  static String d2;

  @BeforeAll
  static void start() throws Exception {
    Path log = Path.of("target", "e2e-gantry.log");
    Files.createDirectories(log.getParent());
    Files.deleteIfExists(log);
    gantry = new GantryProcess(data, log).start("--gantry.demo.live-timeout=6s", "--gantry.demo.soak-time=2s");
  }

  @AfterAll
  static void stop() {
    if (gantry != null) {
      gantry.close();
    }
  }

  static JsonNode release(String commit) throws Exception {
    return gantry.release(commit);
  }

  static JsonNode environment(String commit, String name) throws Exception {
    return gantry.environment(commit, name);
  }

  static JsonNode await(String commit, String env, Predicate<JsonNode> condition, String what) throws Exception {
    return gantry.await(commit, env, condition, what, Duration.ofSeconds(60));
  }

  static JsonNode awaitState(String commit, String env, String state) throws Exception {
    return await(commit, env, e -> e.get("state").asText().equals(state), state);
  }

  static String pinned(String file) throws Exception {
    return DemoGitOps.pinned(data, file);
  }

  static long commitsWithTrailer(String key, String valuePrefix) throws Exception {
    return DemoGitOps.commitsWithTrailer(data, key, valuePrefix);
  }

  static int post(String path, String user, String body) throws Exception {
    return gantry.send("POST", API + path, user, body).statusCode();
  }

  static JsonNode problem(String method, String path, String user, String body, int status) throws Exception {
    var r = gantry.send(method, API + path, user, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    JsonNode p = json(r);
    assertThat(p.get("status").asInt()).isEqualTo(status);
    assertThat(p.get("detail").asText()).isNotBlank();
    return p;
  }

  @Test
  @Order(1)
  void theDemosFirstReleaseReachesDevByItself() throws Exception {
    JsonNode dev = awaitState(C1, "dev", "PROMOTED");
    d1 = release(C1).get("digest").asText();
    assertThat(dev.get("gitCommit").asText()).hasSize(40);
    assertThat(pinned("values-dev.yaml")).isEqualTo(d1);
    assertThat(commitsWithTrailer("Gantry-Promotion", "promotion/storefront/dev/" + C1 + "/")).isEqualTo(1);
    // Gantry signed the digest for dev in both cosign forms, naming the release and the environment
    String gantryKey = new String(DemoStoryIT.class.getResourceAsStream("/demo/gantry-signing-key.pub").readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    var signed = CosignVerifier.verify(
        new ImageRef("oci:" + data.resolve("oci").resolve("storefront"), d1),
        java.util.List.of(PublicKeys.fromPem(gantryKey)),
        java.util.Map.of("dev.gantry/environment", "dev", "dev.gantry/release", C1),
        RegistrySettings.allowing("oci:" + data.resolve("oci")));
    assertThat(signed.ok()).as(signed.reason()).isTrue();
    assertThat(signed.verified()).extracting(v -> v.form().name()).contains("LEGACY", "BUNDLE");
    // and, verified healthy there, attested it with a SLSA verification summary naming its evidence
    var summaries = VerificationSummaries.find(
        new ImageRef("oci:" + data.resolve("oci").resolve("storefront"), d1), java.util.List.of(PublicKeys.fromPem(gantryKey)), "dev",
        RegistrySettings.allowing("oci:" + data.resolve("oci")));
    assertThat(summaries.found()).as(String.join("; ", summaries.refusals())).hasSize(2); // .att and referrer
    assertThat(summaries.found().getFirst().summary().inputs()).extracting(VerificationSummary.Input::digest)
        .contains(environment(C1, "dev").get("evidenceBundle").asText());
    assertThat(summaries.found().getFirst().summary().verifiedLevels()).containsExactly("SLSA_BUILD_LEVEL_2");
    awaitState(C1, "staging", "WAITING_FOR_APPROVAL");
    var openapi = gantry.get("/v3/api-docs", null);
    assertThat(openapi.body()).contains("/api/v1/releases").contains("/api/v1/services/{service}/environments/{environment}/rollbacks");
  }

  @Test
  @Order(1)
  void theVulnerableBuildIsRefusedAtDevWithTheFindingThatBlocked() throws Exception {
    String c4 = DemoEnvironment.commitOf(4);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // the demo starts it once it is up
    while (gantry.get(API + "/releases/storefront/" + c4, "alice").statusCode() == 404 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    JsonNode dev = awaitState(c4, "dev", "REFUSED");
    assertThat(dev.get("reason").asText()).contains("scan FAIL").contains("CVE-2021-23337");
    assertThat(dev.get("gates").findValuesAsText("gate")).containsExactly("signature", "provenance", "sbom", "scan");
    assertThat(dev.get("gates").findValuesAsText("outcome")).containsExactly("PASS", "PASS", "PASS", "FAIL");
    assertThat(release(c4).get("status").asText()).isEqualTo("REFUSED");
    assertThat(commitsWithTrailer("Gantry-Promotion", "promotion/storefront/dev/" + c4 + "/")).isZero();

    // the evidence behind it: three attestations from the image, each used by its gate, and the bundle
    JsonNode evidence = json(gantry.get(API + "/releases/storefront/" + c4 + "/evidence", "alice"));
    assertThat(evidence.get("evidence").findValuesAsText("source")).contains("layout:att", "layout:referrer", "gantry");
    assertThat(evidence.get("bundles").findValuesAsText("sha256")).containsExactly(dev.get("evidenceBundle").asText());
    var bundle = gantry.get(API + "/evidence/" + dev.get("evidenceBundle").asText(), "alice");
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(json(bundle).at("/verdicts/3/findings").findValuesAsText("disposition")).contains("BLOCKED");
    JsonNode components = json(gantry.get(API + "/releases/storefront/" + c4 + "/sbom/components?limit=2", "alice"));
    assertThat(components.get("total").asInt()).isEqualTo(5);
    assertThat(components.get("components")).hasSize(2);
    assertThat(components.get("next").asText()).isNotBlank();

    // triage: which releases contain the vulnerable lodash, and where is it running (nowhere)
    JsonNode triage = json(gantry.get(API + "/triage?purl=pkg:npm/lodash@4.17.20", "sam"));
    assertThat(triage.get("releases").findValuesAsText("commit")).containsExactly(c4);
    assertThat(triage.get("environments")).isEmpty();
    problem("GET", "/triage?vulnerability=CVE-2021-23337", "alice", null, 403); // triage is for security and on-call
    JsonNode byCve = json(gantry.get(API + "/triage?vulnerability=CVE-2021-23337", "sam"));
    assertThat(byCve.get("releases").findValuesAsText("commit")).containsExactly(c4);

    // uploads: a release that does not exist, a document no parser accepts, a repeat
    problem("POST", "/releases/storefront/" + "e".repeat(40) + "/evidence", "ci",
        "{\"type\":\"SCAN\",\"mediaType\":\"application/json\",\"content\":{\"SchemaVersion\":2}}", 404);
    assertThat(problem("POST", "/releases/storefront/" + c4 + "/evidence", "ci",
        "{\"type\":\"SBOM\",\"mediaType\":\"application/vnd.cyclonedx+json\",\"content\":{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.2\"}}", 422)
        .get("detail").asText()).contains("1.2");
    problem("POST", "/releases/storefront/" + c4 + "/evidence", "alice",
        "{\"type\":\"LOCKFILE\",\"mediaType\":\"application/json\",\"content\":{\"path\":\"package-lock.json\",\"sha256\":\"" + "a".repeat(64) + "\"}}", 403);
    String lockfile = "{\"type\":\"LOCKFILE\",\"mediaType\":\"application/json\",\"content\":{\"path\":\"package-lock.json\",\"sha256\":\"" + "a".repeat(64) + "\"}}";
    var first = gantry.send("POST", API + "/releases/storefront/" + c4 + "/evidence", "ci", lockfile);
    var again = gantry.send("POST", API + "/releases/storefront/" + c4 + "/evidence", "ci", lockfile);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(json(again).get("sha256").asText()).isEqualTo(json(first).get("sha256").asText());
  }

  @Test
  @Order(2)
  void stagingNeedsOneApproverAndProductionTwoDistinctOnes() throws Exception {
    problem("POST", "/releases/storefront/" + C1 + "/environments/staging/approvals", "carol", null, 403);
    assertThat(post("/releases/storefront/" + C1 + "/environments/staging/approvals", "alice", gantry.approval(C1, "staging", "looks good"))).isEqualTo(200);
    awaitState(C1, "staging", "PROMOTED");
    assertThat(pinned("values-staging.yaml")).isEqualTo(d1);

    awaitState(C1, "production", "WAITING_FOR_APPROVAL");
    assertThat(post("/releases/storefront/" + C1 + "/environments/production/approvals", "carol", gantry.approval(C1, "production", null))).isEqualTo(200);
    JsonNode one = environment(C1, "production");
    assertThat(one.get("state").asText()).isEqualTo("WAITING_FOR_APPROVAL");
    assertThat(one.get("approvals")).hasSize(1);
    assertThat(problem("POST", "/releases/storefront/" + C1 + "/environments/production/approvals", "carol", null, 409).get("type").asText())
        .endsWith("DuplicateApproval");
    assertThat(problem("POST", "/releases/storefront/" + C1 + "/environments/production/approvals", "alice", null, 403).get("detail").asText())
        .contains("release-managers");
    assertThat(pinned("values-production.yaml")).isNotEqualTo(d1);
    assertThat(post("/releases/storefront/" + C1 + "/environments/production/approvals", "dave", gantry.approval(C1, "production", null))).isEqualTo(200);
    JsonNode production = awaitState(C1, "production", "PROMOTED");
    assertThat(production.get("approvals").findValuesAsText("by")).containsExactly("carol", "dave");
    assertThat(pinned("values-production.yaml")).isEqualTo(d1);
    // production's gates include the evaluation: the demo evaluator answered 202 and called back later
    assertThat(production.get("gates").findValuesAsText("gate")).containsExactly("signature", "provenance", "sbom", "lockfile", "dependency-diff", "scan", "evaluation");
    assertThat(production.get("gates").findValuesAsText("outcome")).containsOnly("PASS");
    assertThat(json(gantry.get(API + "/releases/storefront/" + C1 + "/evidence", "alice")).get("evidence").findValuesAsText("type"))
        .contains("PROVENANCE", "SBOM", "SCAN", "EVALUATION", "BUNDLE");

    // the audit log proves why: the record names the policy and the approvals it was held to
    JsonNode entries = json(gantry.get(API + "/audit?service=storefront", "alice"));
    JsonNode entry = null;
    for (JsonNode e : entries) {
      if (e.get("environment").asText().equals("production") && e.get("outcome").asText().equals("PROMOTED")) {
        entry = e;
      }
    }
    assertThat(entry).as("audit entry for production in %s", entries).isNotNull();
    var stored = gantry.get(API + "/audit/" + entry.get("sha256").asText(), "alice");
    assertThat(stored.statusCode()).isEqualTo(200);
    assertThat("sha256:" + dev.gantry.model.ObjectStore.sha256(stored.body().getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(entry.get("sha256").asText());
    JsonNode record = json(stored);
    assertThat(record.at("/event/digest").asText()).isEqualTo(d1);
    assertThat(record.at("/event/policy/requiredApprovals").asInt()).isEqualTo(2);
    assertThat(record.at("/event/approvals").findValuesAsText("by")).containsExactly("carol", "dave");
  }

  @Test
  @Order(3)
  void ciStartsTheNextReleaseOnceAndItReachesDev() throws Exception {
    String body = "{\"service\":\"storefront\",\"commit\":\"" + C2 + "\",\"author\":\"erin\"}";
    long t0 = System.nanoTime();
    var created = gantry.send("POST", API + "/releases", "ci", body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location")).hasValue(API + "/releases/storefront/" + C2);
    JsonNode dev = await(C2, "dev", e -> e.hasNonNull("gitCommit"), "a GitOps commit");
    long toCommit = System.nanoTime() - t0;
    d2 = release(C2).get("digest").asText();
    assertThat(d2).isNotEqualTo(d1);
    System.out.printf("FIGURE: POST /releases -> dev GitOps commit %s: %d ms%n", dev.get("gitCommit").asText().substring(0, 12), toCommit / 1_000_000);
    assertThat(gantry.send("POST", API + "/releases", "ci", body).statusCode()).isEqualTo(200);
    awaitState(C2, "dev", "PROMOTED");
    assertThat(commitsWithTrailer("Gantry-Release", C2)).isEqualTo(1);
  }

  @Test
  @Order(4)
  void badInputGetsAProblemAndChangesNothing() throws Exception {
    problem("POST", "/releases", "ci", "{\"service\":\"storefront\",\"commit\":\"NOT-A-SHA\",\"author\":\"erin\"}", 400);
    problem("POST", "/releases", "ci", "{\"service\":\"nope\",\"commit\":\"" + C3 + "\",\"author\":\"erin\"}", 404);
    problem("POST", "/releases", "ci", "{\"service\":\"storefront\",\"commit\":\"" + "f".repeat(40) + "\",\"author\":\"erin\"}", 422);
    problem("POST", "/releases", "ci", "{\"service\":\"storefront\",\"commit\":\"" + C2 + "\",\"tag\":\"sha-" + C1 + "\",\"author\":\"erin\"}", 409);
    problem("POST", "/releases", "ci", "{not json", 400);
    problem("POST", "/releases", "alice", "{\"service\":\"storefront\",\"commit\":\"" + C3 + "\",\"author\":\"erin\"}", 403);
    problem("GET", "/releases/storefront/" + "e".repeat(40), "alice", null, 404);
    problem("POST", "/releases/storefront/" + C2 + "/environments/qa/approvals", "alice", null, 404);
    problem("GET", "/releases", null, null, 401);
    assertThat(json(gantry.get(API + "/releases?service=storefront", "alice"))).hasSize(3); // 1, 2 and the refused 4
  }

  @Test
  @Order(5)
  void aFailedHealthCheckPutsTheLastKnownGoodBack() throws Exception {
    awaitState(C2, "staging", "WAITING_FOR_APPROVAL");
    assertThat(gantry.send("POST", "/demo/cluster/staging/unhealthy", null, null).statusCode()).isEqualTo(200);
    assertThat(post("/releases/storefront/" + C2 + "/environments/staging/approvals", "bob", gantry.approval(C2, "staging", null))).isEqualTo(200);
    JsonNode staging = awaitState(C2, "staging", "COMPENSATED");
    assertThat(staging.get("reason").asText()).contains("last known good " + d1);
    assertThat(pinned("values-staging.yaml")).isEqualTo(d1);
    assertThat(commitsWithTrailer("Gantry-Compensates", "promotion/storefront/staging/" + C2 + "/")).isEqualTo(1);
    assertThat(environment(C2, "production").get("state").asText()).isEqualTo("FAILED");
    assertThat(release(C2).get("status").asText()).isEqualTo("COMPENSATED");
    gantry.send("POST", "/demo/cluster/staging/healthy", null, null);
  }

  @Test
  @Order(6)
  void onCallRollsDevBackByHandAndHoldsIt() throws Exception {
    String path = "/services/storefront/environments/dev";
    assertThat(pinned("values-dev.yaml")).isEqualTo(d2);
    problem("POST", path + "/rollbacks", "alice", "{\"reason\":\"x\"}", 403);
    problem("POST", path + "/rollbacks", "oncall", "{\"reason\":\"x\",\"digest\":\"sha256:" + "a".repeat(64) + "\"}", 422);
    problem("POST", path + "/rollbacks", "oncall", "{}", 400);
    var started = gantry.send("POST", API + path + "/rollbacks", "oncall", "{\"reason\":\"errors after build 2\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    assertThat(json(started).get("id").asText()).isEqualTo("rollback/storefront/dev");
    // a second rollback while the first re-verifies and pins: the answer names the running one
    JsonNode running = problem("POST", path + "/rollbacks", "oncall", "{\"reason\":\"again\"}", 409);
    assertThat(running.get("type").asText()).endsWith("RollbackRunning");
    assertThat(running.get("id").asText()).isEqualTo("rollback/storefront/dev");
    assertThat(running.get("runId").asText()).isEqualTo(json(started).get("runId").asText());
    assertThat(running.get("state").asText()).isIn("ROLLING_BACK", "VERIFYING");
    assertThat(running.get("detail").asText()).contains("a rollback of storefront/dev is already running");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode env = null;
    while (System.nanoTime() < deadline) {
      env = json(gantry.get(API + path, "oncall"));
      if (env.path("history").path(0).path("kind").asText().equals("ROLLBACK") && env.path("history").path(0).path("outcome").asText().equals("PROMOTED")) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(env.get("current").get("digest").asText()).isEqualTo(d1);
    assertThat(env.get("hold").get("by").asText()).isEqualTo("oncall");
    assertThat(env.get("hold").get("reason").asText()).contains("errors after build 2");
    assertThat(pinned("values-dev.yaml")).isEqualTo(d1);
    assertThat(commitsWithTrailer("Gantry-Rollback", "rollback/storefront/dev/")).isEqualTo(1);
  }

  @Test
  @Order(7)
  void theHoldStopsTheNextReleaseUntilCleared() throws Exception {
    assertThat(post("/releases", "ci", "{\"service\":\"storefront\",\"commit\":\"" + C3 + "\",\"author\":\"alice\"}")).isEqualTo(201);
    JsonNode held = await(C3, "dev", e -> e.path("reason").asText().contains("held by oncall"), "held");
    assertThat(held.get("state").asText()).isEqualTo("PENDING");
    Thread.sleep(1500);
    assertThat(pinned("values-dev.yaml")).isEqualTo(d1);
    problem("DELETE", "/services/storefront/environments/dev/hold", "alice", null, 403);
    assertThat(gantry.send("DELETE", API + "/services/storefront/environments/dev/hold", "oncall", null).statusCode()).isEqualTo(200);
    problem("DELETE", "/services/storefront/environments/dev/hold", "oncall", null, 409);
    awaitState(C3, "dev", "PROMOTED");
    assertThat(pinned("values-dev.yaml")).isNotEqualTo(d1).isNotEqualTo(d2);
    // alice wrote build 3: she may not approve it
    awaitState(C3, "staging", "WAITING_FOR_APPROVAL");
    assertThat(problem("POST", "/releases/storefront/" + C3 + "/environments/staging/approvals", "alice", null, 403).get("type").asText())
        .endsWith("SelfApproval");
  }

  @Test
  @Order(8)
  void aRestartWithTheSameDataDirReusesItAndStopsCleanly() throws Exception {
    assertThat(gantry.stop()).as("exit code after SIGTERM").isIn(0, 143);
    gantry = new GantryProcess(data, gantry.log).start("--gantry.demo.live-timeout=6s", "--gantry.demo.soak-time=2s");
    JsonNode releases = json(gantry.get(API + "/releases?service=storefront", "alice"));
    assertThat(releases).hasSize(4); // the demo did not start its releases twice
    JsonNode dev = json(gantry.get(API + "/services/storefront/environments/dev", "alice"));
    assertThat(dev.get("current").get("digest").asText()).isEqualTo(pinned("values-dev.yaml"));
    assertThat(commitsWithTrailer("Gantry-Promotion", "promotion/storefront/dev/" + C1 + "/")).isEqualTo(1);
    // the in-memory workflow is gone; the release is still shown, from the catalog, and says so
    JsonNode recorded = release(C1);
    assertThat(recorded.get("reason").asText()).contains("from the catalog");
    assertThat(recorded.get("environments").get(2).get("state").asText()).isEqualTo("PROMOTED");
    assertThat(recorded.get("environments").get(2).get("approvals").findValuesAsText("by")).containsExactly("carol", "dave");

    JsonNode verification = json(gantry.get(API + "/audit/verification", "alice"));
    assertThat(verification.get("intact").asBoolean()).as(verification.toString()).isTrue();
    // dev ×3, staging ×2, production, a compensation, a rollback
    assertThat(verification.get("records").asInt()).isGreaterThanOrEqualTo(8);
  }
}
