package dev.gantry.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * What the API needs from {@code gantry.*}: services with their environments' policy, and (in
 * embedded mode) the users allowed in.
 */
@ConfigurationProperties("gantry")
public record ApiProperties(List<Service> services, List<User> users) {

  /**
   * @param sourceRepository the repository releases are built from, e.g. {@code
   *     https://github.com/acme/storefront}; provenance must name it
   * @param trustedBuilders accepted provenance {@code builder.id}s (a trailing {@code *} makes a prefix rule)
   * @param provenanceKeys public keys that sign provenance: each a PEM (inline or a file path), or
   *     a map with the key and its validity
   * @param evaluation the service's evaluation endpoint, if it has one
   * @param signingKeys public keys CI signs images with (cosign), for the signature gate; as
   *     provenanceKeys
   * @param keyless keyless Sigstore verification for the provenance and signature gates
   */
  public record Service(
      String name,
      String image,
      List<Environment> environments,
      String sourceRepository,
      List<String> trustedBuilders,
      List<Key> provenanceKeys,
      Evaluation evaluation,
      List<Key> signingKeys,
      Keyless keyless) {}

  /**
   * A configured public key: a bare PEM string (or file path) in YAML, or a map with its validity.
   *
   * @param key the PEM public key, inline or a file path
   * @param notBefore trusted from this instant on
   * @param notAfter trusted until this instant (exclusive)
   * @param revoked never trusted again
   * @param note why it was revoked, or what it is
   */
  public record Key(String key, Instant notBefore, Instant notAfter, Boolean revoked, String note) {
    @ConstructorBinding
    public Key {}

    /** A bare PEM (or path) entry: Spring's conversion reads a scalar list entry through this. */
    public Key(String key) {
      this(key, null, null, null, null);
    }
  }

  /**
   * Keyless Sigstore verification, offline.
   *
   * @param trustedRoot path of a Sigstore {@code trusted_root.json} (e.g. the public-good root from
   *     sigstore/root-signing); never fetched
   * @param identities accepted certificate identities; one match is enough
   */
  public record Keyless(String trustedRoot, List<CertificateIdentity> identities) {}

  /**
   * @param subject the certificate's subject alternative name, exactly
   * @param subjectRegex a regular expression the whole subject must match (exactly one of the two)
   * @param issuer the OIDC issuer, exactly
   */
  public record CertificateIdentity(String subject, String subjectRegex, String issuer) {}

  public record Evaluation(String url, Duration timeout) {}

  /**
   * What evidence an environment requires before approval.
   *
   * @param require the gates that must pass: {@code signature}, {@code provenance}, {@code sbom}, {@code
   *     dependency-diff}, {@code lockfile}, {@code scan}, {@code evaluation}; default {@code
   *     [provenance, sbom, scan]}; {@code []} requires none
   * @param waitFor how long a release waits for missing evidence before the environment is refused
   */
  public record Evidence(
      List<String> require,
      Duration waitFor,
      Sbom sbom,
      Dependencies dependencies,
      Lockfile lockfile,
      Scan scan,
      EvaluationRules evaluation) {}

  public record Sbom(Long maxBytes, Integer maxComponents) {}

  public record Dependencies(Boolean refuseDowngrades, List<String> deniedLicenses) {}

  public record Lockfile(String path) {}

  /**
   * @param failOn lowest blocking severity (default HIGH: no HIGH or CRITICAL)
   * @param maxAge oldest acceptable report
   */
  public record Scan(String failOn, Boolean ignoreUnfixed, Duration maxAge, List<ScanException> exceptions) {}

  public record ScanException(String vulnerability, String purl, java.time.Instant expires, String reason, String approvedBy) {}

  public record EvaluationRules(List<Metric> metrics) {}

  public record Metric(String name, Double min, Double max, Double maxRegression, Boolean lowerIsBetter) {}

  /**
   * @param approvals approvals needed (0: promoted automatically)
   * @param approverGroup the group whose members may decide
   */
  public record Environment(
      String name,
      Integer approvals,
      String approverGroup,
      Duration approvalTimeout,
      GitOps gitops,
      String healthUrl,
      Duration liveTimeout,
      Duration soakTime,
      Duration pollInterval,
      Evidence evidence) {}

  /** @param outageLimit how long a GitOps change is retried while the remote refuses or is unreachable (default 10m) */
  public record GitOps(String repository, String branch, String file, String path, java.time.Duration outageLimit) {}

  /**
   * @param password in Spring Security's {@code {id}hash} form, e.g. {@code {bcrypt}...} or {@code
   *     {noop}alice} (demo only)
   * @param roles {@code ci} may start releases, {@code oncall} may roll back and clear holds
   */
  public record User(String name, String password, List<String> roles, List<String> groups) {}
}
