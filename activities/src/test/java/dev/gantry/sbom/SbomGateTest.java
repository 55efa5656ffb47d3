package dev.gantry.sbom;

import static dev.gantry.sbom.SbomFixtures.OTHER_DIGEST;
import static dev.gantry.sbom.SbomFixtures.RELEASE_DIGEST;
import static dev.gantry.sbom.SbomFixtures.attested;
import static dev.gantry.sbom.SbomFixtures.load;
import static dev.gantry.sbom.SbomFixtures.raw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SbomPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class SbomGateTest {
  private static final ReleaseRef RELEASE =
      new ReleaseRef("checkout", "3b18e512dba79e4c8300dd08aeb37f8e728b8dad", "registry.example.com/shop/checkout", RELEASE_DIGEST);
  private static final SbomPolicy POLICY = SbomPolicy.defaults();

  /** The syft SBOM, as syft would have written it for another image. */
  private static ObjectNode forOtherImage() {
    ObjectNode bom = load("syft-cyclonedx-1.6.json");
    ((ObjectNode) bom.get("metadata").get("component")).put("version", OTHER_DIGEST);
    return bom;
  }

  @Test
  void noSbomIsMissing() {
    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of());

    assertThat(result.verdict().gate()).isEqualTo("sbom");
    assertThat(result.verdict().outcome()).isEqualTo(Outcome.MISSING);
    assertThat(result.verdict().reasons()).singleElement().asString().contains("no SBOM for " + RELEASE_DIGEST);
    assertThat(result.sbom()).isNull();
  }

  @Test
  void passesARawSbomThatDescribesTheRelease() {
    EvidenceDocument doc = raw(load("syft-spdx-2.3.json"));

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().reasons()).containsExactly(
        "SPDX SPDX-2.3 SBOM " + doc.sha256() + " lists 4 components; it describes " + RELEASE_DIGEST);
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256());
    assertThat(result.sbom().components()).hasSize(4);
  }

  @Test
  void passesAnAttestationWhoseSubjectIsTheRelease() {
    EvidenceDocument doc = attested(load("trivy-cyclonedx-1.5.json"), "https://cyclonedx.org/bom", RELEASE_DIGEST);

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().reasons().getFirst()).contains("attested for " + RELEASE_DIGEST, "registry:att");
    assertThat(result.sbom().specVersion()).isEqualTo("1.5");
  }

  @Test
  void failsARawSbomForAnotherImage() {
    EvidenceDocument doc = raw(forOtherImage());

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).containsExactly(
        "SBOM " + doc.sha256() + " describes " + OTHER_DIGEST + " not the release's " + RELEASE_DIGEST);
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256());
    assertThat(result.sbom()).isNull();
  }

  @Test
  void failsAnAttestationAboutAnotherDigestEvenIfTheBodyNamesTheRelease() {
    EvidenceDocument doc = attested(load("syft-cyclonedx-1.6.json"), "https://cyclonedx.org/bom", OTHER_DIGEST);

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(doc));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString()
        .contains("is about " + OTHER_DIGEST + ", not the release's " + RELEASE_DIGEST);
  }

  @Test
  void checksTheAttestationSubjectBeforeReadingTheSbom() {
    EvidenceDocument doc = attested(load("syft-spdx-2.3.json").put("spdxVersion", "SPDX-2.2"), "https://spdx.dev/Document", OTHER_DIGEST);

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(doc));

    assertThat(result.verdict().reasons()).singleElement().asString().contains("is about " + OTHER_DIGEST).doesNotContain("SPDX-2.2");
  }

  @Test
  void acceptsARawSbomNamingNoDigestAndSaysHowItIsBound() {
    ObjectNode bom = load("syft-cyclonedx-1.6.json");
    ((ObjectNode) bom.get("metadata")).remove("component");

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(raw(bom)));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().reasons()).contains("SBOM names no image digest; bound to the release by upload (upload:ci)");
  }

  @Test
  void picksTheFirstUsableSbomAndSaysWhatItSetAside() {
    EvidenceDocument other = raw(forOtherImage());
    EvidenceDocument good = raw(load("trivy-cyclonedx-1.5.json"));

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(other, good));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.sbom().sha256()).isEqualTo(good.sha256());
    assertThat(result.verdict().evidence()).containsExactly(other.sha256(), good.sha256());
    assertThat(result.verdict().reasons()).anySatisfy(r -> assertThat(r).startsWith("also read and set aside: SBOM " + other.sha256()));
  }

  @Test
  void failsWithEveryDocumentsReasonWhenNoneIsUsable() {
    EvidenceDocument other = raw(forOtherImage());
    EvidenceDocument old = raw(load("syft-spdx-2.3.json").put("spdxVersion", "SPDX-2.2"));
    ObjectNode notAnEnvelope = Json.WRITER.createObjectNode();
    notAnEnvelope.putObject("dsseEnvelope").put("payloadType", "application/vnd.in-toto+json");
    EvidenceDocument broken = new EvidenceDocument(Json.contentId(notAnEnvelope), EvidenceType.SBOM, "application/json", "upload:ci", notAnEnvelope);

    SbomGate.Result result = SbomGate.evaluate(RELEASE, POLICY, List.of(other, old, broken));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).hasSize(3);
    assertThat(result.verdict().reasons().get(0)).contains("describes " + OTHER_DIGEST);
    assertThat(result.verdict().reasons().get(1)).contains("SPDX-2.2");
    assertThat(result.verdict().reasons().get(2)).contains("dsseEnvelope has no payloadType or payload");
    assertThat(result.verdict().evidence()).containsExactly(other.sha256(), old.sha256(), broken.sha256());
  }
}
