package dev.gantry.server;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * OIDC issuers on 127.0.0.1 over HTTPS, as a CI's token service looks to Gantry: a discovery
 * document and a JWKS per issuer, and tokens minted with GitHub Actions' claim set. GitHub's own
 * issuer cannot be reached from the tests, so {@code iss} is the local URL. The TLS certificate is
 * self-signed for 127.0.0.1 (made with the JDK's keytool); Gantry trusts it through the issuer's
 * {@code ca-file}.
 */
final class LocalOidcIssuer implements AutoCloseable {
  /** A GitHub-Actions-shaped issuer (RS256, like GitHub's) and a second CI issuer signing with ES256. */
  static final String GITHUB = "/github", OTHER = "/other";

  final Path caPem;
  private final HttpsServer server;
  final RSAKey githubKey;
  final ECKey otherKey;
  /** Valid keys of nobody's JWKS: a token signed with one claims a kid the issuer never published. */
  final RSAKey rogueKey;

  LocalOidcIssuer(Path dir) throws Exception {
    LoopbackTls certificate = LoopbackTls.create(dir, "issuer");
    caPem = certificate.caPem();
    SSLContext tls = certificate.serverContext();

    githubKey = new RSAKeyGenerator(2048).keyID("gh-" + UUID.randomUUID()).algorithm(JWSAlgorithm.RS256).generate();
    otherKey = new ECKeyGenerator(Curve.P_256).keyID("other-" + UUID.randomUUID()).algorithm(JWSAlgorithm.ES256).generate();
    rogueKey = new RSAKeyGenerator(2048).keyID("rogue-" + UUID.randomUUID()).generate();

    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    serve(GITHUB, githubKey);
    serve(OTHER, otherKey);
    server.start();
  }

  private void serve(String path, JWK key) {
    server.createContext(path + "/.well-known/openid-configuration", ex -> {
      String doc = "{\"issuer\":\"" + issuer(path) + "\",\"jwks_uri\":\"" + issuer(path) + "/.well-known/jwks\","
          + "\"subject_types_supported\":[\"public\",\"pairwise\"],\"response_types_supported\":[\"id_token\"],"
          + "\"id_token_signing_alg_values_supported\":[\"" + key.getAlgorithm() + "\"],\"scopes_supported\":[\"openid\"]}";
      respond(ex, doc);
    });
    server.createContext(path + "/.well-known/jwks", ex -> respond(ex, new JWKSet(key.toPublicJWK()).toString()));
  }

  private static void respond(com.sun.net.httpserver.HttpExchange ex, String body) throws java.io.IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  String issuer(String path) {
    return "https://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * GitHub Actions' claims for a push to {@code ref} of {@code repository} at {@code sha}, as in
   * GitHub's documented example token (every claim it lists), issued now and valid 5 minutes.
   */
  Map<String, Object> githubClaims(String repository, String ref, String sha, String audience) {
    long now = Instant.now().getEpochSecond();
    String owner = repository.substring(0, repository.indexOf('/'));
    String workflowRef = repository + "/.github/workflows/release.yml@" + ref;
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("jti", UUID.randomUUID().toString());
    c.put("sub", "repo:" + repository + ":ref:" + ref);
    c.put("aud", audience);
    c.put("ref", ref);
    c.put("sha", sha);
    c.put("repository", repository);
    c.put("repository_owner", owner);
    c.put("repository_owner_id", "65");
    c.put("run_id", "8412345678");
    c.put("run_number", "10");
    c.put("run_attempt", "2");
    c.put("repository_visibility", "private");
    c.put("repository_id", "74");
    c.put("actor_id", "12");
    c.put("actor", "octocat");
    c.put("workflow", "release");
    c.put("head_ref", "");
    c.put("base_ref", "");
    c.put("event_name", "push");
    c.put("ref_type", "branch");
    c.put("environment", "production");
    c.put("job_workflow_ref", workflowRef);
    c.put("workflow_ref", workflowRef);
    c.put("workflow_sha", sha);
    c.put("runner_environment", "github-hosted");
    c.put("iss", issuer(GITHUB));
    c.put("nbf", now - 600);
    c.put("exp", now + 300);
    c.put("iat", now);
    return c;
  }

  /** A JWS over the claims with the given header, signed by the key. */
  static String sign(JWSHeader header, Map<String, Object> claims, JWK key) throws Exception {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
    claims.forEach((k, v) -> b.claim(k, v instanceof Long l && List.of("nbf", "exp", "iat").contains(k) ? Date.from(Instant.ofEpochSecond(l)) : v));
    SignedJWT jwt = new SignedJWT(header, b.build());
    JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static JWSHeader.Builder header(JWK key) {
    return new JWSHeader.Builder(key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.getKeyID());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
