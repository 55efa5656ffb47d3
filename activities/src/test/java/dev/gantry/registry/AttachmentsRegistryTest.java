package dev.gantry.registry;

import static dev.gantry.registry.AttachFixtures.COSIGN_VULN;
import static dev.gantry.registry.AttachFixtures.CYCLONEDX;
import static dev.gantry.registry.AttachFixtures.SLSA_V1;
import static dev.gantry.registry.Failures.nonRetryable;
import static dev.gantry.registry.Failures.retryable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.AttestationWriter.Form;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Attachments against a real docker-registry (distribution 2.8: no referrers API). */
class AttachmentsRegistryTest {
  private static DockerRegistryProcess registry;
  private static RegistrySettings settings;

  @BeforeAll
  static void startRegistry() {
    registry = DockerRegistryProcess.start();
    settings =
        RegistrySettings.allowing(registry.host())
            .withInsecure(registry.host())
            .withTimeout(Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageRef ref(String name, String reference) {
    return new ImageRef(registry.host() + "/" + name, reference);
  }

  /** Pushes a fresh image to {@code name} and returns its digest reference. */
  private static ImageRef image(String name) {
    String digest =
        new OciImageWriter().file("app/version", name).label("version", name).push(ref(name, "v1"), settings);
    return ref(name, digest);
  }

  private static String hex(ImageRef image) {
    return image.reference().substring("sha256:".length());
  }

  @Test
  void aLegacyAttestationRoundTripsAndSkopeoSeesTheAttTag() throws Exception {
    ImageRef image = image("legacy");
    byte[] envelope = AttachFixtures.provenance(image.reference());

    String written = AttestationWriter.attach(image, envelope, SLSA_V1, Form.LEGACY_ATT, settings);

    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).hasSize(1);
    Attachment a = found.getFirst();
    assertThat(a.source()).isEqualTo("registry:att");
    assertThat(a.mediaType()).isEqualTo("application/vnd.dsse.envelope.v1+json");
    assertThat(a.artifactType()).isNull();
    assertThat(a.predicateType()).isEqualTo(SLSA_V1);
    assertThat(a.content()).isEqualTo(envelope);
    assertThat(a.manifestDigest()).isEqualTo(written);

    // the layout cosign writes, as a standard tool reads it
    String raw =
        DockerRegistryProcess.run(
            List.of(DistributionRegistryTest.skopeo(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/legacy:sha256-" + hex(image) + ".att"),
            Duration.ofSeconds(60));
    JsonNode manifest = AttachFixtures.tree(raw.getBytes(StandardCharsets.UTF_8));
    assertThat(manifest.path("mediaType").asText()).isEqualTo(OciMedia.OCI_MANIFEST);
    assertThat(manifest.path("config").path("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.config.v1+json");
    assertThat(manifest.path("layers").get(0).path("annotations").path("predicateType").asText())
        .isEqualTo(SLSA_V1);
    assertThat(OciMedia.sha256(raw.strip().getBytes(StandardCharsets.UTF_8))).isEqualTo(written);
  }

  @Test
  void reattachingTheSameEnvelopeAddsNoLayerAndASecondOneIsAppended() {
    ImageRef image = image("idempotent");
    byte[] provenance = AttachFixtures.provenance(image.reference());
    byte[] scan = AttachFixtures.vulnScan(image.reference());

    String first = AttestationWriter.attach(image, provenance, SLSA_V1, Form.LEGACY_ATT, settings);
    String again = AttestationWriter.attach(image, provenance, SLSA_V1, Form.LEGACY_ATT, settings);
    assertThat(again).isEqualTo(first);
    assertThat(Attachments.list(image, settings)).hasSize(1);

    String second = AttestationWriter.attach(image, scan, COSIGN_VULN, Form.LEGACY_ATT, settings);
    assertThat(second).isNotEqualTo(first);
    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).extracting(Attachment::predicateType).containsExactly(SLSA_V1, COSIGN_VULN);
    assertThat(found.get(0).content()).isEqualTo(provenance);
    assertThat(found.get(1).content()).isEqualTo(scan);
    assertThat(AttestationWriter.attach(image, scan, COSIGN_VULN, Form.LEGACY_ATT, settings))
        .isEqualTo(second);
  }

  @Test
  void aReferrerBundleRoundTripsThroughTheFallbackIndex() throws Exception {
    ImageRef image = image("referrer");
    byte[] envelope = AttachFixtures.provenance(image.reference());

    String written = AttestationWriter.attach(image, envelope, SLSA_V1, Form.REFERRER, settings);

    // docker-registry has no referrers API: the writer kept the tag-schema index instead
    assertThat(get("/v2/referrer/referrers/" + image.reference()).statusCode()).isEqualTo(404);
    HttpResponse<byte[]> fallback = get("/v2/referrer/manifests/sha256-" + hex(image));
    assertThat(fallback.statusCode()).isEqualTo(200);
    JsonNode index = AttachFixtures.tree(fallback.body());
    assertThat(index.path("mediaType").asText()).isEqualTo(OciMedia.OCI_INDEX);
    assertThat(index.path("manifests")).hasSize(1);
    assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(written);
    assertThat(index.path("manifests").get(0).path("artifactType").asText())
        .isEqualTo(AttestationWriter.BUNDLE_MEDIA_TYPE);

    JsonNode manifest = AttachFixtures.tree(get("/v2/referrer/manifests/" + written).body());
    assertThat(manifest.path("subject").path("digest").asText()).isEqualTo(image.reference());
    assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.empty.v1+json");
    assertThat(manifest.path("annotations").path("dev.sigstore.bundle.content").asText()).isEqualTo("dsse-envelope");
    assertThat(manifest.path("annotations").path("dev.sigstore.bundle.predicateType").asText()).isEqualTo(SLSA_V1);
    assertThat(manifest.path("annotations").path("org.opencontainers.image.created").asText()).endsWith("Z");

    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).hasSize(1);
    Attachment a = found.getFirst();
    assertThat(a.source()).isEqualTo("registry:referrer");
    assertThat(a.mediaType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    assertThat(a.artifactType()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    assertThat(a.predicateType()).isEqualTo(SLSA_V1);
    assertThat(a.manifestDigest()).isEqualTo(written);
    JsonNode bundle = AttachFixtures.tree(a.content());
    assertThat(bundle.path("mediaType").asText()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    assertThat(bundle.path("verificationMaterial").path("publicKey").path("hint").asText())
        .isEqualTo(AttestationWriter.keyHint(AttachFixtures.key().getPublic()));
    assertThat(bundle.path("dsseEnvelope")).isEqualTo(AttachFixtures.tree(envelope));
    // the envelope inside still verifies with the signer's key
    assertThat(Dsse.envelopeOf(bundle).verifiedBy(List.of(AttachFixtures.key().getPublic()))).isZero();
  }

  @Test
  void reattachingAReferrerWritesNoSecondReferrer() throws Exception {
    ImageRef image = image("referrer-twice");
    byte[] envelope = AttachFixtures.provenance(image.reference());

    String first = AttestationWriter.attach(image, envelope, SLSA_V1, Form.REFERRER, settings);
    String again = AttestationWriter.attach(image, envelope, SLSA_V1, Form.REFERRER, settings);

    assertThat(again).isEqualTo(first);
    JsonNode index = AttachFixtures.tree(get("/v2/referrer-twice/manifests/sha256-" + hex(image)).body());
    assertThat(index.path("manifests")).hasSize(1);
    assertThat(Attachments.list(image, settings)).hasSize(1);
  }

  @Test
  void anSbomArtifactRoundTripsByteForByte() {
    ImageRef image = image("sbom");
    byte[] sbom = AttachFixtures.sbom(image.reference());

    String written = AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);
    String again = AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);

    assertThat(again).isEqualTo(written);
    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).hasSize(1);
    Attachment a = found.getFirst();
    assertThat(a.source()).isEqualTo("registry:referrer");
    assertThat(a.mediaType()).isEqualTo(CYCLONEDX);
    assertThat(a.artifactType()).isEqualTo(CYCLONEDX);
    assertThat(a.predicateType()).isNull();
    assertThat(a.content()).isEqualTo(sbom);
    assertThat(a.manifestDigest()).isEqualTo(written);
  }

  @Test
  void legacyAttestationsAndReferrersAreListedTogether() {
    ImageRef image = image("mixed");
    byte[] provenance = AttachFixtures.provenance(image.reference());
    byte[] scan = AttachFixtures.vulnScan(image.reference());
    byte[] sbom = AttachFixtures.sbom(image.reference());

    AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);
    AttestationWriter.attach(image, scan, COSIGN_VULN, Form.REFERRER, settings);
    AttestationWriter.attach(image, provenance, SLSA_V1, Form.LEGACY_ATT, settings);

    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found)
        .extracting(Attachment::source, Attachment::mediaType, Attachment::predicateType)
        .containsExactly(
            tuple("registry:att", OciMedia.DSSE, SLSA_V1),
            tuple("registry:referrer", CYCLONEDX, null),
            tuple("registry:referrer", OciMedia.BUNDLE_V03, COSIGN_VULN));
  }

