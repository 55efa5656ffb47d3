package dev.gantry.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `gantry verify bundle` command line: exit codes and what it prints. */
class GantryCliTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return GantryCli.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
  }

  @Test
  void helpExitsZero() {
    assertThat(run("verify", "bundle", "--help")).isZero();
    assertThat(out.toString()).contains("--certificate-identity", "--trusted-root", "Exit codes:");
  }

  @Test
  void missingRequiredOptionIsAUsageError() {
    assertThat(run("verify", "bundle", "--artifact", "a.txt")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--bundle=FILE'");
  }

  @Test
  void keyedBundleVerifiesAndATamperedArtifactIsRefused(@TempDir Path dir) throws Exception {
    Path root = SigstoreConformanceTest.testdata();
    Path c = root.resolve("bundle-verify/managed-key-happy-path");
    String bundle = c.resolve("bundle.sigstore.json").toString();
    String key = c.resolve("key.pub").toString();

    assertThat(run("verify", "bundle", "--bundle", bundle, "--artifact", root.resolve("a.txt").toString(), "--key", key,
        "--trusted-root", root.resolve("trusted_root.public-good.json").toString())).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("Verified OK: ");

    Path tampered = Files.writeString(dir.resolve("a.txt"), "not the signed bytes\n");
    assertThat(run("verify", "bundle", "--bundle", bundle, "--artifact", tampered.toString(), "--key", key)).isEqualTo(1);
    assertThat(err.toString()).startsWith("Error: not verified: ").contains("does not match the digest the bundle signs");
  }

  @Test
  void keylessWithoutTrustedRootIsRefusedWithTheReason() {
    Path root = SigstoreConformanceTest.testdata();
    int code = run("verify", "bundle",
        "--bundle", root.resolve("bundle-verify/happy-path-v0.3/bundle.sigstore.json").toString(),
        "--artifact", root.resolve("a.txt").toString(),
        "--certificate-identity", SigstoreConformanceTest.DEFAULT_IDENTITY,
        "--certificate-oidc-issuer", SigstoreConformanceTest.DEFAULT_ISSUER);

    assertThat(code).isEqualTo(GantryCli.USAGE);
    assertThat(err.toString()).contains("keyless verification needs --trusted-root FILE");
  }

  @Test
  void anUnreadableInputIsAUsageErrorNamingTheFile(@TempDir Path dir) {
    Path root = SigstoreConformanceTest.testdata();
    String missing = dir.resolve("no-such-bundle.json").toString();
    int code = run("verify", "bundle", "--bundle", missing, "--artifact", root.resolve("a.txt").toString(),
        "--key", root.resolve("bundle-verify/managed-key-happy-path/key.pub").toString());

    assertThat(code).isEqualTo(GantryCli.USAGE);
    assertThat(err.toString()).isEqualTo("Error: --bundle " + missing + ": no such file, or it cannot be read" + System.lineSeparator());
  }

  @Test
  void aKeyAndAnIdentityTogetherIsAUsageError() {
    Path root = SigstoreConformanceTest.testdata();
    int code = run("verify", "bundle", "--bundle", root.resolve("a.txt").toString(), "--artifact", root.resolve("a.txt").toString(),
        "--key", root.resolve("bundle-verify/managed-key-happy-path/key.pub").toString(),
        "--certificate-identity", "x", "--certificate-oidc-issuer", "y");

    assertThat(code).isEqualTo(GantryCli.USAGE);
    assertThat(err.toString()).contains("either --key or --certificate-identity");
  }
}
