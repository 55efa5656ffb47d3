package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.demo.DemoEnvironment;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * People sign in with a real OIDC provider, through the packaged jar: Keycloak 26.5.6 (realm
 * {@code gantry}, users in groups) issues access tokens by the password grant; Gantry trusts it as a
 * {@code kind: people} issuer and maps its groups with {@code gantry.auth.groups}. Alice approves
 * staging with her token; carol (release-managers) and a token without the group are refused 403
 * naming the group; garbage and tampered tokens are 401; {@code /me} says what each may do where.
 */
class KeycloakSsoIT {
  private static final String C1 = DemoEnvironment.commitOf(1);
  private static final String AUD = "https://gantry.example/acme";

  @TempDir static Path data;
  @TempDir static Path config;
  @TempDir static Path kcDir;
  static KeycloakProcess keycloak;
  static GantryProcess gantry;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    keycloak = new KeycloakProcess(kcDir, GantryProcess.freshLog("keycloak-sso.log"));
    System.out.printf("FIGURE: keycloak %s start-dev with realm import, until its discovery document answers: %d ms%n", KeycloakProcess.VERSION, keycloak.startMillis);
    writeConfig();
    gantry = new GantryProcess(data, GantryProcess.freshLog("keycloak-sso-gantry.log")).start(
        "--spring.config.additional-location=optional:file:" + config + "/");
  }

  @AfterAll
  static void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
  }

  /** The demo's configuration (its Basic users stay, for CI and the comparison) plus Keycloak as the people issuer. */
  @SuppressWarnings("unchecked")
  static void writeConfig() throws Exception {
    Map<String, Object> demo;
    try (InputStream in = KeycloakSsoIT.class.getResourceAsStream("/application-demo.yaml")) {
      demo = new Yaml().load(in);
    }
    Map<String, Object> gantryKeys = (Map<String, Object>) demo.get("gantry");
    gantryKeys.put("auth", Map.of(
        "oidc", Map.of("issuers", List.of(Map.of(
            "issuer", keycloak.issuer(), "audience", AUD, "ca-file", keycloak.caPem.toString(), "kind", "people")),
            // no tolerance, so a 1 s token from Keycloak is expired 2 s later (same clock)
            "clock-skew", "0s"),
        "groups", List.of(
            Map.of("group", "approvers", "approver-groups", List.of("approvers")),
            Map.of("group", "release-managers", "approver-groups", List.of("release-managers")),
            Map.of("group", "oncall", "roles", List.of("oncall")),
            Map.of("group", "security", "roles", List.of("security")))));
    Files.writeString(config.resolve("application-demo.yaml"), new Yaml().dump(demo));
  }

  static HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gantry.base() + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String claimsOf(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  @Test
  void peopleSignInWithKeycloakAndTheApprovalRulesHoldOnTheirTokens() throws Exception {
    String alice = keycloak.token("alice", "alice-password");
    String carol = keycloak.token("carol", "carol-password");
    String oncall = keycloak.token("oncall", "oncall-password");
    String shortLived = keycloak.token("gantry-cli-short", "alice", "alice-password");
    assertThat(claimsOf(alice)).contains("\"groups\":[\"approvers\"]").contains(AUD).contains("\"preferred_username\":\"alice\"");
    assertThat(keycloak.deviceAuthorization()).as("the CLI's device authorization grant is enabled").isEqualTo(200);

    // who am I: alice may approve staging (group approvers), not production (release-managers)
    HttpResponse<String> meResponse = send("GET", "/me", alice, null);
    assertThat(meResponse.statusCode()).as(meResponse.body()).isEqualTo(200);
    JsonNode me = GantryProcess.json(meResponse);
    assertThat(me.get("name").asText()).isEqualTo("alice");
    assertThat(me.get("kind").asText()).isEqualTo("oidc");
    assertThat(me.get("issuer").asText()).isEqualTo(keycloak.issuer());
    assertThat(me.get("subject").asText()).isNotBlank().isNotEqualTo("alice");
    assertThat(me.get("groups").findValuesAsText("")).isEmpty();
    assertThat(me.get("groups").toString()).isEqualTo("[\"approvers\"]");
    assertThat(me.get("roles")).isEmpty();
    JsonNode storefront = me.get("services").get(0);
    assertThat(storefront.get("service").asText()).isEqualTo("storefront");
    assertThat(storefront.get("startRelease").asBoolean()).isFalse();
    Map<String, Boolean> approve = new java.util.LinkedHashMap<>();
    storefront.get("environments").forEach(e -> approve.put(e.get("environment").asText(), e.get("approve").asBoolean()));
    assertThat(approve).containsEntry("staging", true).containsEntry("production", false);
    assertThat(me.get("triage").asBoolean()).isFalse();
    JsonNode oncallMe = GantryProcess.json(send("GET", "/me", oncall, null));
    assertThat(oncallMe.get("roles").toString()).isEqualTo("[\"oncall\"]");
    assertThat(oncallMe.at("/services/0/environments/0/rollback").asBoolean()).isTrue();
    assertThat(oncallMe.get("triage").asBoolean()).isTrue();
    System.out.println("FIGURE: /me for alice's Keycloak token: " + me);

    gantry.awaitState(C1, "staging", "WAITING_FOR_APPROVAL", Duration.ofMinutes(3));
    String approval = "/releases/storefront/" + C1 + "/environments/staging/approvals";
    // carol is a release manager, not an approver of staging: refused, naming the group
    HttpResponse<String> refused = send("POST", approval, carol, gantry.approval(C1, "staging", null));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(refused.body()).contains("NotApprover").contains("approvers");
    // hostile: an approver-looking token without the group (oncall is in Keycloak, not in approvers)
    HttpResponse<String> noGroup = send("POST", approval, oncall, gantry.approval(C1, "staging", null));
    assertThat(noGroup.statusCode()).as(noGroup.body()).isEqualTo(403);
    assertThat(noGroup.body()).contains("approvers");
    // garbage, and alice's token with its payload changed to claim the group (signature no longer matches)
    assertThat(send("GET", "/me", "not-a-jwt", null).statusCode()).isEqualTo(401);
    Thread.sleep(2_500);
    HttpResponse<String> expired = send("GET", "/me", shortLived, null);
    assertThat(expired.statusCode()).as(expired.body()).isEqualTo(401);
    assertThat(expired.body()).contains("expired");
    System.out.println("FIGURE: alice's 1 s Keycloak token 2.5 s later -> " + expired.statusCode() + " " + GantryProcess.json(expired).get("detail").asText());
    String[] parts = carol.split("\\.");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        claimsOf(carol).replace("\"release-managers\"", "\"approvers\"").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    HttpResponse<String> tampered = send("POST", approval, forged, gantry.approval(C1, "staging", null));
    assertThat(tampered.statusCode()).as(tampered.body()).isEqualTo(401);

    // alice approves staging with her Keycloak token; the approval is hers by preferred_username
    HttpResponse<String> approved = send("POST", approval, alice, gantry.approval(C1, "staging", "looks good (sso)"));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    JsonNode staging = gantry.await(C1, "staging", e -> e.get("approvals").size() == 1, "alice's approval", Duration.ofSeconds(60));
    assertThat(staging.get("approvals").findValuesAsText("by")).containsExactly("alice");
    assertThat(staging.at("/approvals/0/issuer").asText()).isEqualTo(keycloak.issuer());
    assertThat(staging.at("/approvals/0/subject").asText()).isEqualTo(me.get("subject").asText());

    benchmark(alice);
  }

  /** The cost of a verified bearer request beside a Basic one (a print, no assertion on time). */
  static void benchmark(String token) throws Exception {
    String basic = "Basic " + Base64.getEncoder().encodeToString("alice:alice".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 50; i++) { // warm both paths
      get("/me", "Bearer " + token);
      get("/me", basic);
    }
    List<Long> bearer = new ArrayList<>(), basicTimes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      bearer.add(get("/me", "Bearer " + token));
      basicTimes.add(get("/me", basic));
    }
    System.out.printf("FIGURE: GET /api/v1/me x200 with a verified Keycloak bearer token: p50 %.2f ms, p99 %.2f ms%n", p(bearer, 50), p(bearer, 99));
    System.out.printf("FIGURE: GET /api/v1/me x200 with HTTP Basic (verified password cached): p50 %.2f ms, p99 %.2f ms%n", p(basicTimes, 50), p(basicTimes, 99));
  }

  static long get(String path, String authorization) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(gantry.base() + "/api/v1" + path)).header("Authorization", authorization).GET().build();
    long t = System.nanoTime();
    HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
    long took = System.nanoTime() - t;
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return took;
  }

  static double p(List<Long> nanos, int percentile) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1)) / 1e6;
  }
}
