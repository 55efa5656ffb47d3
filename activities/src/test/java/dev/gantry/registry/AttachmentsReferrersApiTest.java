package dev.gantry.registry;

import static dev.gantry.registry.AttachFixtures.COSIGN_VULN;
import static dev.gantry.registry.AttachFixtures.CYCLONEDX;
import static dev.gantry.registry.AttachFixtures.SLSA_V1;
import static dev.gantry.registry.Failures.nonRetryable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.access.Credentials;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.AttestationWriter.Form;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The referrers-API branch, against a small registry that has the API docker-registry lacks. */
class AttachmentsReferrersApiTest {
  private ReferrersServer server;
  private RegistrySettings settings;
  private ImageRef image;

  @BeforeEach
  void start() {
    server = new ReferrersServer();
    settings =
        RegistrySettings.allowing(server.host())
            .withInsecure(server.host())
            .withTimeout(Duration.ofSeconds(10));
    String digest =
        new OciImageWriter().file("app/version", "1").push(new ImageRef(server.host() + "/team/app", "v1"), settings);
    image = new ImageRef(server.host() + "/team/app", digest);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String fallbackTag() {
    return image.reference().replace(':', '-');
  }

  @Test
  void aRegistryAnsweringOciSubjectGetsNoFallbackIndexAndIsListedThroughTheApi() {
    byte[] envelope = AttachFixtures.provenance(image.reference());
    byte[] sbom = AttachFixtures.sbom(image.reference());

    String bundle = AttestationWriter.attach(image, envelope, SLSA_V1, Form.REFERRER, settings);
    String artifact = AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);
    assertThat(AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings)).isEqualTo(artifact);

    assertThat(server.hasTag(fallbackTag())).isFalse();
    assertThat(server.count("PUT", "/manifests/" + fallbackTag())).isZero();

    List<Attachment> found = Attachments.list(image, settings);
    assertThat(found).extracting(Attachment::manifestDigest).containsExactlyInAnyOrder(bundle, artifact);
    assertThat(found).extracting(Attachment::source).containsOnly("registry:referrer");
    assertThat(found.stream().filter(a -> a.manifestDigest().equals(artifact)).findFirst().orElseThrow().content())
        .isEqualTo(sbom);
    assertThat(server.count("GET", "/referrers/" + image.reference())).isGreaterThanOrEqualTo(1);
    // the API answered, so the tag-schema fallback was never asked for
    assertThat(server.requests).doesNotContain("GET /v2/team/app/manifests/" + fallbackTag());
  }

  @Test
  void pagesOfTheReferrersListAreFollowed() {
    server.pageSize = 1;
    AttestationWriter.attach(image, AttachFixtures.provenance(image.reference()), SLSA_V1, Form.REFERRER, settings);
    AttestationWriter.attach(image, AttachFixtures.vulnScan(image.reference()), COSIGN_VULN, Form.REFERRER, settings);
    AttestationWriter.attachArtifact(image, AttachFixtures.sbom(image.reference()), CYCLONEDX, settings);
    server.requests.clear();

    List<Attachment> found = Attachments.list(image, settings);

    assertThat(found).hasSize(3);
    assertThat(found).extracting(Attachment::predicateType).contains(SLSA_V1, COSIGN_VULN);
    assertThat(server.count("GET", "/referrers/" + image.reference() + "?page=")).isEqualTo(2);
    var d = Attachments.Limits.DEFAULT;
    var f = nonRetryable(Attachments.REJECTED,
        () -> Attachments.list(image, settings, new Attachments.Limits(d.maxManifestBytes(), d.maxBlobBytes(), 2, 64)));
    assertThat(f.getOriginalMessage()).contains("more than the limit of 2");
  }

  @Test
  void aLinkOutOfTheReferrersApiIsRefused() {
    AttestationWriter.attachArtifact(image, AttachFixtures.sbom(image.reference()), CYCLONEDX, settings);
    server.forcedNextLink = "http://attacker.example/v2/team/app/referrers/" + image.reference();

    var f = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));

    assertThat(f.getOriginalMessage()).contains("attacker.example").contains("outside its referrers API");
  }

  @Test
  void blobsRedirectedToStorageAreFetchedWithoutTheRegistryCredentials() {
    byte[] sbom = AttachFixtures.sbom(image.reference());
    AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);
    server.redirectBlobs = true;
    server.requiredAuthorization =
        "Basic " + Base64.getEncoder().encodeToString("ci:secret".getBytes());
    var withCredentials =
        settings.withCredentials(server.host(), new Credentials("ci", "secret"));

    List<Attachment> found = Attachments.list(image, withCredentials);

    assertThat(found).singleElement().extracting(Attachment::content).isEqualTo(sbom);
    assertThat(server.count("GET", "/storage/" + OciMedia.sha256(sbom))).isEqualTo(1);
    assertThat(server.authorizationAtStorage).containsOnly("null");
  }

  @Test
  void aRegistryServingOtherBytesForADigestIsRefused() {
    byte[] sbom = AttachFixtures.sbom(image.reference());
    String artifact = AttestationWriter.attachArtifact(image, sbom, CYCLONEDX, settings);
    byte[] altered = new String(sbom, StandardCharsets.UTF_8)
        .replace("4.21.2", "4.21.3").getBytes(StandardCharsets.UTF_8);
    server.tamper = b -> Arrays.equals(b, sbom) ? altered : b;

    var blob = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));
    assertThat(blob.getOriginalMessage())
        .contains("blob " + OciMedia.sha256(sbom))
        .contains("does not match its digest")
        .contains(OciMedia.sha256(altered));

    server.tamper = b -> AttachFixtures.tree(b).has("subject") ? (new String(b) + " ").getBytes() : b;
    var manifest = nonRetryable(Attachments.REJECTED, () -> Attachments.list(image, settings));
    assertThat(manifest.getOriginalMessage()).contains("manifest " + artifact).contains("does not match its digest");
  }
}
