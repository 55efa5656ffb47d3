package dev.gantry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sigstore-conformance bundle verification cases, every directory, through the same picocli
 * command `gantry verify bundle` runs. A case ending in {@code _fail} must be refused; every other
 * case must verify, except the few in {@link #LIBRARY_LIMITS}, whose exact refusal is asserted so
 * the test notices when sigstore-java learns them.
 */
public class SigstoreConformanceTest {
  static final String DEFAULT_IDENTITY =
      "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  static final String DEFAULT_ISSUER = "https://token.actions.githubusercontent.com";

  /** Valid bundles sigstore-java 2.0.0 cannot verify, with the reason it gives. */
  public static final Map<String, String> LIBRARY_LIMITS =
      Map.of(
          // Rekor v1 "intoto" entries: sigstore-java verifies DSSE bundles against "dsse" entries only
          "intoto-with-custom-trust-root",
          "Could not parse DSSE from log entry body: Expecting type dsse:0.0.2, but found intoto:0.0.2",
          // Rekor v2 logs DSSE as hashedrekord over the PAE (rekor-v2-spec 6.1.4); 2.0.0 expects a dsse entry
          "rekor2-dsse-happy-path",
          "Could not parse DSSE from log entry body: Expecting type dsse:0.0.2, but found hashedrekord:0.0.2");

  /**
   * Invalid bundles that are refused, but before the check they were written for, because of the
   * same library limits (or a fixture detail). Pinned so a sigstore-java upgrade that lifts a
   * limit shows which refusals to re-examine.
   */
  public static final Map<String, String> REFUSED_EARLY =
      Map.of(
          "intoto-tsa-timestamp-outside-cert-validity_fail", "but found intoto:0.0.2",
          "rekor2-dsse-mismatch-envelope_fail", "but found hashedrekord:0.0.2",
          "rekor2-dsse-mismatch-sig_fail", "but found hashedrekord:0.0.2",
          // its RFC 3161 token is base64 with line breaks, which protobuf's JSON parser rejects
          "rekor2-timestamp-with-incorrect-time_fail", "is not a valid Sigstore bundle: Illegal base64 character a");

  public static Path testdata() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      fail("cannot find the repository root (the directory with mvnw) above " + Path.of("").toAbsolutePath());
    }
    Path cases = dir.resolve("../shared/testdata/sigstore-conformance").normalize();
    if (!Files.isDirectory(cases.resolve("bundle-verify"))) {
      fail("the sigstore-conformance testdata is missing: expected " + cases.resolve("bundle-verify")
          + " (the repository is cloned with shared/ beside it)");
    }
    return cases;
  }

  public static Stream<String> cases() throws IOException {
    try (var dirs = Files.list(testdata().resolve("bundle-verify"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @Test
  void theWholeDirectoryIsHere() throws IOException {
    assertThat(cases().count()).as("cases in bundle-verify").isGreaterThanOrEqualTo(55);
    assertThat(cases().toList()).containsAll(LIBRARY_LIMITS.keySet()).containsAll(REFUSED_EARLY.keySet());
  }

  /** The command line `gantry verify bundle` gets for one case, as the conformance suite runs it. */
  public static List<String> arguments(String name) throws IOException {
    Path root = testdata();
    Path dir = root.resolve("bundle-verify").resolve(name);
    List<String> args = new ArrayList<>(List.of("verify", "bundle",
        "--bundle", dir.resolve("bundle.sigstore.json").toString(),
        "--artifact", orDefault(dir.resolve("artifact"), root.resolve("a.txt")).toString(),
        "--trusted-root", orDefault(dir.resolve("trusted_root.json"), root.resolve("trusted_root.public-good.json")).toString()));
    if (Files.exists(dir.resolve("key.pub"))) {
      args.addAll(List.of("--key", dir.resolve("key.pub").toString()));
    } else {
      args.addAll(List.of("--certificate-identity", text(dir.resolve("identity"), DEFAULT_IDENTITY),
          "--certificate-oidc-issuer", text(dir.resolve("issuer"), DEFAULT_ISSUER)));
    }
    return args;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conformance(String name) throws IOException {
    List<String> args = arguments(name);

    var out = new StringWriter();
    var err = new StringWriter();
    int code = GantryCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args.toArray(String[]::new));

    if (name.endsWith("_fail")) {
      assertThat(code).as("%s must be refused; stdout: %s", name, out).isEqualTo(GantryCli.REFUSED);
      assertThat(err.toString()).as("a reason is printed").startsWith("Error: not verified: ").hasSizeGreaterThan(25);
      if (REFUSED_EARLY.containsKey(name)) {
        assertThat(err.toString()).contains(REFUSED_EARLY.get(name));
      }
    } else if (LIBRARY_LIMITS.containsKey(name)) {
      assertThat(code).as("%s is a known sigstore-java 2.0.0 limit; stdout: %s", name, out).isEqualTo(GantryCli.REFUSED);
      assertThat(err.toString()).as("the known reason").contains(LIBRARY_LIMITS.get(name));
    } else {
      assertThat(code).as("%s must verify; stderr: %s", name, err).isEqualTo(GantryCli.VERIFIED);
      assertThat(out.toString()).startsWith("Verified OK: ");
    }
  }

  private static Path orDefault(Path p, Path fallback) {
    return Files.exists(p) ? p : fallback;
  }

  private static String text(Path p, String fallback) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : fallback;
  }
}
