package dev.gantry.bench;

import dev.gantry.evidence.PublicKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evaluation.EvaluationGate;
import dev.gantry.evidence.DependencyPolicy;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvaluationPolicy;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.LockfilePolicy;
import dev.gantry.evidence.MetricRule;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SbomPolicy;
import dev.gantry.evidence.ScanException;
import dev.gantry.evidence.ScanPolicy;
import dev.gantry.lockfile.LockfileGate;
import dev.gantry.provenance.ProvenanceGate;
import dev.gantry.sbom.DependencyDiff;
import dev.gantry.sbom.DependencyDiffGate;
import dev.gantry.sbom.Sbom;
import dev.gantry.sbom.SbomGate;
import dev.gantry.scan.ScanGate;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * CPU time of every gate over one release: a signed SLSA v1 provenance, a 5,000-component
 * CycloneDX 1.6 SBOM (schema-validated), the dependency diff against a previous 5,000-component
 * SBOM, the lockfile, a 2,000-finding Trivy report with 100 exceptions and 200 OpenVEX statements,
 * and an evaluation. Prints figures; asserts nothing. {@code ./gantry bench gates [--components N]
 * [--findings N] [--runs N]}.
 */
public final class GateBenchmark {
  static final String REPO = "https://github.com/acme/shop";
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  public static void main(String[] args) throws Exception {
    int components = arg(args, "--components", 5_000);
    int findings = arg(args, "--findings", 2_000);
    int runs = arg(args, "--runs", 30);
    KeyPair ci = keys();
    String commit = "c".repeat(40);
    String digest = "sha256:" + "d".repeat(64);
    ReleaseRef release = new ReleaseRef("shop", commit, "registry.example/shop", digest);
    ReleaseRef previousRelease = new ReleaseRef("shop", "b".repeat(40), "registry.example/shop", "sha256:" + "e".repeat(64));

    EvidenceDocument provenance = attested(EvidenceType.PROVENANCE, "https://slsa.dev/provenance/v1", provenance(commit), digest, ci);
    EvidenceDocument sbom = attested(EvidenceType.SBOM, "https://cyclonedx.org/bom", sbom(components, 0), digest, ci);
    EvidenceDocument previousSbom = attested(EvidenceType.SBOM, "https://cyclonedx.org/bom", sbom(components, 1), previousRelease.digest(), ci);
    EvidenceDocument scan = raw(EvidenceType.SCAN, trivy(findings, digest));
    EvidenceDocument vex = raw(EvidenceType.VEX, openvex(200));
    List<ScanException> exceptions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      exceptions.add(new ScanException(cve(i * 7), null, NOW.plus(Duration.ofDays(30)), "bench", "sec-team"));
    }
    ProvenancePolicy provenancePolicy = new ProvenancePolicy(List.of(REPO + "/.github/workflows/*"), REPO, List.of(PublicKeys.pem(ci.getPublic())));
    ScanPolicy scanPolicy = new ScanPolicy("HIGH", false, Duration.ofDays(7), exceptions);
    EvaluationPolicy evaluationPolicy = new EvaluationPolicy(List.of(new MetricRule("accuracy", 0.9, null, 0.02, false), new MetricRule("p99_ms", null, 250.0, 20.0, true)));
    Sbom previous = SbomGate.evaluate(previousRelease, SbomPolicy.defaults(), List.of(previousSbom)).sbom();
    System.out.printf("gates over one release: %d-component SBOM (%d KiB), %d-finding scan report (%d KiB), 100 exceptions, 200 VEX statements%n",
        components, Json.canonical(sbom.json()).length / 1024, findings, Json.canonical(scan.json()).length / 1024);

    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    String[] names = {"provenance", "sbom", "lockfile", "dependency-diff", "scan", "evaluation"};
    long[][] perGate = new long[names.length][runs];
    long[] totals = new long[runs];
    for (int run = -10; run < runs; run++) { // 10 warm-up passes for the JIT
      long[] t = new long[names.length + 1];
      t[0] = cpu.getCurrentThreadCpuTime();
      ProvenanceGate.Result p = ProvenanceGate.evaluate(release, provenancePolicy, List.of(provenance));
      t[1] = cpu.getCurrentThreadCpuTime();
      SbomGate.Result s = SbomGate.evaluate(release, SbomPolicy.defaults(), List.of(sbom));
      t[2] = cpu.getCurrentThreadCpuTime();
      LockfileGate.Result l = LockfileGate.evaluate(new LockfilePolicy("package-lock.json"), List.of(), p.lockfiles());
      t[3] = cpu.getCurrentThreadCpuTime();
      DependencyDiff diff = DependencyDiff.of(previous, s.sbom(), List.of(), l.lockfiles());
      var d = DependencyDiffGate.evaluate(new DependencyPolicy(true, List.of("AGPL-3.0-only")), diff, List.of());
      t[4] = cpu.getCurrentThreadCpuTime();
      ScanGate.Result r = ScanGate.evaluate(release, scanPolicy, List.of(scan), List.of(vex), NOW);
      t[5] = cpu.getCurrentThreadCpuTime();
      var e = EvaluationGate.evaluate(evaluationPolicy, Map.of("accuracy", 0.93, "p99_ms", 180.0), Map.of("accuracy", 0.92, "p99_ms", 175.0), null, List.of());
      t[6] = cpu.getCurrentThreadCpuTime();
      if (run == -10) {
        System.out.printf("verdicts: provenance %s, sbom %s, lockfile %s, dependency-diff %s, scan %s (%d findings judged), evaluation %s%n",
            p.verdict().outcome(), s.verdict().outcome(), l.verdict().outcome(), d.outcome(), r.verdict().outcome(), r.verdict().findings().size(), e.outcome());
      }
      if (run >= 0) {
        for (int g = 0; g < names.length; g++) {
          perGate[g][run] = t[g + 1] - t[g];
        }
        totals[run] = t[6] - t[0];
      }
    }
    System.out.printf("%n%-16s %10s %10s %10s%n", "gate", "min ms", "p50 ms", "max ms");
    for (int g = 0; g < names.length; g++) {
      print(names[g], perGate[g]);
    }
    print("all gates", totals);
    System.out.printf("%n(CPU time of this thread, %d runs after 10 warm-up runs; target: all gates <= 200 ms)%n", runs);
  }

  private static void print(String name, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%-16s %10.1f %10.1f %10.1f%n", name, sorted[0] / 1e6, sorted[sorted.length / 2] / 1e6, sorted[sorted.length - 1] / 1e6);
  }

  private static int arg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  static String cve(int i) {
    return String.format("CVE-2025-%05d", 10_000 + i);
  }

  static ObjectNode provenance(String commit) {
    ObjectNode p = Json.WRITER.createObjectNode();
    ObjectNode def = p.putObject("buildDefinition");
    def.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
    def.putObject("externalParameters").putObject("workflow").put("ref", "refs/heads/main").put("repository", REPO).put("path", ".github/workflows/release.yml");
    ArrayNode resolved = def.putArray("resolvedDependencies");
    resolved.addObject().put("uri", "git+" + REPO + "@refs/heads/main").putObject("digest").put("gitCommit", commit);
    resolved.addObject().put("uri", REPO + "/blob/main/package-lock.json").put("name", "package-lock.json").putObject("digest").put("sha256", "1".repeat(64));
    p.putObject("runDetails").putObject("builder").put("id", REPO + "/.github/workflows/release.yml@refs/heads/main");
    return p;
  }

  /** {@code n} npm components; the previous SBOM ({@code variant} 1) has older versions of every tenth. */
  static ObjectNode sbom(int n, int variant) {
    ObjectNode bom = Json.WRITER.createObjectNode();
    bom.put("bomFormat", "CycloneDX").put("specVersion", "1.6").put("version", 1);
    bom.putObject("metadata").putObject("component").put("type", "container").put("name", "shop");
    ArrayNode list = bom.putArray("components");
    for (int i = 0; i < n; i++) {
      String version = "1." + (i % 50) + "." + (variant == 1 && i % 10 == 0 ? 0 : 3);
      String name = "pkg-" + i;
      ObjectNode c = list.addObject().put("bom-ref", "pkg:npm/" + name + "@" + version).put("type", "library").put("name", name)
          .put("version", version).put("purl", "pkg:npm/" + name + "@" + version);
      c.putArray("licenses").addObject().putObject("license").put("id", i % 3 == 0 ? "Apache-2.0" : "MIT");
      c.putArray("hashes").addObject().put("alg", "SHA-256").put("content", String.format("%064x", i));
    }
    return bom;
  }

  static ObjectNode trivy(int n, String digest) {
    ObjectNode t = Json.WRITER.createObjectNode();
    t.put("SchemaVersion", 2).put("CreatedAt", NOW.minusSeconds(600).toString()).put("ArtifactName", "shop@" + digest);
    t.putObject("Metadata").putArray("RepoDigests").add("registry.example/shop@" + digest);
    ArrayNode vulns = t.putArray("Results").addObject().put("Target", "package-lock.json").put("Class", "lang-pkgs").put("Type", "npm").putArray("Vulnerabilities");
    String[] severities = {"LOW", "MEDIUM", "HIGH", "CRITICAL", "UNKNOWN"};
    for (int i = 0; i < n; i++) {
      ObjectNode v = vulns.addObject().put("VulnerabilityID", cve(i)).put("PkgName", "pkg-" + i).put("InstalledVersion", "1." + (i % 50) + ".3")
          .put("Severity", severities[i % severities.length]);
      if (i % 4 != 0) {
        v.put("FixedVersion", "1." + (i % 50) + ".4");
      }
      v.putObject("PkgIdentifier").put("PURL", "pkg:npm/pkg-" + i + "@1." + (i % 50) + ".3");
    }
    return t;
  }

  static ObjectNode openvex(int n) {
    ObjectNode doc = Json.WRITER.createObjectNode();
    doc.put("@context", "https://openvex.dev/ns/v0.2.0").put("@id", "https://example.com/vex/1").put("author", "sec-team")
        .put("timestamp", NOW.minusSeconds(3600).toString()).put("version", 1);
    ArrayNode statements = doc.putArray("statements");
    for (int i = 0; i < n; i++) {
      ObjectNode s = statements.addObject();
      s.putObject("vulnerability").put("name", cve(i * 5 + 2));
      s.putArray("products").addObject().put("@id", "pkg:npm/pkg-" + (i * 5 + 2));
      s.put("status", "not_affected").put("justification", "vulnerable_code_not_in_execute_path");
    }
    return doc;
  }

  static EvidenceDocument raw(EvidenceType type, JsonNode json) {
    return new EvidenceDocument(Json.contentId(json), type, "application/json", "upload:ci", json);
  }

  static EvidenceDocument attested(EvidenceType type, String predicateType, ObjectNode predicate, String digest, KeyPair key) {
    ObjectNode s = Json.WRITER.createObjectNode();
    s.put("_type", InTotoStatement.V1);
    s.putArray("subject").addObject().put("name", "shop").putObject("digest").put("sha256", digest.substring(7));
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    JsonNode env = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, s.toString().getBytes(StandardCharsets.UTF_8), key.getPrivate(), "").toJson();
    return new EvidenceDocument(Json.contentId(env), type, Dsse.MEDIA_TYPE, "registry:att", env);
  }

  static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }
}
