package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.gantry.server.demo.DemoEnvironment;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * CI signs in with its OIDC token, through the packaged jar: a GitHub-Actions-shaped token from a
 * local HTTPS issuer starts the demo's next release and the release shows its CI run; hostile
 * tokens are each refused with 401 or 403 and a problem that says why.
 */
class CiTokenIT {
  private static final String C1 = DemoEnvironment.commitOf(1);
  private static final String C2 = DemoEnvironment.commitOf(2);
  private static final String C3 = DemoEnvironment.commitOf(3);
  private static final String REPO = "gantry-demo/storefront";
  private static final String AUD = "https://gantry.example/acme";

  @TempDir static Path data;
  @TempDir static Path config;
  static LocalOidcIssuer issuer;
  static GantryProcess gantry;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    issuer = new LocalOidcIssuer(config);
    writeConfig();
    gantry = new GantryProcess(data, GantryProcess.freshLog("ci-token-gantry.log")).start(
        "--spring.config.additional-location=optional:file:" + config + "/",
        // Tomcat's default header bound (8 KB) would refuse an oversized token before Gantry reads it
        "--server.max-http-request-header-size=40KB");
  }

  @AfterAll
  static void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  /**
   * The demo's configuration plus two trusted issuers, storefront's CI rule, and a second service
   * (checkout) whose CI is the other issuer's: a profile file in a later location replaces the list.
   */
  @SuppressWarnings("unchecked")
  static void writeConfig() throws Exception {
    Map<String, Object> demo;
    try (InputStream in = CiTokenIT.class.getResourceAsStream("/application-demo.yaml")) {
      demo = new Yaml().load(in);
    }
    Map<String, Object> gantryKeys = (Map<String, Object>) demo.get("gantry");
    List<Map<String, Object>> services = (List<Map<String, Object>>) gantryKeys.get("services");
    Map<String, Object> storefront = services.getFirst();
    storefront.put("ci", List.of(Map.of(
        "issuer", issuer.issuer(LocalOidcIssuer.GITHUB),
        "repository", REPO,
        "ref", "refs/heads/main",
        "job-workflow-ref", REPO + "/.github/workflows/release.yml@")));
    Map<String, Object> checkout = new LinkedHashMap<>();
    checkout.put("name", "checkout");
    checkout.put("image", "oci:${gantry.data-dir}/oci/checkout");
    checkout.put("environments", List.of(Map.of(
        "name", "dev",
        "gitops", Map.of("repository", "${gantry.data-dir}/gitops.git", "branch", "main", "file", "values-checkout-dev.yaml"),
        "health-url", "http://127.0.0.1:${server.port}/demo/cluster/dev/health",
        "evidence", Map.of("require", List.of()))));
    checkout.put("ci", List.of(Map.of(
        "issuer", issuer.issuer(LocalOidcIssuer.OTHER),
        "claims", List.of(Map.of("name", "project_path", "value", "acme/checkout")))));
    services.add(checkout);
    gantryKeys.put("auth", Map.of("oidc", Map.of("issuers", List.of(
        Map.of("issuer", issuer.issuer(LocalOidcIssuer.GITHUB), "audience", AUD, "ca-file", issuer.caPem.toString()),
        Map.of("issuer", issuer.issuer(LocalOidcIssuer.OTHER), "audience", AUD, "ca-file", issuer.caPem.toString(),
            "jwks-uri", issuer.issuer(LocalOidcIssuer.OTHER) + "/.well-known/jwks")))));
    Files.writeString(config.resolve("application-demo.yaml"), new Yaml().dump(demo));
  }

  static HttpResponse<String> post(String path, String bearer, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gantry.base() + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String start(String commit) {
    return "{\"service\":\"storefront\",\"commit\":\"" + commit + "\",\"author\":\"erin\"}";
  }

  static Map<String, Object> claims(String sha) {
    return issuer.githubClaims(REPO, "refs/heads/main", sha, AUD);
  }

  static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
    Map<String, Object> c = new HashMap<>(claims);
    c.put(name, value);
    return c;
  }

  static String github(Map<String, Object> claims) throws Exception {
    return LocalOidcIssuer.sign(LocalOidcIssuer.header(issuer.githubKey).build(), claims, issuer.githubKey);
  }

  @Test
  void aGitHubShapedTokenStartsTheReleaseAndHostileTokensAreRefusedSayingWhy() throws Exception {
    // the happy path: CI's token for C2 starts C2's release, which records the run
    String token = github(claims(C2));
    HttpResponse<String> created = post("/releases", token, start(C2));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode view = gantry.release(C2);
    assertThat(view.at("/ciRun/repository").asText()).isEqualTo(REPO);
    assertThat(view.at("/ciRun/runId").asText()).isEqualTo("8412345678");
    assertThat(view.at("/ciRun/runAttempt").asText()).isEqualTo("2");
    assertThat(view.at("/ciRun/workflowRef").asText()).isEqualTo(REPO + "/.github/workflows/release.yml@refs/heads/main");
    assertThat(view.at("/ciRun/actor").asText()).isEqualTo("octocat");
    assertThat(view.at("/ciRun/issuer").asText()).isEqualTo(issuer.issuer(LocalOidcIssuer.GITHUB));
    assertThat(view.at("/ciRun/subject").asText()).isEqualTo("repo:" + REPO + ":ref:refs/heads/main");
    assertThat(view.get("startedBy").asText()).isEqualTo("repo:" + REPO + ":ref:refs/heads/main");
    System.out.printf("FIGURE: ci token happy path -> %d; release view ciRun %s%n", created.statusCode(), view.get("ciRun"));
    // the same token extends its own release: the start again (idempotent) and an evidence upload
    assertThat(post("/releases", token, start(C2)).statusCode()).isEqualTo(200);
    String lockfile = "{\"type\":\"LOCKFILE\",\"mediaType\":\"application/json\",\"content\":{\"path\":\"package-lock.json\",\"sha256\":\"" + "b".repeat(64) + "\"}}";
    HttpResponse<String> evidence = post("/releases/storefront/" + C2 + "/evidence", token, lockfile);
    assertThat(evidence.statusCode()).as(evidence.body()).isIn(200, 201);
    // a token of C3 may not upload C1's evidence
    HttpResponse<String> foreignEvidence = post("/releases/storefront/" + C1 + "/evidence", github(claims(C3)), lockfile);
    assertThat(foreignEvidence.statusCode()).as(foreignEvidence.body()).isEqualTo(403);

    long now = java.time.Instant.now().getEpochSecond();
    Map<String, Object> c3 = claims(C3);
    String otherIssuer = issuer.issuer(LocalOidcIssuer.OTHER);
    Map<String, Object> checkoutCi = new HashMap<>(Map.of("jti", java.util.UUID.randomUUID().toString(), "sub", "project_path:acme/checkout:ref_type:branch:ref:main",
        "aud", AUD, "iss", otherIssuer, "project_path", "acme/checkout", "sha", C3, "nbf", now - 60, "iat", now, "exp", now + 300));
    JWSHeader gh = LocalOidcIssuer.header(issuer.githubKey).build();
    byte[] publicKey = issuer.githubKey.toRSAPublicKey().getEncoded();
    byte[] hsKey = java.util.Arrays.copyOf(publicKey, Math.max(publicKey.length, 32));
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(issuer.githubKey.getKeyID()).build(), JWTClaimsSet.parse(c3));
    hs.sign(new MACSigner(hsKey));

    record Case(String name, String token, String body, int status, String type, String detail) {}
    List<Case> cases = new ArrayList<>(List.of(
        new Case("expired", github(with(with(c3, "exp", now - 3600), "iat", now - 4000)), start(C3), 401, "InvalidToken", "expired"),
        new Case("not yet valid", github(with(with(c3, "nbf", now + 3600), "exp", now + 4000)), start(C3), 401, "InvalidToken", "not valid before"),
        new Case("wrong audience", github(with(c3, "aud", "https://other.example")), start(C3), 401, "InvalidToken", "audience"),
        new Case("unknown issuer", github(with(c3, "iss", "https://token.actions.githubusercontent.com")), start(C3), 401, "InvalidToken",
            "is not one this Gantry trusts"),
        new Case("key not in the issuer's JWKS", LocalOidcIssuer.sign(LocalOidcIssuer.header(issuer.rogueKey).build(), c3, issuer.rogueKey), start(C3),
            401, "InvalidToken", "not signed by a key of its issuer"),
        new Case("alg none", new PlainJWT(new PlainHeader(), JWTClaimsSet.parse(c3)).serialize(), start(C3), 401, "InvalidToken", "alg none"),
        new Case("HS256 signed with the public key", hs.serialize(), start(C3), 401, "InvalidToken", "HS256"),
        new Case("jku header", LocalOidcIssuer.sign(new JWSHeader.Builder(gh).jwkURL(URI.create(otherIssuer + "/.well-known/jwks")).build(), c3,
            issuer.githubKey), start(C3), 401, "InvalidToken", "(jku)"),
        new Case("x5u header", LocalOidcIssuer.sign(new JWSHeader.Builder(gh).x509CertURL(URI.create(otherIssuer + "/cert.pem")).build(), c3,
            issuer.githubKey), start(C3), 401, "InvalidToken", "(x5u)"),
        new Case("jwk header", LocalOidcIssuer.sign(LocalOidcIssuer.header(issuer.rogueKey).jwk(issuer.rogueKey.toPublicJWK()).build(), c3, issuer.rogueKey),
            start(C3), 401, "InvalidToken", "(jwk)"),
        new Case("x5c header", LocalOidcIssuer.sign(new JWSHeader.Builder(gh).x509CertChain(List.of(Base64.encode(pemBody(issuer.caPem)))).build(), c3,
            issuer.githubKey), start(C3), 401, "InvalidToken", "(x5c)"),
        new Case("repository mismatch", github(issuer.githubClaims("acme/other", "refs/heads/main", C3, AUD)), start(C3), 403, "ClaimMismatch",
            "claim repository is acme/other"),
        new Case("ref mismatch", github(issuer.githubClaims(REPO, "refs/heads/feature", C3, AUD)), start(C3), 403, "ClaimMismatch",
            "claim ref is refs/heads/feature; storefront's CI is refs/heads/main"),
        new Case("sha not the release's commit", github(claims(C1)), start(C3), 403, "CommitMismatch",
            "sha claim is " + C1 + "; the release's commit is " + C3),
        new Case("replayed jti for another commit", token, start(C3), 403, "TokenReplayed", "was used for release storefront/" + C2),
        new Case("another service's CI token", LocalOidcIssuer.sign(LocalOidcIssuer.header(issuer.otherKey).build(), checkoutCi, issuer.otherKey), start(C3),
            403, "ClaimMismatch", "storefront's CI is issued by " + issuer.issuer(LocalOidcIssuer.GITHUB)),
        new Case("garbage token", "not-a-jwt", start(C3), 401, "InvalidToken", "malformed"),
        new Case("garbage JWT", "eyJhbGciOiJSUzI1NiJ9.bm9wZQ.c2ln", start(C3), 401, "InvalidToken", "malformed"),
        new Case("oversized token (20 KiB)", github(with(c3, "padding", "x".repeat(20 * 1024))), start(C3), 401, "InvalidToken", "at most 16384 bytes")));
    for (Case c : cases) {
      HttpResponse<String> r = post("/releases", c.token(), c.body());
      JsonNode p = GantryProcess.JSON.readTree(r.body());
      System.out.printf("FIGURE: hostile %s -> %d %s: %s%n", c.name(), r.statusCode(), p.path("title").asText(), p.path("detail").asText());
      assertThat(r.statusCode()).as("%s: %s", c.name(), r.body()).isEqualTo(c.status());
      assertThat(r.headers().firstValue("Content-Type")).as(c.name()).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      assertThat(p.path("type").asText()).as(c.name()).isEqualTo("https://gantry.dev/problems/" + c.type());
      assertThat(p.path("detail").asText()).as(c.name()).contains(c.detail()).doesNotContain("Exception");
      if (c.status() == 401) {
        assertThat(r.headers().firstValue("WWW-Authenticate")).as(c.name()).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer error=\"invalid_token\""));
      }
    }
    // none of them started C3's release
    HttpResponse<String> c3View = gantry.get("/api/v1/releases/storefront/" + C3, "alice");
    assertThat(c3View.statusCode()).as(c3View.body()).isEqualTo(404);
    // the demo's Basic users still work beside tokens
    assertThat(gantry.get("/api/v1/releases/storefront/" + C2, "alice").statusCode()).isEqualTo(200);
    // a request without credentials is offered both ways in, and the OpenAPI document names both
    HttpResponse<String> anonymous = post("/releases", null, start(C3));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"gantry\"", "Bearer realm=\"gantry\"");
    JsonNode openapi = GantryProcess.json(gantry.get("/v3/api-docs", null));
    assertThat(openapi.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    assertThat(openapi.at("/components/securitySchemes/basic/scheme").asText()).isEqualTo("basic");
    assertThat(openapi.get("security").toString()).contains("\"basic\"", "\"bearer\"");
  }

  static byte[] pemBody(Path pem) throws Exception {
    String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return java.util.Base64.getDecoder().decode(text);
  }
}
