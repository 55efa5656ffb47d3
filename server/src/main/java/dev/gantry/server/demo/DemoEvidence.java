package dev.gantry.server.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.signing.CosignSigner;
import dev.gantry.signing.PemSigner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The evidence the demo's CI would attach to each image, made by Gantry's own code: a cosign
 * signature (legacy {@code .sig}), signed SLSA v1
 * provenance and a cosign vuln attestation (Trivy report) under the cosign {@code .att} tag, and a
 * signed CycloneDX 1.6 SBOM as an OCI referrer. One build carries a HIGH vulnerability, so the
 * demo shows a refusal with its reasons.
 */
final class DemoEvidence {
  static final String REPOSITORY = "https://github.com/gantry-demo/storefront";
  static final String BUILDER = REPOSITORY + "/.github/workflows/release.yml@refs/heads/main";
  /** The build whose scan fails the dev gate. */
  static final int VULNERABLE = 4;

  private DemoEvidence() {}

  /** Attaches the build's evidence unless the image already has some (a restart changes nothing). */
  static void attach(String image, DemoEnvironment.Build build, RegistrySettings settings) {
    ImageRef ref = new ImageRef(image, build.digest());
    if (!Attachments.list(ref, settings).isEmpty()) {
      return;
    }
    PrivateKey key = ciKey();
    String hex = build.digest().substring("sha256:".length());
    List<Dependency> deps = dependencies(build.number());
    attest(ref, statement(hex, "https://slsa.dev/provenance/v1", provenance(build, deps)), key, AttestationWriter.Form.LEGACY_ATT, settings);
    attest(ref, statement(hex, "https://cyclonedx.org/bom", sbom(build, hex, deps)), key, AttestationWriter.Form.REFERRER, settings);
    attest(ref, statement(hex, "https://cosign.sigstore.dev/attestation/vuln/v1", vuln(build, hex)), key, AttestationWriter.Form.LEGACY_ATT, settings);
    // CI signs the digest as `cosign sign --key` does (legacy .sig tag)
    CosignSigner.sign(ref, PemSigner.fromKey(key), Map.of("dev.gantry.demo/build", String.valueOf(build.number())), CosignSigner.Form.LEGACY, settings);
  }

  private record Dependency(String name, String version, String license) {
    String purl() {
      return "pkg:npm/" + name + "@" + version;
    }
  }

  /** Build 2 upgrades express, so the dependency diff has something to say; build 4 adds old lodash. */
  private static List<Dependency> dependencies(int build) {
    String express = build == 1 ? "4.19.2" : build == 2 ? "4.21.1" : "4.21.2";
    List<Dependency> deps = new java.util.ArrayList<>(List.of(
        new Dependency("express", express, "MIT"),
        new Dependency("cookie", "0.7.1", "MIT"),
        new Dependency("body-parser", "1.20.3", "MIT"),
        new Dependency("pg", "8.13.1", "MIT")));
    if (build == VULNERABLE) {
      deps.add(new Dependency("lodash", "4.17.20", "MIT"));
    }
    return deps;
  }

