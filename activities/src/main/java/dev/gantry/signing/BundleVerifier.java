package dev.gantry.signing;

import static dev.gantry.signing.BundleInputs.messages;

import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.signing.BundleInputs.Refused;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * Verifies a Sigstore bundle (v0.1–v0.3; message signature or DSSE) over an artifact, offline:
 * either keyless (certificate identity + OIDC issuer, against a trusted root file) or keyed (a PEM
 * public key, a "managed key" bundle).
 *
 * <p>This class is the entry point and the fail-closed boundary: a refusal and any surprise of
 * the library become a {@link Result} that did not verify, never an exception. Keyless
 * verification ({@link KeylessBundleVerifier}) is sigstore-java's {@code KeylessVerifier} as is;
 * the keyed path ({@link KeyedBundleVerifier}) is Gantry's own, since sigstore-java 2.0.0 refuses
 * bundles whose verification material is a public key. Reading the bundle, the trusted root and
 * the files given is shared ({@link BundleInputs}).
 */
public final class BundleVerifier {

  /** What to verify. {@code key} set means keyed; otherwise identity and issuer are required. */
  public record Request(
      Path bundle, Path artifact, Path key, String identity, String issuer, Path trustedRoot) {
    public Request {
      Objects.requireNonNull(bundle, "bundle");
      Objects.requireNonNull(artifact, "artifact");
    }

    public static Request keyed(Path bundle, Path artifact, Path key, Path trustedRoot) {
      return new Request(bundle, artifact, key, null, null, trustedRoot);
    }

    public static Request keyless(
        Path bundle, Path artifact, String identity, String issuer, Path trustedRoot) {
      return new Request(bundle, artifact, null, identity, issuer, trustedRoot);
    }
  }

  /**
   * The outcome; {@code reason} says what was checked, or why it was refused.
   *
   * @param identity a keyless signer's certificate identity (subject alternative name and issuer);
   *     null for keyed verification and refusals
   */
  public record Result(boolean verified, String reason, String identity) {
    public Result(boolean verified, String reason) {
      this(verified, reason, null);
    }

    static Result ok(String what) {
      return new Result(true, what);
    }

    static Result refused(String why) {
      return new Result(false, why);
    }
  }

  public Result verify(Request request) {
    try {
      return request.key() != null ? KeyedBundleVerifier.verify(request) : KeylessBundleVerifier.verify(request);
    } catch (Refused r) {
      return Result.refused(r.getMessage());
    } catch (RuntimeException e) {
      // fail closed: a library surprise is a refusal with its message, never a pass
      return Result.refused("verification failed: " + messages(e));
    }
  }

  /**
   * Verifies a Sigstore bundle with a certificate over an artifact known only by its digest (an
   * image manifest, an attestation's subject), offline, against the policy's trusted root and
   * identity rules. For a DSSE bundle the digest must be a subject of its in-toto statement.
   *
   * @param bundleJson the bundle as JSON (v0.1–v0.3)
   * @param artifactDigest {@code sha256:<64 hex>} or the bare hex
   * @param now the verification time: a log entry integrated after it is refused
   */
  public static Result verifyKeyless(byte[] bundleJson, String artifactDigest, KeylessPolicy policy, Instant now) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    try {
      return KeylessBundleVerifier.verify(bundleJson, artifactDigest, policy, now);
    } catch (Refused r) {
      return Result.refused(r.getMessage());
    } catch (RuntimeException e) {
      return Result.refused("verification failed: " + messages(e));
    }
  }
}
