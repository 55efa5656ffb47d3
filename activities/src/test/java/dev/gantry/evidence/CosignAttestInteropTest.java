package dev.gantry.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.ImageRef;
import dev.gantry.provenance.ProvenanceGate;
import dev.gantry.registry.Attachment;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.OciImageWriter;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.sbom.SbomGate;
import dev.gantry.sbom.SbomParser;
import dev.gantry.testsupport.CosignBinary;
import dev.gantry.testsupport.DockerRegistryProcess;
import dev.gantry.testsupport.TestKeys;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What real {@code cosign attest} (v2.6.5 and v3.1.3) writes, read back by Gantry: the attachment
 * listing finds it, collection classifies it, and the provenance and SBOM gates accept it with the
 * cosign public key and refuse it with another. Both storage forms each version can write: the
 * legacy {@code .att} tag (v2's default, v3 with {@code --new-bundle-format=false}) and the Sigstore
 * bundle referrer (v3's default, v2 with {@code --new-bundle-format}), on Debian's docker-registry,
 * which has no referrers API, so bundles go through the {@code sha256-<hex>} fallback index.
 */
class CosignAttestInteropTest {
  private static final Map<String, String> PASSWORD = Map.of("COSIGN_PASSWORD", "x");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger IMAGES = new AtomicInteger();

  private static final String SERVICE = "storefront";
  private static final String REPOSITORY = "https://github.com/acme/storefront";
  private static final String COMMIT = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
  private static final String BUILDER = REPOSITORY + "/.github/workflows/release.yml@refs/heads/main";
  private static final String LEGACY = "legacy .att tag";
  private static final String BUNDLE = "bundle referrer";

  @TempDir static Path dir;
  private static DockerRegistryProcess registry;
  private static RegistrySettings settings;
  private static CosignBinary cosign3;
  private static CosignBinary cosign2;
  private static Path cosignKey;
  private static String cosignPub;
  private static String otherPub;

  @BeforeAll
  static void start() throws Exception {
    cosign3 = CosignBinary.v3();
    cosign2 = CosignBinary.v2();
    registry = DockerRegistryProcess.start();
    settings = RegistrySettings.allowing(registry.host()).withInsecure(registry.host()).withTimeout(Duration.ofSeconds(10));
    cosign3.run(dir, PASSWORD, "generate-key-pair").ok();
    cosignKey = dir.resolve("cosign.key");
    cosignPub = Files.readString(dir.resolve("cosign.pub"));
    otherPub = PublicKeys.pem(TestKeys.p256().getPublic());
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  static Stream<Arguments> forms() {
    return Stream.of(
        Arguments.of(CosignBinary.V2, LEGACY),
        Arguments.of(CosignBinary.V2, BUNDLE),
        Arguments.of(CosignBinary.V3, LEGACY),
        Arguments.of(CosignBinary.V3, BUNDLE));
  }

  // ------------------------------------------------------------------------------ provenance

  @ParameterizedTest(name = "cosign {0}, {1}")
  @MethodSource("forms")
  void provenanceCosignAttestedPassesTheGateWithTheCosignKeyOnly(String version, String form) throws Exception {
    ImageRef image = image();
    Path predicate = Files.writeString(dir.resolve("provenance-" + IMAGES.get() + ".json"), provenance(image).toString());

    attest(version, form, "slsaprovenance1", predicate, image);

    Attachment attached = single(image, form, "https://slsa.dev/provenance/v1");
    EvidenceDocument doc = collected(attached, EvidenceType.PROVENANCE);
    ProvenanceGate.check(doc);
    assertThat(doc.statement().predicateType()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(doc.statement().isAbout(image.reference())).isTrue();
    ReleaseRef release = new ReleaseRef(SERVICE, COMMIT, image.repository(), image.reference());

    ProvenanceGate.Result ok = ProvenanceGate.evaluate(release, policy(cosignPub), List.of(doc));
    assertThat(ok.verdict().passed()).as("%s", ok.verdict().reasons()).isTrue();
    assertThat(ok.verdict().reasons())
        .anySatisfy(r -> assertThat(r).contains("signature: verified with policy key 1 (ECDSA P-256"))
        .anySatisfy(r -> assertThat(r).contains(BUILDER + " is trusted"))
        .anySatisfy(r -> assertThat(r).contains(REPOSITORY + " at " + COMMIT));

    ProvenanceGate.Result otherKey = ProvenanceGate.evaluate(release, policy(otherPub), List.of(doc));
    assertThat(otherKey.verdict().passed()).isFalse();
    assertThat(otherKey.verdict().reasons()).singleElement().asString()
        .contains("signature: none of the envelope's 1 signature(s)")
        .contains("it was signed by another key");

    ProvenanceGate.Result otherCommit =
        ProvenanceGate.evaluate(new ReleaseRef(SERVICE, "0".repeat(40), image.repository(), image.reference()),
            policy(cosignPub), List.of(doc));
    assertThat(otherCommit.verdict().reasons()).singleElement().asString()
        .contains("but the release is commit " + "0".repeat(40));

    ImageRef another = image();
    ProvenanceGate.Result otherDigest =
        ProvenanceGate.evaluate(new ReleaseRef(SERVICE, COMMIT, another.repository(), another.reference()),
            policy(cosignPub), List.of(doc));
    assertThat(otherDigest.verdict().reasons()).singleElement().asString()
        .contains("subject: the provenance is about " + image.reference() + ", not the release's " + another.reference());
  }

  // ------------------------------------------------------------------------------------ SBOM

  @ParameterizedTest(name = "cosign {0}, {1}")
  @MethodSource("forms")
  void cycloneDxCosignAttestedIsTheSbomOfThisDigest(String version, String form) throws Exception {
    ImageRef image = image();
    ObjectNode bom = cycloneDx(image);
    Path predicate = Files.writeString(dir.resolve("sbom-" + IMAGES.get() + ".json"), bom.toString());

    attest(version, form, "cyclonedx", predicate, image);

    Attachment attached = single(image, form, SbomParser.CYCLONEDX_PREDICATE);
    EvidenceDocument doc = collected(attached, EvidenceType.SBOM);
    SbomGate.check(doc);
    ReleaseRef release = new ReleaseRef(SERVICE, COMMIT, image.repository(), image.reference());

    SbomGate.Result ok = SbomGate.evaluate(release, SbomPolicy.defaults(), List.of(doc));
    assertThat(ok.verdict().passed()).as("%s", ok.verdict().reasons()).isTrue();
    assertThat(ok.verdict().reasons()).singleElement().asString()
        .startsWith("CycloneDX 1.6 SBOM " + doc.sha256() + " lists " + bom.path("components").size() + " components")
        .endsWith("attested for " + image.reference() + " (registry:" + (form.equals(LEGACY) ? "att" : "referrer") + ")");
    assertThat(ok.sbom().components()).extracting(c -> c.name()).contains("express");

    ImageRef another = image();
    SbomGate.Result otherDigest =
        SbomGate.evaluate(new ReleaseRef(SERVICE, COMMIT, another.repository(), another.reference()),
            SbomPolicy.defaults(), List.of(doc));
    assertThat(otherDigest.verdict().passed()).isFalse();
    assertThat(otherDigest.verdict().reasons()).singleElement().asString()
        .contains("is about " + image.reference() + ", not the release's " + another.reference());
  }

  // ---------------------------------------------------------------------------------- helpers

  private static ImageRef image() {
    String version = "build-" + IMAGES.incrementAndGet();
    ImageRef tag = new ImageRef(registry.host() + "/acme/storefront", "v1");
    String digest = new OciImageWriter().file("app/version", version).label("version", version).push(tag, settings);
    return new ImageRef(tag.repository(), digest);
  }

  private static String ref(ImageRef image) {
    return image.repository() + "@" + image.reference();
  }

  /** {@code cosign attest} with a key, offline: no transparency log, no signing config. */
  private static void attest(String version, String form, String type, Path predicate, ImageRef image) {
    List<String> args = new ArrayList<>(List.of("attest", "--key", cosignKey.toString(), "--type", type,
        "--predicate", predicate.toString(), "--tlog-upload=false", "--yes"));
    CosignBinary cosign;
    if (version.equals(CosignBinary.V3)) {
      cosign = cosign3;
      args.add("--use-signing-config=false");
      if (form.equals(LEGACY)) {
        args.add("--new-bundle-format=false");
      }
    } else {
      cosign = cosign2;
      if (form.equals(BUNDLE)) {
        args.add("--new-bundle-format");
      }
    }
    args.add(ref(image));
    cosign.run(dir, PASSWORD, args.toArray(String[]::new)).ok();
  }

  /** The one attachment of the image, where the form puts it, with the predicate type named. */
  private static Attachment single(ImageRef image, String form, String predicateType) {
    Attachments.Listing listing = Attachments.read(image, settings, Attachments.Limits.DEFAULT);
    assertThat(listing.attachments()).as("skipped: %s", listing.skipped()).singleElement().satisfies(a -> {
      assertThat(a.predicateType()).isEqualTo(predicateType);
      if (form.equals(LEGACY)) {
        assertThat(a.source()).isEqualTo("registry:att");
        assertThat(a.mediaType()).isEqualTo("application/vnd.dsse.envelope.v1+json");
      } else {
        assertThat(a.source()).isEqualTo("registry:referrer");
        assertThat(a.mediaType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(a.artifactType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
      }
    });
    return listing.attachments().getFirst();
  }

  /** The attachment as collection stores it: classified by its predicate type, read as strict JSON. */
  private static EvidenceDocument collected(Attachment a, EvidenceType expected) {
    assertThat(EvidenceActivitiesImpl.typeOf(a)).isEqualTo(expected);
    JsonNode json = Json.read(a.content(), "attached " + expected);
    return new EvidenceDocument(Json.contentId(json), expected, a.mediaType(), a.source(), json);
  }

  private static ProvenancePolicy policy(String publicKeyPem) {
    return new ProvenancePolicy(List.of(BUILDER), REPOSITORY, List.of(publicKeyPem));
  }

  /**
   * A SLSA v1 predicate as GitHub's actions/attest-build-provenance writes it for a workflow run
   * (buildType {@code https://actions.github.io/buildtypes/workflow/v1}).
   */
  private static ObjectNode provenance(ImageRef image) {
    ObjectNode p = JSON.createObjectNode();
    ObjectNode definition = p.putObject("buildDefinition");
    definition.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
    ObjectNode workflow = definition.putObject("externalParameters").putObject("workflow");
    workflow.put("ref", "refs/heads/main");
    workflow.put("repository", REPOSITORY);
    workflow.put("path", ".github/workflows/release.yml");
    ObjectNode github = definition.putObject("internalParameters").putObject("github");
    github.put("event_name", "push");
    github.put("repository_id", "701234567");
    github.put("repository_owner_id", "98765432");
    github.put("runner_environment", "github-hosted");
    ObjectNode dependency = definition.putArray("resolvedDependencies").addObject();
    dependency.put("uri", "git+" + REPOSITORY + "@refs/heads/main");
    dependency.putObject("digest").put("gitCommit", COMMIT);
    ObjectNode run = p.putObject("runDetails");
    run.putObject("builder").put("id", BUILDER);
    ObjectNode metadata = run.putObject("metadata");
    metadata.put("invocationId", REPOSITORY + "/actions/runs/12873465091/attempts/1");
    metadata.put("startedOn", "2026-11-20T09:12:41Z");
    metadata.put("finishedOn", "2026-11-20T09:14:03Z");
    return p;
  }

  /** syft's CycloneDX 1.6 output for the image (a real syft document with its subject set to this image). */
  private static ObjectNode cycloneDx(ImageRef image) throws Exception {
    try (InputStream in = CosignAttestInteropTest.class.getResourceAsStream("/sbom/syft-cyclonedx-1.6.json")) {
      ObjectNode bom = (ObjectNode) JSON.readTree(in);
      ObjectNode component = (ObjectNode) bom.path("metadata").path("component");
      component.put("name", image.repository() + ":sha-" + COMMIT);
      component.put("version", image.reference());
      return bom;
    }
  }
}
