package dev.gantry.registry;

import static dev.gantry.registry.Failures.nonRetryable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutRegistryTest {
  @TempDir Path root;
  private Path layouts;
  private RegistryActivitiesImpl activities;

  @BeforeEach
  void allowLayouts() throws Exception {
    layouts = Files.createDirectories(root.resolve("layouts"));
    activities = new RegistryActivitiesImpl(RegistrySettings.allowing("oci:" + layouts));
  }

  private static ImageRef ref(Path dir, String reference) {
    return new ImageRef("oci:" + dir, reference);
  }

  private static OciImageWriter image(String version) {
    return new OciImageWriter().file("app/version", version).label("version", version);
  }

  @Test
  void resolvesEachOfTwoTags() throws Exception {
    Path dir = layouts.resolve("app");
    String v1 = image("1").writeLayout(dir, "v1");
    String v2 = image("2").writeLayout(dir, "v2");

    assertThat(v1).isNotEqualTo(v2);
    assertThat(activities.resolve(ref(dir, "v1"))).isEqualTo(v1);
    assertThat(activities.resolve(ref(dir, "v2"))).isEqualTo(v2);
    assertThat(activities.resolve(ref(dir, v1))).isEqualTo(v1);
    assertThat(Files.readString(dir.resolve("oci-layout"))).contains("imageLayoutVersion");
  }

  @Test
  void rewritingATagReplacesOnlyThatEntry() throws Exception {
    Path dir = layouts.resolve("app");
    String v1 = image("1").writeLayout(dir, "v1");
    image("2").writeLayout(dir, "latest");
    String three = image("3").writeLayout(dir, "latest");

    assertThat(activities.resolve(ref(dir, "latest"))).isEqualTo(three);
    assertThat(activities.resolve(ref(dir, "v1"))).isEqualTo(v1);
    var index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(2);

    OciImageWriter.tag(ref(dir, "latest"), v1, null);
    assertThat(activities.resolve(ref(dir, "latest"))).isEqualTo(v1);
  }

  @Test
  void aMissingTagIsTagNotFound() {
    Path dir = layouts.resolve("app");
    image("1").writeLayout(dir, "v1");

    var f = nonRetryable(FailureTypes.TAG_NOT_FOUND, () -> activities.resolve(ref(dir, "v2")));
    assertThat(f.getOriginalMessage()).contains("v2").contains(dir.toString());
    nonRetryable(
        FailureTypes.DIGEST_NOT_FOUND,
        () -> activities.resolve(ref(dir, image("absent").digest())));
  }

  @Test
  void existsChecksTheManifestBlob() throws Exception {
    Path dir = layouts.resolve("app");
    String v1 = image("1").writeLayout(dir, "v1");
    var built = image("1").build();

    assertThat(activities.exists(ref(dir, v1))).isTrue();
    assertThat(activities.exists(ref(dir, image("absent").digest()))).isFalse();
    // a blob that is there but is a layer, not a manifest
    assertThat(activities.exists(ref(dir, built.layerDigest()))).isFalse();
    assertThat(activities.exists(ref(dir, built.configDigest()))).isFalse();

    Files.delete(dir.resolve("blobs/sha256/" + v1.substring("sha256:".length())));
    assertThat(activities.exists(ref(dir, v1))).isFalse();
  }

  @Test
  void aDirectoryOutsideTheAllowedOnesIsRefused() throws Exception {
    Path outside = root.resolve("elsewhere");
    image("1").writeLayout(outside, "v1");

    var f =
        nonRetryable(
            FailureTypes.REGISTRY_NOT_ALLOWED, () -> activities.resolve(ref(outside, "v1")));
    assertThat(f.getOriginalMessage()).contains(outside.toString()).contains(layouts.toString());
    // '..' cannot climb out of an allowed directory
    nonRetryable(
        FailureTypes.REGISTRY_NOT_ALLOWED,
        () -> activities.resolve(new ImageRef("oci:" + layouts + "/../elsewhere", "v1")));
    // a sibling whose name merely starts with the allowed one is another directory
    nonRetryable(
        FailureTypes.REGISTRY_NOT_ALLOWED,
        () -> activities.resolve(new ImageRef("oci:" + layouts + "-evil", "v1")));
    nonRetryable(
        FailureTypes.REGISTRY_NOT_ALLOWED,
        () -> activities.resolve(new ImageRef("oci:relative/dir", "v1")));
  }

  @Test
  void aMissingOrBrokenLayoutIsANonRetryableFailure() throws Exception {
    var missing =
        nonRetryable(
            RegistryFailures.LAYOUT_INVALID,
            () -> activities.resolve(ref(layouts.resolve("nothing"), "v1")));
    assertThat(missing.getOriginalMessage()).contains("does not exist");

    Path noMarker = Files.createDirectories(layouts.resolve("no-marker"));
    Files.writeString(noMarker.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
    var f = nonRetryable(RegistryFailures.LAYOUT_INVALID, () -> activities.resolve(ref(noMarker, "v1")));
    assertThat(f.getOriginalMessage()).contains("oci-layout");

    Path badIndex = layouts.resolve("bad-index");
    image("1").writeLayout(badIndex, "v1");
    Files.writeString(badIndex.resolve("index.json"), "{ not json");
    nonRetryable(RegistryFailures.LAYOUT_INVALID, () -> activities.resolve(ref(badIndex, "v1")));

    Path danglingTag = layouts.resolve("dangling");
    String digest = image("1").writeLayout(danglingTag, "v1");
    Files.delete(danglingTag.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
    nonRetryable(RegistryFailures.LAYOUT_INVALID, () -> activities.resolve(ref(danglingTag, "v1")));
  }

  @Test
  void anInvalidTagIsRefused() {
    Path dir = layouts.resolve("app");
    nonRetryable(FailureTypes.INVALID_REFERENCE, () -> activities.resolve(ref(dir, "bad tag")));
  }

  @Test
  void skopeoReadsTheLayoutWithTheSameDigest() throws Exception {
    Path dir = layouts.resolve("app");
    String v1 = image("1").writeLayout(dir, "v1");
    image("2").writeLayout(dir, "v2");

    String inspect =
        DockerRegistryProcess.run(
            List.of(DistributionRegistryTest.skopeo(), "inspect", "oci:" + dir + ":v1"),
            Duration.ofSeconds(60));
    assertThat(new ObjectMapper().readTree(inspect).path("Digest").asText()).isEqualTo(v1);
  }
}