  @Test
  void anImageWithNothingAttachedHasAnEmptyListing() {
    ImageRef image = image("bare");

    Attachments.Listing listing = Attachments.read(image, settings, Attachments.Limits.DEFAULT);

    assertThat(listing.attachments()).isEmpty();
    assertThat(listing.skipped()).isEmpty();
  }

  @Test
  void anAbsentImageOrATagIsRefused() {
    image("absent");
    String absent = new OciImageWriter().file("x", "never pushed").digest();

    nonRetryable(FailureTypes.DIGEST_NOT_FOUND, () -> Attachments.list(ref("absent", absent), settings));
    var tag = nonRetryable(FailureTypes.INVALID_REFERENCE, () -> Attachments.list(ref("absent", "v1"), settings));
    assertThat(tag.getOriginalMessage()).contains("resolve the tag first");
    nonRetryable(
        FailureTypes.DIGEST_NOT_FOUND,
        () -> AttestationWriter.attach(ref("absent", absent), AttachFixtures.provenance(absent), SLSA_V1,
            Form.LEGACY_ATT, settings));
  }

  @Test
  void aReferrerOfAnotherImageInTheFallbackIndexIsSkippedWithItsReason() {
    ImageRef image = image("wrong-subject");
    ImageRef other = ref("wrong-subject",
        new OciImageWriter().file("other", "2").push(ref("wrong-subject", "other"), settings));
    String foreign =
        AttestationWriter.attach(other, AttachFixtures.provenance(other.reference()), SLSA_V1, Form.REFERRER, settings);
    // someone lists the other image's referrer under this image's fallback tag
    pushIndex("wrong-subject", "sha256-" + hex(image), foreign, OciMedia.OCI_MANIFEST);

    Attachments.Listing listing = Attachments.read(image, settings, Attachments.Limits.DEFAULT);

    assertThat(listing.attachments()).isEmpty();
    assertThat(listing.skipped()).singleElement().asString()
        .contains(foreign).contains("has subject " + other.reference()).contains("not the image " + image.reference());
    assertThat(Attachments.list(other, settings)).hasSize(1);
  }

