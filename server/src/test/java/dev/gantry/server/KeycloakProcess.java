package dev.gantry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Keycloak 26.5.6 ({@code deploy/ci/install-keycloak.sh}) serving realm {@code gantry}
 * (test resource {@code keycloak/gantry-realm.json}) over HTTPS on 127.0.0.1 with keytool's
 * self-signed certificate. Each instance runs from its own home (bin, conf, the dev build copied;
 * the jars linked), so its data directory is its own.
 */
final class KeycloakProcess implements AutoCloseable {
  static final String VERSION = "26.5.6";
  static final String CLIENT = "gantry-cli";

  final Path caPem;
  final long startMillis;
  private final Process process;
  private final int port;
  private final HttpClient http;

  static Path installation() {
    String env = System.getenv("GANTRY_KEYCLOAK");
    Path home = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "gantry", "keycloak-" + VERSION);
    if (!Files.isExecutable(home.resolve("bin/kc.sh")) || !Files.exists(home.resolve(".gantry-built"))) {
      throw new AssertionError("Keycloak " + VERSION + " is not installed at " + home + ": run deploy/ci/install-keycloak.sh");
    }
    return home;
  }

  KeycloakProcess(Path dir, Path log) throws Exception {
    Path installed = installation();
    Path home = dir.resolve("keycloak");
    for (String d : List.of("bin", "conf", "providers", "themes", "lib/app", "lib/quarkus")) {
      copyTree(installed.resolve(d), home.resolve(d));
    }
    Files.copy(installed.resolve("lib/quarkus-run.jar"), home.resolve("lib/quarkus-run.jar"));
    Files.createSymbolicLink(home.resolve("lib/lib"), installed.resolve("lib/lib"));
    Files.createDirectories(home.resolve("data/import"));
    try (InputStream in = KeycloakProcess.class.getResourceAsStream("/keycloak/gantry-realm.json")) {
      Files.copy(in, home.resolve("data/import/gantry-realm.json"));
    }
    LoopbackTls certificate = LoopbackTls.create(dir, "keycloak");
    Path keystore = certificate.keystore();
    caPem = certificate.caPem();
    SSLContext tls = certificate.clientContext();
    http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();

    port = GantryProcess.freePort();
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-host=127.0.0.1", "--http-port=" + GantryProcess.freePort(), "--https-port=" + port,
        "--http-management-port=" + GantryProcess.freePort(), "--hostname-strict=false",
        "--https-key-store-file=" + keystore, "--https-key-store-password=" + LoopbackTls.PASSWORD, "--import-realm")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
    String java17 = "/usr/lib/jvm/java-17-openjdk-amd64";
    String kcJava = System.getenv().getOrDefault("GANTRY_KEYCLOAK_JAVA_HOME", Files.isExecutable(Path.of(java17, "bin/java")) ? java17 : null);
    if (kcJava != null) {
      pb.environment().put("JAVA_HOME", kcJava);
    }
    long t0 = System.nanoTime();
    process = pb.start();
    long deadline = t0 + Duration.ofSeconds(120).toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("Keycloak exited with " + process.exitValue() + "; see " + log + ":\n" + Files.readString(log));
      }
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          break;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new AssertionError("Keycloak did not serve realm gantry within 120 s; see " + log);
      }
      Thread.sleep(200);
    }
    startMillis = (System.nanoTime() - t0) / 1_000_000;
  }

  String issuer() {
    return "https://127.0.0.1:" + port + "/realms/gantry";
  }

  /** An access token for a realm user, by the password grant (direct access grants are on for tests). */
  String token(String user, String password) throws Exception {
    return token(CLIENT, user, password);
  }

  /** As {@link #token(String, String)} for another client of the realm ({@code gantry-cli-short}: 1 s tokens). */
  String token(String client, String user, String password) throws Exception {
    String form = Map.of("grant_type", "password", "client_id", client, "username", user, "password", password, "scope", "openid").entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("Keycloak refused " + user + "'s password grant: " + r.statusCode() + " " + r.body());
    }
    JsonNode body = new ObjectMapper().readTree(r.body());
    return body.get("access_token").asText();
  }

  /** The device authorization grant's first step answers (the CLI's sign-in). */
  int deviceAuthorization() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/auth/device"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("client_id=" + CLIENT)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
