package dev.gantry.registry;

import static dev.gantry.registry.AttachFixtures.COSIGN_VULN;
import static dev.gantry.registry.AttachFixtures.CYCLONEDX;
import static dev.gantry.registry.AttachFixtures.SLSA_V1;
import static dev.gantry.registry.Failures.nonRetryable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.AttestationWriter.Form;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attachments in OCI image layout directories. */
class AttachmentsLayoutTest {
  @TempDir Path root;
  private Path dir;
  private RegistrySettings settings;
  private ImageRef image;

  @BeforeEach
  void layoutWithAnImage() throws Exception {
    Path layouts = Files.createDirectories(root.resolve("layouts"));
    dir = layouts.resolve("app");
    settings = RegistrySettings.allowing("oci:" + layouts);
    String digest = new OciImageWriter().file("app/version", "1").label("version", "1").writeLayout(dir, "v1");
    image = new ImageRef("oci:" + dir, digest);
  }

  private String hex() {
    return image.reference().substring("sha256:".length());
  }

  private JsonNode index() throws Exception {
    return AttachFixtures.JSON.readTree(dir.resolve("index.json").toFile());
  }

  @Test
  void aLegacyAttestationRoundTripsUnderTheAttTagOnce() throws Exception {
    byte[] envelope = AttachFixtures.provenance(image.reference());

    String written = AttestationWriter.attach(image, envelope, SLSA_V1, Form.LEGACY_ATT, settings);
    String again = AttestationWriter.attach(image, envelope, SLSA_V1, Form.LEGACY_ATT, settings);

    assertThat(again).isEqualTo(written);
    assertThat(new LayoutRegistry().resolve(new ImageRef("oci:" + dir, "sha256-" + hex() + ".att")))
        .isEqualTo(written);
    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).singleElement().satisfies(a -> {
      assertThat(a.source()).isEqualTo("layout:att");
      assertThat(a.predicateType()).isEqualTo(SLSA_V1);
      assertThat(a.content()).isEqualTo(envelope);
      assertThat(a.manifestDigest()).isEqualTo(written);
    });
    JsonNode att = AttachFixtures.JSON.readTree(dir.resolve("blobs/sha256/" + written.substring(7)).toFile());
    assertThat(att.path("layers")).hasSize(1);
  }

  @Test
  void referrersAreListedInIndexJsonByTheirSubjectWithoutAFallbackTag() throws Exception {
    byte[] envelope = AttachFixtures.vulnScan(image.reference());
    byte[] sbom = AttachFixtures.sbom(image.reference());

    String bundle = AttestationWriter.attach(image, envelope, COSIGN_VULN, Form.REFERRER, settings);
    String artifact = AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);
    assertThat(AttestationWriter.attach(image, envelope, COSIGN_VULN, Form.REFERRER, settings)).isEqualTo(bundle);

    JsonNode entries = index().path("manifests");
    assertThat(entries).hasSize(3);
    assertThat(entries.get(1).path("digest").asText()).isEqualTo(bundle);
    assertThat(entries.get(1).path("artifactType").asText()).isEqualTo(AttestationWriter.BUNDLE_MEDIA_TYPE);
    assertThat(entries.get(1).has("annotations")).isTrue();
    assertThat(entries.get(1).path("annotations").has(OciMedia.REF_NAME)).isFalse();
    assertThat(entries.get(2).path("digest").asText()).isEqualTo(artifact);
    assertThat(entries.findValuesAsText("digest")).doesNotContain("sha256-" + hex());

    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).extracting(Attachment::source).containsOnly("layout:referrer");
    assertThat(found).extracting(Attachment::manifestDigest).containsExactly(bundle, artifact);
    assertThat(found.get(0).predicateType()).isEqualTo(COSIGN_VULN);
    assertThat(AttachFixtures.tree(found.get(0).content()).path("dsseEnvelope"))
        .isEqualTo(AttachFixtures.tree(envelope));
    assertThat(found.get(1).content()).isEqualTo(sbom);
  }

  @Test
  void aCorruptedBlobIsRefusedAsNotMatchingItsDigest() throws Exception {
    byte[] envelope = AttachFixtures.provenance(image.reference());
    AttestationWriter.attach(image, envelope, SLSA_V1, Form.LEGACY_ATT, settings);
    Path blob = dir.resolve("blobs/sha256/" + OciMedia.sha256(envelope).substring(7));
    byte[] tampered = new String(envelope, StandardCharsets.UTF_8)
        .replace("\"payloadType\"", "\"payloadType\" ").getBytes(StandardCharsets.UTF_8);
    Files.write(blob, tampered);

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage())
        .contains("blob " + OciMedia.sha256(envelope))
        .contains("does not match its digest")
        .contains(OciMedia.sha256(tampered));
  }

  @Test
  void aDescriptorUnderstatingItsBlobIsRefused() throws Exception {
    byte[] envelope = AttachFixtures.provenance(image.reference());
    String att = AttestationWriter.attach(image, envelope, SLSA_V1, Form.LEGACY_ATT, settings);
    // rewrite the .att manifest so its layer claims fewer bytes than the blob has
    ObjectNode manifest = (ObjectNode) AttachFixtures.JSON.readTree(dir.resolve("blobs/sha256/" + att.substring(7)).toFile());
    ((ObjectNode) manifest.path("layers").get(0)).put("size", 10);
    byte[] bytes = AttachFixtures.bytes(manifest);
    OciLayout layout = OciLayout.open(dir);
    layout.writeBlob(bytes);
    layout.tag("sha256-" + hex() + ".att", OciMedia.OCI_MANIFEST, OciMedia.sha256(bytes), bytes.length);

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage()).contains("is " + envelope.length + " bytes but its descriptor says 10");
  }

  @Test
  void anAttTagNamingAGarbageBlobIsRefusedWithTheReason() throws Exception {
    byte[] garbage = "\u0000\u0001 binary, not a manifest".getBytes(StandardCharsets.UTF_8);
    OciLayout layout = OciLayout.open(dir);
    layout.writeBlob(garbage);
    layout.tag("sha256-" + hex() + ".att", OciMedia.OCI_MANIFEST, OciMedia.sha256(garbage), garbage.length);

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage())
        .contains(OciMedia.sha256(garbage))
        .contains("tag sha256-" + hex() + ".att")
        .contains("not valid JSON");

    // a tag naming a blob the layout does not have is refused too
    layout.tag("sha256-" + hex() + ".att", OciMedia.OCI_MANIFEST, "sha256:" + "c".repeat(64), 10);
    var missing = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));
    assertThat(missing.getOriginalMessage()).contains("has no such blob");
  }

  @Test
  void anAttTagOrReferrerNamingTheImageItselfIsALoop() throws Exception {
    OciLayout layout = OciLayout.open(dir);
    byte[] image = layout.manifest(this.image.reference());
    layout.tag("sha256-" + hex() + ".att", OciMedia.OCI_MANIFEST, this.image.reference(), image.length);

    var att = nonRetryable(Attachments.REJECTED, () -> Attachments.list(this.image, settings));
    assertThat(att.getOriginalMessage()).contains("names the image itself");

    layout = OciLayout.open(dir);
    layout.tag("sha256-" + hex() + ".att", OciMedia.OCI_MANIFEST, "sha256:" + "d".repeat(64), 1);
    ObjectNode fallback = AttachFixtures.JSON.createObjectNode();
    fallback.put("schemaVersion", 2);
    fallback.put("mediaType", OciMedia.OCI_INDEX);
    fallback.putArray("manifests").add(Descriptor.of(OciMedia.OCI_MANIFEST, image).toJson());
    byte[] bytes = AttachFixtures.bytes(fallback);
    layout.writeBlob(bytes);
    // only the fallback tag is left to read: drop the broken .att entry again
    layout.tag("sha256-" + hex(), OciMedia.OCI_INDEX, OciMedia.sha256(bytes), bytes.length);
    Path index = dir.resolve("index.json");
    ObjectNode json = (ObjectNode) AttachFixtures.JSON.readTree(index.toFile());
    var kept = AttachFixtures.JSON.createArrayNode();
    json.path("manifests").forEach(e -> {
      if (!e.path("annotations").path(OciMedia.REF_NAME).asText().endsWith(".att")) {
        kept.add(e);
      }
    });
    json.set("manifests", kept);
    Files.write(index, AttachFixtures.bytes(json));

    var loop = nonRetryable(Attachments.REJECTED, () -> Attachments.list(this.image, settings));
    assertThat(loop.getOriginalMessage()).contains("list the image itself: a referrer loop");
  }

  @Test
  void aFallbackTagWithAReferrerOfAnotherImageIsSkipped() throws Exception {
    String other = new OciImageWriter().file("other", "2").writeLayout(dir, "v2");
    ImageRef otherRef = new ImageRef("oci:" + dir, other);
    String foreign = AttestationWriter.attachArtifact(otherRef, AttachFixtures.sbom(other), CYCLONEDX, settings);
    // a hand-made referrers index under this image's tag-schema tag lists the other one's referrer
    ObjectNode fallback = AttachFixtures.JSON.createObjectNode();
    fallback.put("schemaVersion", 2);
    fallback.put("mediaType", OciMedia.OCI_INDEX);
    fallback.putArray("manifests").add(
        new Descriptor(OciMedia.OCI_MANIFEST, foreign, 600, CYCLONEDX, Map.of()).toJson());
    byte[] bytes = AttachFixtures.bytes(fallback);
    OciLayout layout = OciLayout.open(dir);
    layout.writeBlob(bytes);
    layout.tag("sha256-" + hex(), OciMedia.OCI_INDEX, OciMedia.sha256(bytes), bytes.length);

    Attachments.Listing listing = Attachments.read(image, settings, Attachments.Limits.DEFAULT);

    assertThat(listing.attachments()).isEmpty();
    assertThat(listing.skipped()).singleElement().asString().contains("has subject " + other);
    assertThat(Attachments.list(otherRef, settings)).singleElement()
        .extracting(Attachment::manifestDigest).isEqualTo(foreign);
  }

  @Test
  void aLayoutOutsideTheAllowListIsRefusedBeforeItIsRead() throws Exception {
    Path outside = root.resolve("elsewhere");
    String digest = new OciImageWriter().file("x", "1").writeLayout(outside, "v1");
    Files.delete(outside.resolve("index.json"));

    ImageRef ref = new ImageRef("oci:" + outside, digest);
    var f = nonRetryable(FailureTypes.REGISTRY_NOT_ALLOWED, () -> Attachments.list(ref, settings));
    nonRetryable(
        FailureTypes.REGISTRY_NOT_ALLOWED,
        () -> AttestationWriter.attach(ref, AttachFixtures.provenance(digest), SLSA_V1, Form.LEGACY_ATT, settings));

    assertThat(f.getOriginalMessage()).contains(outside.toString());
    assertThat(outside.resolve("index.json")).doesNotExist();
  }
}
