package dev.gantry.api;

import dev.gantry.evidence.DependencyPolicy;
import dev.gantry.evidence.EvaluationPolicy;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.EvidencePolicy;
import dev.gantry.evidence.KeylessPolicy;
import dev.gantry.evidence.LockfilePolicy;
import dev.gantry.evidence.MetricRule;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.PublicKeys;
import dev.gantry.evidence.SbomPolicy;
import dev.gantry.evidence.SignaturePolicy;
import dev.gantry.evidence.ScanException;
import dev.gantry.evidence.ScanPolicy;
import dev.gantry.evidence.TrustedKey;
import dev.gantry.model.Digests;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.GitOpsTarget;
import dev.gantry.model.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configured services as the policy snapshots releases carry. Checked once at start, so a
 * misconfigured service stops Gantry instead of failing a release later.
 */
public class ServiceDirectory {
  private final Map<String, ServiceSpec> services = new LinkedHashMap<>();

  public ServiceDirectory(ApiProperties props) {
    List<ApiProperties.User> users = props.users() == null ? List.of() : props.users();
    for (ApiProperties.Service s : props.services() == null ? List.<ApiProperties.Service>of() : props.services()) {
      require(Digests.isName(s.name()), "service name '" + s.name() + "' must be a DNS label");
      require(s.image() != null && !s.image().isBlank(), "service " + s.name() + " has no image repository");
      require(s.environments() != null && !s.environments().isEmpty(), "service " + s.name() + " has no environments");
      KeylessPolicy keyless = keyless(s);
      List<EnvironmentSpec> envs = new ArrayList<>();
      for (ApiProperties.Environment e : s.environments()) {
        String where = "service " + s.name() + " environment " + e.name();
        require(Digests.isName(e.name()), where + ": name must be a DNS label");
        int approvals = e.approvals() == null ? 0 : e.approvals();
        require(approvals >= 0, where + ": approvals must be 0 or more");
        require(approvals == 0 || e.approverGroup() != null, where + ": approvals need an approver-group");
        ApiProperties.GitOps g = Objects.requireNonNull(e.gitops(), where + ": gitops is required");
        require(g.repository() != null && g.file() != null, where + ": gitops.repository and gitops.file are required");
        require(e.healthUrl() != null, where + ": health-url is required");
        require(g.outageLimit() == null || (!g.outageLimit().isNegative() && g.outageLimit().compareTo(java.time.Duration.ofSeconds(5)) >= 0),
            where + ": gitops.outage-limit must be at least 5s");
        List<String> members =
            e.approverGroup() == null
                ? List.of()
                : users.stream().filter(u -> u.groups() != null && u.groups().contains(e.approverGroup())).map(ApiProperties.User::name).toList();
        envs.add(
            new EnvironmentSpec(
                e.name(),
                approvals,
                e.approverGroup(),
                members,
                or(e.approvalTimeout(), Duration.ofHours(72)),
                new GitOpsTarget(g.repository(), g.branch() == null ? "main" : g.branch(), g.file(), g.path() == null ? "image.digest" : g.path(),
                    g.outageLimit()),
                e.healthUrl(),
                or(e.liveTimeout(), Duration.ofMinutes(10)),
                or(e.soakTime(), Duration.ofMinutes(5)),
                or(e.pollInterval(), Duration.ofSeconds(5)),
                evidence(s, keyless, e.evidence(), where)));
      }
      EvaluationSpec evaluation = null;
      if (s.evaluation() != null) {
        require(s.evaluation().url() != null && s.evaluation().url().matches("https?://.+"), "service " + s.name() + ": evaluation.url must be an http(s) URL");
        evaluation = new EvaluationSpec(s.evaluation().url(), or(s.evaluation().timeout(), Duration.ofMinutes(30)));
      }
      final EvaluationSpec eval = evaluation;
      require(eval != null || envs.stream().noneMatch(x -> x.evidence().evaluation() != null),
          "service " + s.name() + ": an environment requires the evaluation gate but the service has no evaluation.url");
      services.put(s.name(), new ServiceSpec(s.name(), s.image(), List.copyOf(envs), eval));
    }
  }

  static final List<String> DEFAULT_GATES = List.of("provenance", "sbom", "scan");
  static final List<String> GATES = List.of("signature", "provenance", "sbom", "dependency-diff", "lockfile", "scan", "evaluation");

