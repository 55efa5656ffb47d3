package dev.gantry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real cosign binary, v3 or v2, as {@code deploy/ci/install-cosign.sh} installs it. Fails, never
 * skips, when the binary is missing.
 *
 * <pre>{@code
 * CosignBinary cosign = CosignBinary.v3();
 * CosignBinary.Run run = cosign.run(dir, Map.of("COSIGN_PASSWORD", "x"), "generate-key-pair");
 * }</pre>
 */
public final class CosignBinary {
  public static final String V3 = "v3.1.3";
  public static final String V2 = "v2.6.5";
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Path binary;
  private final String version;

  private CosignBinary(Path binary, String version) {
    this.binary = binary;
    this.version = version;
  }

  /** cosign v3.1.3: {@code $GANTRY_COSIGN3}, else {@code ~/.cache/gantry/cosign-v3.1.3/cosign}. */
  public static CosignBinary v3() {
    return find("GANTRY_COSIGN3", V3);
  }

  /** cosign v2.6.5: {@code $GANTRY_COSIGN2}, else {@code ~/.cache/gantry/cosign-v2.6.5/cosign}. */
  public static CosignBinary v2() {
    return find("GANTRY_COSIGN2", V2);
  }

  private static CosignBinary find(String env, String version) {
    String override = System.getenv(env);
    Path path =
        override != null && !override.isBlank()
            ? Path.of(override)
            : Path.of(System.getProperty("user.home"), ".cache", "gantry", "cosign-" + version, "cosign");
    if (!Files.isExecutable(path)) {
      throw new AssertionError(
          "cosign " + version + " not found at " + path + " (set " + env
              + " to another path): run deploy/ci/install-cosign.sh");
    }
    return new CosignBinary(path, version);
  }

  public Path path() {
    return binary;
  }

  public String version() {
    return version;
  }

  public boolean isV3() {
    return version.startsWith("v3");
  }

  /** What one cosign command did. */
  public record Run(List<String> command, int exitCode, String output) {
    /** Fails with the output unless the command exited 0. */
    public Run ok() {
      if (exitCode != 0) {
        throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  /**
   * Runs {@code cosign args…} in {@code dir} with extra environment variables, stdout and stderr
   * together, stdin closed (cosign then reads passwords from {@code COSIGN_PASSWORD} only).
   */
  public Run run(Path dir, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().putAll(env);
    // no Sigstore TUF fetches or caches outside the test's directory
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("TUF_ROOT", dir.resolve(".sigstore").toString());
    try {
      // output to a file: a hung cosign must not block the read past the timeout
      Path log = Files.createTempFile(dir, "cosign-", ".log");
      pb.redirectOutput(log.toFile());
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + TIMEOUT + ":\n" + Files.readString(log));
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Files.delete(log);
      return new Run(command, p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  /** {@link #run} without extra environment. */
  public Run run(Path dir, String... args) {
    return run(dir, Map.of(), args);
  }
}
