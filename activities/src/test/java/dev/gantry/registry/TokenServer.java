package dev.gantry.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token server for docker-registry's {@code auth.token}: checks basic credentials and issues
 * RS256 JWTs whose {@code x5c} header carries a self-signed certificate that is also the
 * registry's {@code rootcertbundle}. distribution 2.8 verifies {@code x5c} against that bundle (a
 * certificate in the root pool verifies as its own chain), then the signature with its key.
 *
 * <p>User {@code mallory} authenticates but gets tokens signed by a key the registry does not
 * trust, so the registry itself refuses them.
 */
final class TokenServer implements AutoCloseable {
  static final String SERVICE = "gantry-test-registry";
  static final String ISSUER = "gantry-test-issuer";
  static final String UNTRUSTED_USER = "mallory";

  private final HttpServer server;
  private final String username;
  private final String password;
  private final SigningKey trusted;
  private final SigningKey untrusted;
  private final Path bundle;
  private final AtomicInteger issued = new AtomicInteger();
  private final ObjectMapper json = new ObjectMapper();

  private record SigningKey(PrivateKey key, X509Certificate cert) {}

  TokenServer(Path dir, String username, String password) throws Exception {
    this.username = username;
    this.password = password;
    this.trusted = generate(dir, "trusted");
    this.untrusted = generate(dir, "untrusted");
    this.bundle =
        Files.writeString(
            dir.resolve("token-bundle.pem"),
            "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(trusted.cert().getEncoded())
                + "\n-----END CERTIFICATE-----\n");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::issue);
    server.start();
  }

  /** The {@code auth:} section of a docker-registry configuration that trusts this server. */
  String registryConfig() {
    return """
        auth:
          token:
            realm: %s
            service: %s
            issuer: %s
            rootcertbundle: %s
        """
        .formatted(realm(), SERVICE, ISSUER, bundle);
  }

  String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** Tokens issued so far. */
  int issued() {
    return issued.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void issue(HttpExchange exchange) throws IOException {
    try (exchange) {
      String user = authenticatedUser(exchange.getRequestHeaders().getFirst("Authorization"));
      if (user == null) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"token\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      String service = null;
      List<String> scopes = new ArrayList<>();
      String query = exchange.getRequestURI().getRawQuery();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (key.equals("service")) {
          service = value;
        } else if (key.equals("scope")) {
          scopes.add(value);
        }
      }
      if (!SERVICE.equals(service)) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      Instant now = Instant.now();
      ObjectNode claims = json.createObjectNode();
      claims.put("iss", ISSUER);
      claims.put("sub", user);
      claims.put("aud", SERVICE);
      claims.put("iat", now.getEpochSecond());
      claims.put("nbf", now.getEpochSecond() - 5);
      claims.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
      claims.put("jti", UUID.randomUUID().toString());
      ArrayNode access = claims.putArray("access");
      for (String scope : scopes) {
        // repository:<name>:<actions>; names have no ':' here (no ports in repository names)
        String[] parts = scope.split(":");
        ObjectNode a = access.addObject();
        a.put("type", parts[0]);
        a.put("name", parts[1]);
        ArrayNode actions = a.putArray("actions");
        for (String action : parts[2].split(",")) {
          actions.add(action);
        }
      }
      String token = jwt(user.equals(UNTRUSTED_USER) ? untrusted : trusted, claims);
      issued.incrementAndGet();
      ObjectNode body = json.createObjectNode();
      body.put("token", token);
      body.put("access_token", token);
      body.put("expires_in", 300);
      body.put("issued_at", now.toString());
      byte[] bytes = json.writeValueAsBytes(body);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  private String authenticatedUser(String authorization) {
    if (authorization == null || !authorization.startsWith("Basic ")) {
      return null;
    }
    String decoded =
        new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    String user = decoded.substring(0, colon);
    String pass = decoded.substring(colon + 1);
    if (user.equals(UNTRUSTED_USER) && pass.equals(password)) {
      return user;
    }
    return user.equals(username) && pass.equals(password) ? user : null;
  }

  private String jwt(SigningKey key, ObjectNode claims) throws Exception {
    ObjectNode header = json.createObjectNode();
    header.put("typ", "JWT");
    header.put("alg", "RS256");
    header.putArray("x5c").add(Base64.getEncoder().encodeToString(key.cert().getEncoded()));
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String signingInput =
        url.encodeToString(json.writeValueAsBytes(header)) + "." + url.encodeToString(json.writeValueAsBytes(claims));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(key.key());
    rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + url.encodeToString(rsa.sign());
  }

  // the JDK has no public API to create certificates; its keytool does
  private static SigningKey generate(Path dir, String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    char[] pass = "changeit".toCharArray();
    DockerRegistryProcess.run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
            "-sigalg", "SHA256withRSA", "-dname", "CN=gantry-test-" + name, "-validity", "2",
            "-keystore", store.toString(), "-storetype", "PKCS12",
            "-storepass", "changeit", "-keypass", "changeit"),
        Duration.ofSeconds(60));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(store.toFile())) {
      ks.load(in, pass);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SigningKey((PrivateKey) ks.getKey(name, pass), (X509Certificate) ks.getCertificate(name));
  }
}
