package dev.gantry.api;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
   * @param provenanceKeys PEM public keys that sign provenance: inline PEM or a file path
   * @param evaluation the service's evaluation endpoint, if it has one
   * @param signingKeys PEM public keys CI signs images with (cosign), for the signature gate
   */
  public record Service(
      String name,
      String image,
      List<Environment> environments,
      String sourceRepository,
      List<String> trustedBuilders,
      List<String> provenanceKeys,
      Evaluation evaluation,
      List<String> signingKeys) {}

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

  public record GitOps(String repository, String branch, String file, String path) {}

  /**
   * @param password in Spring Security's {@code {id}hash} form, e.g. {@code {bcrypt}...} or {@code
   *     {noop}alice} (demo only)
   * @param roles {@code ci} may start releases, {@code oncall} may roll back and clear holds
   */
  public record User(String name, String password, List<String> roles, List<String> groups) {}
}
