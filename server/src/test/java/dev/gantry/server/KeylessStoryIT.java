package dev.gantry.server;

import static dev.gantry.server.GantryProcess.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.Digests;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.server.keyless.LocalSigstore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless CI evidence through the server jar, as it ships: the images live in a docker-registry,
 * CI signed each digest and attested its SLSA provenance keyless (Sigstore bundle v0.3 referrers,
 * as {@code cosign sign} v3 and {@code actions/attest-build-provenance} attach them; minted by
 * {@link LocalSigstore}, whose {@code trusted_root.json} the service trusts). The build signed by
 * the service's workflow identity reaches dev; the build signed by another identity is refused,
 * and the refusal names the identity it saw.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeylessStoryIT {
  static final String API = "/api/v1";
  static final String SERVICE = "shop";
  static final String REPOSITORY = "https://github.com/acme/shop";
  static final String ENV = "dev";
  static final String VALUES = "values-dev.yaml";
  static final LocalSigstore.Identity CI = new LocalSigstore.Identity(
      REPOSITORY + "/.github/workflows/release.yml@refs/heads/main", "https://token.actions.githubusercontent.com");
  static final LocalSigstore.Identity FORK = new LocalSigstore.Identity(
      "https://gitlab.com/mallory/shop//.gitlab-ci.yml@refs/heads/main", "https://gitlab.com");
  static final String SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
  static final String SLSA_V1 = "https://slsa.dev/provenance/v1";

  @TempDir static Path root;
  static LocalRegistry registry;
  static PinnedHealth health;
  static GantryProcess gantry;
  static RegistrySettings settings;
  static String trusted;
  static String forged;
  static String trustedDigest;
  static String forgedDigest;

  @BeforeAll
  static void start() throws Exception {
    registry = new LocalRegistry(root.resolve("registry")).start();
    settings = RegistrySettings.allowing(registry.host()).withInsecure(registry.host());
    LocalSigstore sigstore = new LocalSigstore("ci");
    Path trustedRoot = Files.writeString(root.resolve("trusted_root.json"), sigstore.trustedRootJson());

    // two builds: one signed and attested by the service's release workflow, one by someone else
    trusted = FaultWorld.commitOf(SERVICE, 1);
    forged = FaultWorld.commitOf(SERVICE, 2);
    trustedDigest = build(sigstore, trusted, CI);
    forgedDigest = build(sigstore, forged, FORK);

    Path data = Files.createDirectories(root.resolve("gantry"));
    Path bare = data.resolve("gitops.git");
    seedGitOps(bare);
    health = new PinnedHealth(bare, List.of(SERVICE), s -> VALUES);
    Path config = Files.writeString(root.resolve("gantry.yaml"), """
        gantry:
          signing: {key: "classpath:demo/gantry-signing-key.pem"}
          registries: {allowed: ["%1$s"], insecure: ["%1$s"], timeout: 5s}
          services:
            - name: %2$s
              image: "%1$s/%2$s"
              source-repository: %3$s
              trusted-builders: ["%3$s/.github/workflows/release.yml@refs/heads/*"]
              keyless:
                trusted-root: %4$s
                identities:
                  - {subject: "%5$s", issuer: "%6$s"}
              environments:
                - name: %7$s
                  approvals: 0
                  gitops: {repository: "%8$s", branch: main, file: %9$s, path: image.digest}
                  health-url: "%10$s"
                  live-timeout: 60s
                  soak-time: 0s
                  poll-interval: 500ms
                  evidence: {require: [signature, provenance], wait-for: 0s}
          users:
            - {name: ci, password: "{noop}ci", roles: [ci]}
            - {name: reader, password: "{noop}reader"}
        """.formatted(registry.host(), SERVICE, REPOSITORY, trustedRoot, CI.subject(), CI.issuer(), ENV, bare, VALUES,
        health.url(SERVICE)));
    gantry = new GantryProcess(data, GantryProcess.freshLog("e2e-keyless-gantry.log")).viewing(SERVICE, "reader");
    gantry.startServer(
        "--spring.config.additional-location=file:" + config,
        "--gantry.data-dir=" + data,
        "--gantry.temporal.port=" + gantry.temporalPort);
  }

  @AfterAll
  static void stop() {
    if (gantry != null) {
      gantry.close();
    }
    if (health != null) {
      health.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /** CI's build of a commit: the image pushed under its tag, signed and attested keyless by {@code who}. */
  static String build(LocalSigstore sigstore, String commit, LocalSigstore.Identity who) {
    String digest = new OciImageWriter()
        .file("srv/shop/RELEASE", "shop at " + commit + "\n")
        .label("org.opencontainers.image.revision", commit)
        .push(new ImageRef(registry.host() + "/" + SERVICE, Digests.defaultTag(commit)), settings);
    ImageRef image = new ImageRef(registry.host() + "/" + SERVICE, digest);
    // cosign sign (v3): a bundle over its signature statement, whose one subject is the digest
    byte[] signature = sigstore.signDsse(who, LocalSigstore.statement(SERVICE, digest, SIGN_PREDICATE,
        JsonNodeFactory.instance.objectNode()));
    AttestationWriter.attachBundle(image, signature, SIGN_PREDICATE, settings);
    // actions/attest-build-provenance with push-to-registry: SLSA v1 provenance of the workflow run
    byte[] provenance = sigstore.signDsse(who, LocalSigstore.statement(SERVICE, digest, SLSA_V1, provenance(commit)));
    AttestationWriter.attachBundle(image, provenance, SLSA_V1, settings);
    return digest;
  }

  /** The SLSA v1 predicate GitHub's build type writes for a push to main. */
  static ObjectNode provenance(String commit) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    ObjectNode def = p.putObject("buildDefinition");
    def.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
    def.putObject("externalParameters").putObject("workflow")
        .put("ref", "refs/heads/main").put("repository", REPOSITORY).put("path", ".github/workflows/release.yml");
    def.putObject("internalParameters").putObject("github").put("event_name", "push").put("runner_environment", "github-hosted");
    ObjectNode source = def.putArray("resolvedDependencies").addObject();
    source.put("uri", "git+" + REPOSITORY + "@refs/heads/main");
    source.putObject("digest").put("gitCommit", commit);
    ObjectNode run = p.putObject("runDetails");
    run.putObject("builder").put("id", REPOSITORY + "/.github/workflows/release.yml@refs/heads/main");
    run.putObject("metadata").put("invocationId", REPOSITORY + "/actions/runs/4242/attempts/1");
    return p;
  }

  /** A bare GitOps repository whose main holds the service's values file, nothing pinned yet. */
  static void seedGitOps(Path bare) throws Exception {
    FaultWorld.git(root, "init", "-q", "--bare", "-b", "main", bare.toString());
    Path work = root.resolve("seed");
    FaultWorld.git(root, "clone", "-q", bare.toString(), work.toString());
    Files.writeString(work.resolve(VALUES), "# Gantry pins image.digest\nimage:\n  repository: shop\n  digest: \"\"\n");
    FaultWorld.git(work, "add", "-A");
    FaultWorld.git(work, "-c", "user.name=ci", "-c", "user.email=ci@localhost", "commit", "-q", "-m", "seed values");
    FaultWorld.git(work, "push", "-q", "origin", "HEAD:main");
  }

  static JsonNode startRelease(String commit) throws Exception {
    var created = gantry.send("POST", API + "/releases", "ci",
        "{\"service\":\"" + SERVICE + "\",\"commit\":\"" + commit + "\",\"author\":\"erin\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return json(created);
  }

  @Test
  @Order(1)
  void theBuildSignedKeylessByTheReleaseWorkflowReachesDev() throws Exception {
    startRelease(trusted);
    JsonNode dev = gantry.awaitState(trusted, ENV, "PROMOTED", Duration.ofSeconds(90));

    assertThat(gantry.release(trusted).get("digest").asText()).isEqualTo(trustedDigest);
    assertThat(dev.get("gates").findValuesAsText("gate")).containsExactly("signature", "provenance");
    assertThat(dev.get("gates").findValuesAsText("outcome")).containsExactly("PASS", "PASS");
    String seen = "signed keyless by " + CI.subject() + " (issuer " + CI.issuer() + ")";
    assertThat(dev.get("gates").get(0).get("reasons").toString()).contains("BUNDLE signature").contains(CI.subject());
    assertThat(dev.get("gates").get(1).get("reasons").toString()).contains(seen);
    // promoted through GitOps and verified live: the values file pins the digest, the cluster runs it
    assertThat(dev.get("gitCommit").asText()).hasSize(40);
    assertThat(DemoGitOps.pinned(gantry.dataDir, VALUES)).isEqualTo(trustedDigest);
    assertThat(health.pinned()).containsEntry(SERVICE, trustedDigest);
    assertThat(DemoGitOps.commitsWithTrailer(gantry.dataDir, "Gantry-Release", trusted)).isEqualTo(1);
    JsonNode current = json(gantry.get(API + "/services/" + SERVICE + "/environments/" + ENV, "reader")).get("current");
    assertThat(current.get("digest").asText()).isEqualTo(trustedDigest);
  }

  @Test
  @Order(2)
  void theBuildSignedByAnotherIdentityIsRefusedNamingIt() throws Exception {
    startRelease(forged);
    JsonNode dev = gantry.awaitState(forged, ENV, "REFUSED", Duration.ofSeconds(90));

    String seen = "the certificate identity " + FORK.subject() + " (issuer " + FORK.issuer() + ") matches none";
    assertThat(dev.get("reason").asText()).contains(FORK.subject()).contains(FORK.issuer());
    assertThat(dev.get("gates").findValuesAsText("gate")).containsExactly("signature", "provenance");
    assertThat(dev.get("gates").findValuesAsText("outcome")).containsExactly("FAIL", "FAIL");
    for (JsonNode gate : dev.get("gates")) {
      assertThat(gate.get("reasons").toString()).as(gate.get("gate").asText()).contains(seen).contains(CI.subject());
    }
    assertThat(gantry.release(forged).get("status").asText()).isEqualTo("REFUSED");
    // nothing moved: dev still runs the trusted build
    assertThat(DemoGitOps.pinned(gantry.dataDir, VALUES)).isEqualTo(trustedDigest);
    assertThat(DemoGitOps.commitsWithTrailer(gantry.dataDir, "Gantry-Release", forged)).isZero();
  }
}
