package dev.gantry.registry;

import static dev.gantry.registry.Failures.nonRetryable;
import static dev.gantry.registry.Failures.retryable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real docker-registry on loopback. */
class DistributionRegistryTest {
  private static DockerRegistryProcess registry;
  private static RegistrySettings settings;
  private static RegistryActivitiesImpl activities;

  @BeforeAll
  static void startRegistry() {
    registry = DockerRegistryProcess.start();
    settings =
        RegistrySettings.allowing(registry.host())
            .withInsecure(registry.host())
            .withTimeout(Duration.ofSeconds(10));
    activities = new RegistryActivitiesImpl(settings);
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

  private static OciImageWriter image(String version) {
    return new OciImageWriter()
        .file("app/version", version)
        .file("app/bin/run.sh", "#!/bin/sh\necho " + version + "\n")
        .label("org.opencontainers.image.version", version);
  }

  @Test
  void resolvesAPushedTagToTheDigestSkopeoSees() throws Exception {
    String pushed = image("1.0.0").push(ref("team/app", "v1"), settings);

    assertThat(activities.resolve(ref("team/app", "v1"))).isEqualTo(pushed);

    String inspect =
        DockerRegistryProcess.run(
            List.of(skopeo(), "inspect", "--tls-verify=false",
                "docker://" + registry.host() + "/team/app:v1"),
            Duration.ofSeconds(60));
    var json = new ObjectMapper().readTree(inspect);
    assertThat(json.path("Digest").asText()).isEqualTo(pushed);
    assertThat(json.path("Architecture").asText()).isEqualTo("amd64");
    assertThat(json.path("Labels").path("org.opencontainers.image.version").asText())
        .isEqualTo("1.0.0");
  }

  @Test
  void resolvesADigestThatIsPresent() {
    String pushed = image("1.0.1").push(ref("by-digest", "v1"), settings);

    assertThat(activities.resolve(ref("by-digest", pushed))).isEqualTo(pushed);
  }

  @Test
  void aMissingTagIsTagNotFound() {
    image("1.0.2").push(ref("missing", "v1"), settings);

    var f = nonRetryable(FailureTypes.TAG_NOT_FOUND, () -> activities.resolve(ref("missing", "v2")));
    assertThat(f.getOriginalMessage()).contains("v2").contains(registry.host() + "/missing");
    nonRetryable(FailureTypes.TAG_NOT_FOUND, () -> activities.resolve(ref("no-such-repo", "v1")));
  }

  @Test
  void aMissingDigestIsDigestNotFound() {
    String absent = new OciImageWriter().file("x", "never pushed").digest();

    nonRetryable(FailureTypes.DIGEST_NOT_FOUND, () -> activities.resolve(ref("team/app", absent)));
  }

  @Test
  void existsTellsWhetherADigestIsStillThere() {
    String pushed = image("1.0.3").push(ref("exists", "v1"), settings);
    String absent = image("never-pushed").digest();

    assertThat(activities.exists(ref("exists", pushed))).isTrue();
    assertThat(activities.exists(ref("exists", absent))).isFalse();
    assertThat(activities.exists(ref("no-such-repo", absent))).isFalse();
    assertThat(activities.exists(ref("exists", "v1"))).isTrue();
    assertThat(activities.exists(ref("exists", "v9"))).isFalse();
  }

  @Test
  void aMovedTagResolvesToTheNewImage() {
    String first = image("2.0.0").push(ref("moving", "latest"), settings);
    String second = image("2.0.1").push(ref("moving", "latest"), settings);
    assertThat(second).isNotEqualTo(first);
    assertThat(activities.resolve(ref("moving", "latest"))).isEqualTo(second);

    OciImageWriter.tag(ref("moving", "latest"), first, settings);

    assertThat(activities.resolve(ref("moving", "latest"))).isEqualTo(first);
    assertThat(activities.exists(ref("moving", second))).isTrue();
  }

  @Test
  void pushingTheSameImageTwiceGivesTheSameDigest() {
    String once = image("3.0.0").push(ref("twice", "a"), settings);
    String again = image("3.0.0").push(ref("twice", "b"), settings);

    assertThat(again).isEqualTo(once);
    assertThat(activities.resolve(ref("twice", "b"))).isEqualTo(once);
  }

  @Test
  void aRegistryOutsideTheAllowListIsRefusedBeforeAnyRequest() {
    try (CountingServer other = new CountingServer(200)) {
      var f =
          nonRetryable(
              FailureTypes.REGISTRY_NOT_ALLOWED,
              () -> activities.resolve(new ImageRef(other.host() + "/team/app", "v1")));
      nonRetryable(
          FailureTypes.REGISTRY_NOT_ALLOWED,
          () -> activities.exists(new ImageRef(other.host() + "/team/app", image("x").digest())));

      assertThat(f.getOriginalMessage()).contains(other.host()).contains(registry.host());
      assertThat(other.requests()).isZero();
    }
  }

  @Test
  void invalidReferencesAreRefusedBeforeAnyRequest() {
    try (CountingServer server = new CountingServer(200)) {
      var local =
          new RegistryActivitiesImpl(
              RegistrySettings.allowing(server.host()).withInsecure(server.host()));
      String repo = server.host() + "/team/app";

      nonRetryable(FailureTypes.INVALID_REFERENCE, () -> local.resolve(new ImageRef(repo, "-bad")));
      nonRetryable(FailureTypes.INVALID_REFERENCE, () -> local.resolve(new ImageRef(repo, "a/b")));
      nonRetryable(FailureTypes.INVALID_REFERENCE, () -> local.resolve(new ImageRef(repo, "sha256:abc")));
      nonRetryable(
          FailureTypes.INVALID_REFERENCE,
          () -> local.resolve(new ImageRef(repo, "sha256:" + "A".repeat(64))));
      nonRetryable(
          FailureTypes.INVALID_REFERENCE,
          () -> local.exists(new ImageRef(server.host() + "/Team/App", "v1")));
      nonRetryable(
          FailureTypes.INVALID_REFERENCE, () -> local.resolve(new ImageRef(server.host(), "v1")));
      assertThat(server.requests()).isZero();
    }
  }

  @Test
  void anUnreachableRegistryIsARetryableFailure() throws Exception {
    int port;
    // a port that was free a moment ago: nothing listens there
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    var local = new RegistryActivitiesImpl(RegistrySettings.allowing(host).withInsecure(host));

    var f = retryable(() -> local.resolve(new ImageRef(host + "/team/app", "v1")));
    assertThat(f.getType()).isEqualTo(RegistryFailures.UNAVAILABLE);
    assertThat(f.getOriginalMessage()).contains(host);
  }

  @Test
  void serverErrorsAndThrottlingAreRetryable() {
    for (int status : new int[] {500, 503, 429}) {
      try (CountingServer failing = new CountingServer(status)) {
        var local =
            new RegistryActivitiesImpl(
                RegistrySettings.allowing(failing.host()).withInsecure(failing.host()));

        var f = retryable(() -> local.resolve(new ImageRef(failing.host() + "/team/app", "v1")));
        assertThat(f.getOriginalMessage()).contains(String.valueOf(status));
      }
    }
  }

  static String skopeo() {
    Path skopeo = Path.of("/usr/bin/skopeo");
    if (!Files.isExecutable(skopeo)) {
      throw new AssertionError("skopeo not found: install it with 'apt-get install -y skopeo'");
    }
    return skopeo.toString();
  }
}
