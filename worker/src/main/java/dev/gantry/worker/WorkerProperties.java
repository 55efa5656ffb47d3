package dev.gantry.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the worker needs from {@code gantry.*}: where registries and git live and how to reach
 * them. Policy (environments, approvals) belongs to the API, which passes it into each release.
 */
@ConfigurationProperties("gantry")
public record WorkerProperties(Path dataDir, Registries registries, GitOps gitops, Worker worker, Evaluation evaluation, Signing signing) {

  /** @param callbackBase the URL evaluators POST results to, ending in {@code /api/v1/evaluations/} */
  public record Evaluation(String callbackBase, Duration pollInterval) {}

  /**
   * @param key Gantry's signing key: a PKCS#8 PEM file or cosign's encrypted key file ({@code
   *     classpath:} for a resource), or an AWS KMS key as cosign names it ({@code awskms:///…});
   *     none = promotions are not signed
   * @param password the cosign key's password, if it has one
   * @param kmsEndpoint a KMS endpoint URL (VPC endpoint, local KMS) for a key URI without one
   * @param kmsRegion the KMS Region; default the key ARN's, else the environment's, else us-east-1
   * @param previousKeys Gantry's earlier public keys (PEM, inline or a file path) whose signatures
   *     and verification summaries rollbacks still accept; a key left out is rotated out
   * @param verifierId this Gantry instance as its verification summaries name it ({@code
   *     verifier.id}), its public URL; the summaries' evidence and policy URIs start with it
   */
  public record Signing(String key, String password, String kmsEndpoint, String kmsRegion, List<String> previousKeys, String verifierId) {}

  public record Registries(List<String> allowed, List<String> insecure, Map<String, Credentials> credentials, Duration timeout) {}

  public record Credentials(String username, String password) {}

  public record GitOps(Path workDir, String authorName, String authorEmail, Integer maxPushAttempts, Map<String, Credentials> credentials) {}

  /** @param shutdownGrace how long running activities get to finish on SIGTERM */
  public record Worker(Integer workflowCacheSize, Duration shutdownGrace) {}
}