  private static void attest(ImageRef ref, ObjectNode statement, PrivateKey key, AttestationWriter.Form form, RegistrySettings settings) {
    byte[] payload = statement.toString().getBytes(StandardCharsets.UTF_8);
    Dsse.Envelope envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, payload, key, "");
    AttestationWriter.attach(ref, envelope.toJson().toString().getBytes(StandardCharsets.UTF_8), statement.get("predicateType").asText(), form, settings);
  }

  private static ObjectNode statement(String hex, String predicateType, ObjectNode predicate) {
    ObjectNode s = Json.WRITER.createObjectNode();
    s.put("_type", InTotoStatement.V1);
    ArrayNode subjects = s.putArray("subject");
    subjects.addObject().put("name", "storefront").putObject("digest").put("sha256", hex);
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    return s;
  }

  private static ObjectNode provenance(DemoEnvironment.Build build, List<Dependency> deps) {
    ObjectNode p = Json.WRITER.createObjectNode();
    ObjectNode def = p.putObject("buildDefinition");
    def.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
    ObjectNode workflow = def.putObject("externalParameters").putObject("workflow");
    workflow.put("ref", "refs/heads/main");
    workflow.put("repository", REPOSITORY);
    workflow.put("path", ".github/workflows/release.yml");
    ObjectNode github = def.putObject("internalParameters").putObject("github");
    github.put("event_name", "push");
    github.put("runner_environment", "github-hosted");
    ArrayNode resolved = def.putArray("resolvedDependencies");
    ObjectNode source = resolved.addObject();
    source.put("uri", "git+" + REPOSITORY + "@refs/heads/main");
    source.putObject("digest").put("gitCommit", build.commit());
    ObjectNode lock = resolved.addObject();
    lock.put("uri", REPOSITORY + "/blob/" + build.commit() + "/package-lock.json");
    lock.put("name", "package-lock.json");
    lock.putObject("digest").put("sha256", sha256(deps.toString()));
    ObjectNode run = p.putObject("runDetails");
    run.putObject("builder").put("id", BUILDER);
    run.putObject("metadata").put("invocationId", REPOSITORY + "/actions/runs/" + (9_000_000 + build.number()) + "/attempts/1");
    return p;
  }

  private static ObjectNode sbom(DemoEnvironment.Build build, String hex, List<Dependency> deps) {
    ObjectNode bom = Json.WRITER.createObjectNode();
    bom.put("bomFormat", "CycloneDX");
    bom.put("specVersion", "1.6");
    bom.put("serialNumber", "urn:uuid:" + UUID.nameUUIDFromBytes(hex.getBytes(StandardCharsets.UTF_8)));
    bom.put("version", 1);
    ObjectNode meta = bom.putObject("metadata");
    meta.put("timestamp", Instant.now().toString());
    meta.putArray("tools").addObject().put("vendor", "anchore").put("name", "syft").put("version", "1.18.1");
    ObjectNode component = meta.putObject("component");
    component.put("bom-ref", "pkg:oci/storefront@sha256%3A" + hex);
    component.put("type", "container");
    component.put("name", "storefront");
    component.put("version", "sha256:" + hex);
    component.put("purl", "pkg:oci/storefront@sha256%3A" + hex);
    ArrayNode components = bom.putArray("components");
    for (Dependency d : deps) {
      ObjectNode c = components.addObject();
      c.put("bom-ref", d.purl());
      c.put("type", "library");
      c.put("name", d.name());
      c.put("version", d.version());
      c.put("purl", d.purl());
      c.putArray("licenses").addObject().putObject("license").put("id", d.license());
    }
    return bom;
  }

  /** A Trivy report (SchemaVersion 2) inside a cosign vuln predicate. */
  private static ObjectNode vuln(DemoEnvironment.Build build, String hex) {
    Instant now = Instant.now();
    ObjectNode trivy = Json.WRITER.createObjectNode();
    trivy.put("SchemaVersion", 2);
    trivy.put("CreatedAt", now.toString());
    trivy.put("ArtifactName", "storefront@sha256:" + hex);
    trivy.put("ArtifactType", "container_image");
    trivy.putObject("Metadata").putArray("RepoDigests").add("storefront@sha256:" + hex);
    ObjectNode result = trivy.putArray("Results").addObject();
    result.put("Target", "app/package-lock.json");
    result.put("Class", "lang-pkgs");
    result.put("Type", "npm");
    ArrayNode vulns = result.putArray("Vulnerabilities");
    vulns.add(finding("CVE-2024-47764", "cookie", "0.7.1", "0.7.2", "LOW", "cookie accepts cookie name, path, and domain with out of bounds characters"));
    if (build.number() == VULNERABLE) {
      vulns.add(finding("CVE-2021-23337", "lodash", "4.17.20", "4.17.21", "HIGH", "lodash: command injection via template"));
    }
    ObjectNode predicate = Json.WRITER.createObjectNode();
    predicate.putObject("invocation").put("uri", "https://github.com/gantry-demo/storefront/actions/runs/" + (9_000_000 + build.number()));
    ObjectNode scanner = predicate.putObject("scanner");
    scanner.put("uri", "pkg:github/aquasecurity/trivy@0.58.1");
    scanner.put("version", "0.58.1");
    scanner.set("result", trivy);
    ObjectNode metadata = predicate.putObject("metadata");
    metadata.put("scanStartedOn", now.minusSeconds(20).toString());
    metadata.put("scanFinishedOn", now.toString());
    return predicate;
  }

  private static ObjectNode finding(String id, String pkg, String installed, String fixed, String severity, String title) {
    ObjectNode v = Json.WRITER.createObjectNode();
    v.put("VulnerabilityID", id);
    v.put("PkgID", pkg + "@" + installed);
    v.put("PkgName", pkg);
    v.putObject("PkgIdentifier").put("PURL", "pkg:npm/" + pkg + "@" + installed);
    v.put("InstalledVersion", installed);
    v.put("FixedVersion", fixed);
    v.put("Status", "fixed");
    v.put("Severity", severity);
    v.put("Title", title);
    v.put("PrimaryURL", "https://avd.aquasec.com/nvd/" + id.toLowerCase(java.util.Locale.ROOT));
    return v;
  }

  /** The demo CI's signing key, shipped with the demo (never use it for anything else). */
  private static PrivateKey ciKey() {
    try (InputStream in = DemoEvidence.class.getResourceAsStream("/demo/provenance-key.pem")) {
      String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").strip());
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IOException | GeneralSecurityException | NullPointerException e) {
      throw new IllegalStateException("the demo's CI key (classpath demo/provenance-key.pem) cannot be read", e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
