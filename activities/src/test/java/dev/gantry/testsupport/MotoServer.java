package dev.gantry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * moto's server (AWS APIs emulated on loopback, plain http) as {@code deploy/ci/install-moto.sh}
 * installs it under {@code ~/.cache/gantry/moto-venv}. Fails, never skips, when it is missing.
 *
 * <pre>{@code
 * try (var moto = MotoServer.start()) {
 *   KmsClient kms = KmsClient.builder().endpointOverride(moto.endpoint()).credentialsProvider(MotoServer.CREDENTIALS)…
 * }
 * }</pre>
 */
public final class MotoServer implements AutoCloseable {
  /** moto accepts any credentials; these are dummies so no real ones are looked for. */
  public static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** {@code $GANTRY_MOTO_VENV/bin/moto_server}, else {@code ~/.cache/gantry/moto-venv/bin/moto_server}. */
  public static Path binary() {
    String venv = System.getenv("GANTRY_MOTO_VENV");
    Path dir = venv != null && !venv.isBlank() ? Path.of(venv) : Path.of(System.getProperty("user.home"), ".cache", "gantry", "moto-venv");
    return dir.resolve("bin").resolve("moto_server");
  }

  public static MotoServer start() {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw new AssertionError("moto_server not found at " + binary + ": run deploy/ci/install-moto.sh");
    }
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      Path log = Files.createTempFile("gantry-moto-", ".log");
      Process process =
          new ProcessBuilder(binary.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      MotoServer moto = new MotoServer(process, port, log);
      moto.awaitReady();
      return moto;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start moto_server", e);
    }
  }

  /** {@code http://127.0.0.1:PORT}: the endpoint of every AWS service moto emulates. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public String log() {
    return PeerProcess.readLog(log);
  }

  // moto answers its own dashboard API once it serves requests
  private void awaitReady() {
    PeerProcess.awaitHttp("moto_server", process, endpoint().resolve("/moto-api/data.json"), java.util.Set.of(200), STARTUP,
        Duration.ofMillis(100), this::log, this::close);
  }

  @Override
  public void close() {
    PeerProcess.stop(process);
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }
}
