package dev.gantry.server.cli;

import dev.gantry.signing.BundleVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Gantry's offline commands, run without Spring: {@code gantry verify bundle ...}. Exit codes: 0
 * verified, 1 not verified (the reason on stderr), 2 the command line is wrong or an input file
 * cannot be read. Nothing prints a stack trace: a fault inside verification is a one-line refusal.
 */
@Command(
    name = "gantry",
    mixinStandardHelpOptions = true,
    versionProvider = GantryCli.Version.class,
    description = "Gantry command-line tools that run offline, without the server.",
    subcommands = {GantryCli.Verify.class})
public final class GantryCli {
  public static final int VERIFIED = 0;
  public static final int REFUSED = 1;
  public static final int USAGE = 2;

  /** The jar's Implementation-Version, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GantryCli.class.getPackage().getImplementationVersion();
      return new String[] {"gantry " + (v == null ? "development" : v)};
    }
  }

  /** The command line as the jar and the tests run it. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return new CommandLine(new GantryCli())
        .setOut(out)
        .setErr(err)
        // fail closed and say why in one line: a missing class or a library fault is "not verified",
        // never a stack trace a CI log buries the reason in
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("Error: not verified: Gantry failed while verifying ("
              + e.getClass().getSimpleName() + ": " + e.getMessage() + "); this is a fault in Gantry or its installation, not in the bundle");
          cmd.getErr().flush();
          return REFUSED;
        });
  }

  public static int run(String... args) {
    return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      versionProvider = GantryCli.Version.class,
      description = "Verify signatures offline.",
      subcommands = {VerifyBundle.class})
  static final class Verify {}

  @Command(
      name = "bundle",
      mixinStandardHelpOptions = true,
      versionProvider = GantryCli.Version.class,
      description = {
        "Verify a Sigstore bundle (v0.1-v0.3, message signature or DSSE) over an artifact, offline,"
            + " in the style of `cosign verify-blob`.",
        "Keyed: --key PEM (ECDSA P-256/P-384, RSA, Ed25519); with --trusted-root the bundle's"
            + " transparency log entries and timestamps are checked too.",
        "Keyless: --certificate-identity and --certificate-oidc-issuer (exact match) and"
            + " --trusted-root; nothing is fetched from Fulcio, Rekor or TUF."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:verified", "1:not verified; the reason is printed",
          "2:invalid command line, or an input file cannot be read"})
  static final class VerifyBundle implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--bundle", required = true, paramLabel = "FILE", description = "the Sigstore bundle (JSON)")
    Path bundle;

    @Option(names = "--artifact", required = true, paramLabel = "FILE",
        description = "the signed artifact; for DSSE, a subject of the in-toto statement")
    Path artifact;

    @Option(names = "--key", paramLabel = "PEM", description = "PEM public key for a keyed bundle")
    Path key;

    @Option(names = "--certificate-identity", paramLabel = "ID",
        description = "expected signer identity (certificate SAN), exact match")
    String identity;

    @Option(names = "--certificate-oidc-issuer", paramLabel = "ISS",
        description = "expected OIDC issuer in the certificate, exact match")
    String issuer;

    @Option(names = "--trusted-root", paramLabel = "FILE",
        description = "Sigstore trusted_root.json; required for keyless, optional for --key")
    Path trustedRoot;

    @Override
    public Integer call() {
      String usage = usageError();
      if (usage != null) {
        spec.commandLine().getErr().println("Error: " + usage);
        spec.commandLine().getErr().flush();
        return USAGE;
      }
      var request = new BundleVerifier.Request(bundle, artifact, key, identity, issuer, trustedRoot);
      var result = new BundleVerifier().verify(request);
      if (result.verified()) {
        spec.commandLine().getOut().println("Verified OK: " + oneLine(result.reason()));
        spec.commandLine().getOut().flush();
        return VERIFIED;
      }
      spec.commandLine().getErr().println("Error: not verified: " + oneLine(result.reason()));
      spec.commandLine().getErr().flush();
      return REFUSED;
    }

    /** A library's multi-line message (protobuf's parser writes some) as the one line a CI log greps. */
    private static String oneLine(String reason) {
      return reason == null ? "" : reason.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** What is wrong with the command line or its files before anything is verified, or null. */
    private String usageError() {
      if (key != null && (identity != null || issuer != null)) {
        return "give either --key or --certificate-identity with --certificate-oidc-issuer, not both";
      }
      if (key == null && (identity == null || issuer == null)) {
        return "keyless verification needs --certificate-identity ID and --certificate-oidc-issuer ISS (or give --key PEM)";
      }
      if (key == null && trustedRoot == null) {
        return "keyless verification needs --trusted-root FILE (a Sigstore trusted_root.json); nothing is fetched from TUF";
      }
      for (var f : new Object[][] {{"--bundle", bundle}, {"--artifact", artifact}, {"--key", key}, {"--trusted-root", trustedRoot}}) {
        Path p = (Path) f[1];
        if (p != null && !(java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isReadable(p))) {
          return f[0] + " " + p + ": no such file, or it cannot be read";
        }
      }
      return null;
    }
  }
}