  /** An environment's evidence policy; fails closed by default (provenance, SBOM and scan required). */
  private static EvidencePolicy evidence(ApiProperties.Service s, KeylessPolicy keyless, ApiProperties.Evidence e, String where) {
    List<String> require = e == null || e.require() == null ? DEFAULT_GATES : e.require();
    for (String g : require) {
      require(GATES.contains(g), where + ": evidence.require has unknown gate '" + g + "'; known: " + GATES);
    }
    ProvenancePolicy provenance = null;
    if (require.contains("provenance")) {
      require(s.sourceRepository() != null && !s.sourceRepository().isBlank(),
          where + ": the provenance gate needs the service's source-repository (or leave provenance out of evidence.require)");
      require(s.trustedBuilders() != null && !s.trustedBuilders().isEmpty(),
          where + ": the provenance gate needs the service's trusted-builders (or leave provenance out of evidence.require)");
      require((s.provenanceKeys() != null && !s.provenanceKeys().isEmpty()) || keyless != null,
          where + ": the provenance gate needs the service's provenance-keys (PEM public keys) or keyless identities (or leave provenance out of evidence.require)");
      provenance = new ProvenancePolicy(s.trustedBuilders(), s.sourceRepository(), keys(s.provenanceKeys(), where + " provenance-keys"), keyless);
    }
    SbomPolicy sbom = null;
    if (require.contains("sbom")) {
      ApiProperties.Sbom c = e == null ? null : e.sbom();
      sbom = new SbomPolicy(
          c == null || c.maxBytes() == null ? SbomPolicy.DEFAULT_MAX_BYTES : c.maxBytes(),
          c == null || c.maxComponents() == null ? SbomPolicy.DEFAULT_MAX_COMPONENTS : c.maxComponents());
    }
    DependencyPolicy dependencies = null;
    if (require.contains("dependency-diff")) {
      ApiProperties.Dependencies c = e == null ? null : e.dependencies();
      dependencies = new DependencyPolicy(c != null && Boolean.TRUE.equals(c.refuseDowngrades()), c == null ? List.of() : c.deniedLicenses());
    }
    LockfilePolicy lockfile = require.contains("lockfile") ? new LockfilePolicy(e == null || e.lockfile() == null ? null : e.lockfile().path()) : null;
    ScanPolicy scan = null;
    if (require.contains("scan")) {
      ApiProperties.Scan c = e == null ? null : e.scan();
      String failOn = c == null || c.failOn() == null ? "HIGH" : c.failOn().toUpperCase(java.util.Locale.ROOT);
      require(List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN").contains(failOn), where + ": evidence.scan.fail-on must be CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN");
      List<ScanException> exceptions = new ArrayList<>();
      for (ApiProperties.ScanException x : c == null || c.exceptions() == null ? List.<ApiProperties.ScanException>of() : c.exceptions()) {
        require(x.vulnerability() != null && x.expires() != null && x.reason() != null && x.approvedBy() != null,
            where + ": every scan exception needs vulnerability, expires, reason and approved-by");
        exceptions.add(new ScanException(x.vulnerability(), x.purl(), x.expires(), x.reason(), x.approvedBy()));
      }
      scan = new ScanPolicy(failOn, c != null && Boolean.TRUE.equals(c.ignoreUnfixed()), c == null ? null : c.maxAge(), exceptions);
    }
    EvaluationPolicy evaluation = null;
    if (require.contains("evaluation")) {
      List<MetricRule> rules = new ArrayList<>();
      for (ApiProperties.Metric m : e == null || e.evaluation() == null || e.evaluation().metrics() == null ? List.<ApiProperties.Metric>of() : e.evaluation().metrics()) {
        require(m.name() != null, where + ": every evaluation metric needs a name");
        rules.add(new MetricRule(m.name(), m.min(), m.max(), m.maxRegression(), Boolean.TRUE.equals(m.lowerIsBetter())));
      }
      require(!rules.isEmpty(), where + ": the evaluation gate needs evidence.evaluation.metrics");
      evaluation = new EvaluationPolicy(rules);
    }
    SignaturePolicy signature = null;
    if (require.contains("signature")) {
      require((s.signingKeys() != null && !s.signingKeys().isEmpty()) || keyless != null,
          where + ": the signature gate needs the service's signing-keys (the PEM public keys CI signs with) or keyless identities (or leave signature out of evidence.require)");
      signature = new SignaturePolicy(keys(s.signingKeys(), where + " signing-keys"), keyless);
    }
    return new EvidencePolicy(provenance, sbom, dependencies, lockfile, scan, evaluation,
        e == null || e.waitFor() == null ? Duration.ofMinutes(10) : e.waitFor(), signature);
  }

  /** Configured keys with their validity; each read and parsed now, so a bad key stops startup. */
  private static List<TrustedKey> keys(List<ApiProperties.Key> keys, String where) {
    List<TrustedKey> out = new ArrayList<>();
    for (ApiProperties.Key k : keys == null ? List.<ApiProperties.Key>of() : keys) {
      require(k != null && k.key() != null && !k.key().isBlank(), where + ": every key needs its PEM public key (key: inline PEM or a file path)");
      try {
        out.add(new TrustedKey(pem(k.key(), where), k.notBefore(), k.notAfter(), Boolean.TRUE.equals(k.revoked()), k.note()));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("gantry.services: " + where + ": key " + abbreviate(k.key().strip()) + ": " + e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /** Largest trusted root accepted: it travels in every release's workflow input (public-good: ~7 KB). */
  static final int MAX_TRUSTED_ROOT_BYTES = 256 * 1024;

  /** The service's keyless rules, with its trusted root read and checked now; null when it has none. */
  private static KeylessPolicy keyless(ApiProperties.Service s) {
    ApiProperties.Keyless k = s.keyless();
    if (k == null) {
      return null;
    }
    String at = "service " + s.name() + " keyless";
    require(k.trustedRoot() != null && !k.trustedRoot().isBlank(),
        at + ": trusted-root is required, the path of a Sigstore trusted_root.json (it is never fetched)");
    String root;
    try {
      root = java.nio.file.Files.readString(java.nio.file.Path.of(k.trustedRoot()));
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalStateException("gantry.services: " + at + ": cannot read the trusted root " + k.trustedRoot() + ": " + e);
    }
    require(root.length() <= MAX_TRUSTED_ROOT_BYTES,
        at + ": the trusted root " + k.trustedRoot() + " is over " + MAX_TRUSTED_ROOT_BYTES + " bytes; it travels in every release's workflow input");
    checkTrustedRoot(root, at + ": the trusted root " + k.trustedRoot());
    require(k.identities() != null && !k.identities().isEmpty(),
        at + ": identities are required: each a subject or subject-regex, and an issuer");
    List<KeylessPolicy.Identity> identities = new ArrayList<>();
    for (int i = 0; i < k.identities().size(); i++) {
      ApiProperties.CertificateIdentity id = k.identities().get(i);
      require(id != null, at + ": identities[" + i + "] is empty");
      try {
        identities.add(new KeylessPolicy.Identity(id.subject(), id.subjectRegex(), id.issuer()));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("gantry.services: " + at + ": identities[" + i + "]: " + e.getMessage());
      }
    }
    return new KeylessPolicy(root, identities);
  }

  /** A Sigstore TrustedRoot document naming at least one certificate authority and one transparency log. */
  private static void checkTrustedRoot(String json, String what) {
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("gantry.services: " + what + " is not JSON: " + e.getOriginalMessage());
    }
    require(node != null && node.path("mediaType").asText("").startsWith("application/vnd.dev.sigstore.trustedroot+json"),
        what + " is not a Sigstore trusted root (its mediaType is not application/vnd.dev.sigstore.trustedroot+json)");
    require(node.path("certificateAuthorities").isArray() && !node.path("certificateAuthorities").isEmpty(),
        what + " names no certificateAuthorities: keyless certificates cannot chain to anything");
    require(node.path("tlogs").isArray() && !node.path("tlogs").isEmpty(),
        what + " names no tlogs: the transparency log entries cannot be checked");
  }

  /** Inline PEM, or a file holding one; parsed now so a bad key stops startup. */
  private static String pem(String key, String where) {
    String text = key.strip();
    if (!text.startsWith("-----BEGIN")) {
      try {
        text = java.nio.file.Files.readString(java.nio.file.Path.of(text));
      } catch (java.io.IOException ex) {
        throw new IllegalStateException("gantry.services: " + where + ": cannot read key file " + key + ": " + ex.getMessage());
      }
    }
    try {
      PublicKeys.fromPem(text);
    } catch (IllegalArgumentException ex) {
      throw new IllegalStateException("gantry.services: " + where + ": key " + abbreviate(key) + ": " + ex.getMessage());
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static Duration or(Duration d, Duration fallback) {
    return d == null ? fallback : d;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException("gantry.services: " + message);
    }
  }

  public ServiceSpec service(String name) {
    return services.get(name);
  }

  public List<ServiceSpec> all() {
    return List.copyOf(services.values());
  }
}
