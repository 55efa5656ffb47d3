package dev.gantry.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InTotoStatementTest {
  static final String HEX = "11660a74a20236c03894a2d905dc805c59917fd09176b6fe15ccb1442aa3062c";

  @Test
  void v1StatementWithSeveralSubjects() {
    InTotoStatement s =
        parse(
            """
            {"_type": "https://in-toto.io/Statement/v1",
             "subject": [{"name": "a", "digest": {"sha256": "%s"}},
                         {"name": "b", "digest": {"sha512": "00ff"}},
                         {"name": "c", "digest": {"sha256": "%s"}}],
             "predicateType": "https://slsa.dev/provenance/v1",
             "predicate": {"buildDefinition": {}}}
            """
                .formatted(HEX, HEX.toUpperCase()));

    assertThat(s.type()).isEqualTo(InTotoStatement.V1);
    assertThat(s.subjectDigests()).containsExactly("sha256:" + HEX, "sha256:" + HEX);
    assertThat(s.isAbout("sha256:" + HEX)).isTrue();
    assertThat(s.isAbout("sha256:" + HEX.replace('1', '2'))).isFalse();
    assertThat(s.predicateType()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(s.predicate().has("buildDefinition")).isTrue();
  }

  @Test
  void v01StatementAsLegacyCosignWritesIt() {
    InTotoStatement s =
        parse(
            """
            {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cosign.sigstore.dev/attestation/v1",
             "subject": [{"name": "registry.acme.test/storefront", "digest": {"sha256": "%s"}}],
             "predicate": {"Data": "", "Timestamp": "2026-03-02T09:20:00Z"}}
            """
                .formatted(HEX));

    assertThat(s.type()).isEqualTo(InTotoStatement.V01);
    assertThat(s.isAbout("sha256:" + HEX)).isTrue();
  }

  @Test
  void refusals() {
    String subject = "[{\"digest\": {\"sha256\": \"" + HEX + "\"}}]";
    assertRefused("{\"_type\": \"https://in-toto.io/Statement/v2\", \"subject\": " + subject + ", \"predicateType\": \"x\"}",
        "in-toto statement _type is 'https://in-toto.io/Statement/v2'");
    assertRefused("{\"_type\": \"" + InTotoStatement.V1 + "\", \"predicateType\": \"x\"}", "in-toto statement has no subject");
    assertRefused("{\"_type\": \"" + InTotoStatement.V1 + "\", \"subject\": [], \"predicateType\": \"x\"}",
        "in-toto statement has no subject");
    assertRefused("{\"_type\": \"" + InTotoStatement.V1 + "\", \"subject\": {\"digest\": {}}, \"predicateType\": \"x\"}",
        "in-toto statement has no subject");
    assertRefused(
        "{\"_type\": \"" + InTotoStatement.V1 + "\", \"subject\": [{\"digest\": {\"sha512\": \"ab\"}}], \"predicateType\": \"x\"}",
        "in-toto statement subjects carry no sha256 digest");
    assertRefused("{\"_type\": \"" + InTotoStatement.V1 + "\", \"subject\": " + subject + "}", "in-toto statement has no predicateType");
    assertRefused("[1, 2]", "in-toto statement _type is 'null'");
  }

  @Test
  void anEnvelopeMustCarryAnInTotoPayload() {
    var envelope = new Dsse.Envelope("application/json", "{}".getBytes(StandardCharsets.UTF_8), List.of());

    assertThatThrownBy(() -> InTotoStatement.parse(envelope))
        .isInstanceOf(EvidenceException.class)
        .hasMessage("DSSE payloadType is 'application/json'; an attestation must be application/vnd.in-toto+json");
  }

  @Test
  void duplicateKeysInThePayloadAreRefused() {
    String payload =
        "{\"_type\": \"" + InTotoStatement.V1 + "\", \"subject\": [{\"digest\": {\"sha256\": \"" + HEX + "\"}}],"
            + " \"predicateType\": \"https://slsa.dev/provenance/v1\", \"predicateType\": \"https://example.test/other\"}";
    var envelope = new Dsse.Envelope(Dsse.IN_TOTO_PAYLOAD_TYPE, payload.getBytes(StandardCharsets.UTF_8), List.of());

    assertThatThrownBy(() -> InTotoStatement.parse(envelope))
        .isInstanceOf(EvidenceException.class)
        .hasMessageStartingWith("in-toto statement is not valid JSON: Duplicate field 'predicateType'");
  }

  private static InTotoStatement parse(String json) {
    return InTotoStatement.parse(Json.read(json.getBytes(StandardCharsets.UTF_8), "statement"));
  }

  private static void assertRefused(String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(EvidenceException.class).hasMessageStartingWith(message);
  }
}
