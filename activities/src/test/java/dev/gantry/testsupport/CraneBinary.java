package dev.gantry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real crane binary (go-containerregistry) as {@code deploy/ci/install-crane.sh} installs it.
 * Fails, never skips, when the binary is missing.
 *
 * <pre>{@code
 * CraneBinary crane = CraneBinary.find();
 * String digest = crane.run(dir, "digest", "--insecure", "127.0.0.1:5000/app:v1").ok().text().strip();
 * }</pre>
 */
public final class CraneBinary {
  public static final String VERSION = "v0.22.1";
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  private final Path binary;

  private CraneBinary(Path binary) {
    this.binary = binary;
  }

  /** crane v0.22.1: {@code $GANTRY_CRANE}, else {@code ~/.cache/gantry/crane-v0.22.1/crane}. */
  public static CraneBinary find() {
    String override = System.getenv("GANTRY_CRANE");
    Path path =
        override != null && !override.isBlank()
            ? Path.of(override)
            : Path.of(System.getProperty("user.home"), ".cache", "gantry", "crane-" + VERSION, "crane");
    if (!Files.isExecutable(path)) {
      throw new AssertionError(
          "crane " + VERSION + " not found at " + path + " (set GANTRY_CRANE to another path): run deploy/ci/install-crane.sh");
    }
    return new CraneBinary(path);
  }

  public Path path() {
    return binary;
  }

  /** What one crane command did: its standard output as bytes (manifests are compared byte for byte) and its log. */
  public record Run(List<String> command, int exitCode, byte[] stdout, String stderr) {
    /** Fails with the log unless the command exited 0. */
    public Run ok() {
      if (exitCode != 0) {
        throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ":\n" + stderr);
      }
      return this;
    }

    public String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** The output's non-empty lines. */
    public List<String> lines() {
      return text().lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /**
   * Runs {@code crane args…} in {@code dir}, stdin closed, with {@code dir} as its home: no docker
   * credentials of the machine's user are read.
   */
  public Run run(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("DOCKER_CONFIG", dir.resolve(".docker").toString());
    try {
      // output to files: a hung crane must not block the read past the timeout
      Path out = Files.createTempFile(dir, "crane-", ".out");
      Path err = Files.createTempFile(dir, "crane-", ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + TIMEOUT + ":\n" + Files.readString(err));
      }
      Run run = new Run(command, p.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }
}