  @Test
  void aFallbackIndexListingTheImageItselfIsRefusedAsALoop() {
    ImageRef image = image("loop");
    pushIndex("loop", "sha256-" + hex(image), image.reference(), OciMedia.OCI_MANIFEST);

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage()).contains("referrer loop").contains(image.reference());
  }

  @Test
  void anAttTagWhoseLayerIsNotAnEnvelopeIsRefusedWithTheLayer() {
    ImageRef image = image("garbage");
    byte[] garbage = "this is not JSON at all".getBytes(StandardCharsets.UTF_8);
    String manifest = pushAtt("garbage", image, garbage, Map.of("predicateType", SLSA_V1));

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage())
        .contains("layer " + OciMedia.sha256(garbage))
        .contains("sha256-" + hex(image) + ".att")
        .contains(manifest)
        .contains("not valid JSON");
  }

  @Test
  void anAttTagNamingAnIndexIsRefused() {
    ImageRef image = image("att-index");
    pushIndex("att-index", "sha256-" + hex(image) + ".att", image.reference(), OciMedia.OCI_MANIFEST);

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage()).contains("not an image manifest with layers");
  }

  @Test
  void anOversizedManifestIsRefusedBeforeItsLayersAreRead() {
    ImageRef image = image("oversized");
    byte[] envelope = AttachFixtures.provenance(image.reference());
    pushAtt("oversized", image, envelope, Map.of("predicateType", SLSA_V1, "padding", "x".repeat(8000)));
    var small = new Attachments.Limits(4096, Attachments.Limits.DEFAULT.maxBlobBytes(), 128, 64);

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings, small));

    assertThat(f.getOriginalMessage()).contains("sha256-" + hex(image) + ".att").contains("limit of 4096 bytes");
    assertThat(Attachments.list(image, settings)).hasSize(1);
  }

  @Test
  void oversizedBlobsTooManyLayersAndTooManyReferrersAreRefused() {
    ImageRef image = image("limits");
    AttestationWriter.attach(image, AttachFixtures.provenance(image.reference()), SLSA_V1, Form.LEGACY_ATT, settings);
    AttestationWriter.attach(image, AttachFixtures.vulnScan(image.reference()), COSIGN_VULN, Form.LEGACY_ATT, settings);
    AttestationWriter.attachArtifact(image, AttachFixtures.sbom(image.reference()), CYCLONEDX, settings);
    AttestationWriter.attach(image, AttachFixtures.provenance(image.reference()), SLSA_V1, Form.REFERRER, settings);
    var d = Attachments.Limits.DEFAULT;

    var blob = nonRetryable(Attachments.REJECTED,
        () -> Attachments.list(image, settings, new Attachments.Limits(d.maxManifestBytes(), 100, 128, 64)));
    assertThat(blob.getOriginalMessage()).contains("over the limit of 100");
    var layers = nonRetryable(Attachments.REJECTED,
        () -> Attachments.list(image, settings, new Attachments.Limits(d.maxManifestBytes(), d.maxBlobBytes(), 128, 1)));
    assertThat(layers.getOriginalMessage()).contains("has 2 layers, more than the limit of 1");
    var referrers = nonRetryable(Attachments.REJECTED,
        () -> Attachments.list(image, settings, new Attachments.Limits(d.maxManifestBytes(), d.maxBlobBytes(), 1, 64)));
    assertThat(referrers.getOriginalMessage()).contains("lists 2 referrers, more than the limit of 1");
    assertThat(Attachments.list(image, settings)).hasSize(4);
  }

  @Test
  void signatureReferrersAreSkippedNotRefused() {
    ImageRef image = image("signed");
    byte[] payload =
        ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + registry.host() + "/signed\"},"
            + "\"image\":{\"docker-manifest-digest\":\"" + image.reference() + "\"},"
            + "\"type\":\"cosign container image signature\"},\"optional\":null}")
            .getBytes(StandardCharsets.UTF_8);
    pushReferrer("signed", image, "application/vnd.dev.cosign.artifact.sig.v1+json", payload, OciMedia.SIMPLE_SIGNING);
    String sbom = AttestationWriter.attachArtifact(image, AttachFixtures.sbom(image.reference()), CYCLONEDX, settings);

    Attachments.Listing listing = Attachments.read(image, settings, Attachments.Limits.DEFAULT);

    assertThat(listing.attachments()).extracting(Attachment::manifestDigest).containsExactly(sbom);
    assertThat(listing.skipped()).singleElement().asString().contains("cosign signature");
  }

  @Test
  void aRegistryOutsideTheAllowListIsRefusedBeforeAnyRequest() {
    try (CountingServer other = new CountingServer(200)) {
      ImageRef elsewhere = new ImageRef(other.host() + "/team/app", "sha256:" + "a".repeat(64));

      var f = nonRetryable(FailureTypes.REGISTRY_NOT_ALLOWED, () -> Attachments.list(elsewhere, settings));
      nonRetryable(
          FailureTypes.REGISTRY_NOT_ALLOWED,
          () -> AttestationWriter.attach(elsewhere, AttachFixtures.provenance(elsewhere.reference()), SLSA_V1,
              Form.REFERRER, settings));
      nonRetryable(
          FailureTypes.REGISTRY_NOT_ALLOWED,
          () -> AttestationWriter.attachArtifact(elsewhere, "{}".getBytes(), CYCLONEDX, settings));

      assertThat(f.getOriginalMessage()).contains(other.host());
      assertThat(other.requests()).isZero();
    }
  }

  @Test
  void anUnreachableRegistryIsRetryable() throws Exception {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    var local = RegistrySettings.allowing(host).withInsecure(host);

    var f = retryable(() -> Attachments.list(new ImageRef(host + "/team/app", "sha256:" + "b".repeat(64)), local));

    assertThat(f.getType()).isEqualTo(FailureTypes.REGISTRY_UNAVAILABLE);
    assertThat(f.getOriginalMessage()).contains(host);
  }

  // --- raw pushes of what other tools (or attackers) might leave in a registry

  private static OciImageWriter.Pusher pusher(String name) {
    return new OciImageWriter.Pusher(new RegistryHttp(settings), ref(name, "x"));
  }

  private static void pushIndex(String name, String tag, String digest, String mediaType) {
    ObjectNode index = AttachFixtures.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciMedia.OCI_INDEX);
    ObjectNode entry = index.putArray("manifests").addObject();
    entry.put("mediaType", mediaType);
    entry.put("digest", digest);
    entry.put("size", 500);
    pusher(name).manifest(tag, AttachFixtures.bytes(index), OciMedia.OCI_INDEX);
  }

  private static String pushAtt(String name, ImageRef image, byte[] layer, Map<String, String> annotations) {
    var pusher = pusher(name);
    byte[] config = "{\"architecture\":\"\",\"os\":\"\",\"config\":{}}".getBytes(StandardCharsets.UTF_8);
    pusher.blob(config, OciMedia.sha256(config));
    pusher.blob(layer, OciMedia.sha256(layer));
    ObjectNode m = AttachFixtures.JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", OciMedia.OCI_MANIFEST);
    m.set("config", Descriptor.of(OciMedia.OCI_CONFIG, config).toJson());
    ObjectNode l = Descriptor.of(OciMedia.DSSE, layer).toJson();
    ObjectNode a = l.putObject("annotations");
    annotations.forEach(a::put);
    m.putArray("layers").add(l);
    byte[] bytes = AttachFixtures.bytes(m);
    pusher.manifest("sha256-" + hex(image) + ".att", bytes, OciMedia.OCI_MANIFEST);
    return OciMedia.sha256(bytes);
  }

  private static String pushReferrer(String name, ImageRef image, String artifactType, byte[] layer, String layerType) {
    var pusher = pusher(name);
    pusher.blob(OciMedia.EMPTY_JSON, OciMedia.sha256(OciMedia.EMPTY_JSON));
    pusher.blob(layer, OciMedia.sha256(layer));
    ObjectNode m = AttachFixtures.JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", OciMedia.OCI_MANIFEST);
    m.put("artifactType", artifactType);
    m.set("config", Descriptor.of(OciMedia.OCI_EMPTY, OciMedia.EMPTY_JSON).toJson());
    m.putArray("layers").add(Descriptor.of(layerType, layer).toJson());
    m.set("subject", Descriptor.of(OciMedia.OCI_MANIFEST, new byte[0]).toJson()
        .put("digest", image.reference()));
    byte[] bytes = AttachFixtures.bytes(m);
    String digest = OciMedia.sha256(bytes);
    pusher.manifest(digest, bytes, OciMedia.OCI_MANIFEST);
    ObjectNode index = AttachFixtures.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciMedia.OCI_INDEX);
    index.putArray("manifests").add(
        new Descriptor(OciMedia.OCI_MANIFEST, digest, bytes.length, artifactType, Map.of()).toJson());
    pusher.manifest("sha256-" + hex(image), AttachFixtures.bytes(index), OciMedia.OCI_INDEX);
    return digest;
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(
          HttpRequest.newBuilder(URI.create("http://" + registry.host() + path))
              .header("Accept", OciMedia.ACCEPT)
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }
  }
}
