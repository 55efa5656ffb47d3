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
 * verified, 1 refused (the reason on stderr), 2 the command line itself is wrong.
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
    return new CommandLine(new GantryCli()).setOut(out).setErr(err);
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
      exitCodeList = {"0:verified", "1:not verified; the reason is printed", "2:invalid command line"})
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
      var request = new BundleVerifier.Request(bundle, artifact, key, identity, issuer, trustedRoot);
      var result = new BundleVerifier().verify(request);
      if (result.verified()) {
        spec.commandLine().getOut().println("Verified OK: " + result.reason());
        spec.commandLine().getOut().flush();
        return VERIFIED;
      }
      spec.commandLine().getErr().println("Error: not verified: " + result.reason());
      spec.commandLine().getErr().flush();
      return REFUSED;
    }
  }
}
