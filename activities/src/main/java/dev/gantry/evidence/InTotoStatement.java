package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-toto statement, v0.1 (what legacy {@code cosign attest} writes) or v1.
 *
 * @param subjectDigests the subjects' sha256 digests as {@code sha256:<hex>}; subjects match by digest only
 */
public record InTotoStatement(String type, List<String> subjectDigests, String predicateType, JsonNode predicate) {

  public static final String V01 = "https://in-toto.io/Statement/v0.1";
  public static final String V1 = "https://in-toto.io/Statement/v1";

  public static InTotoStatement parse(Dsse.Envelope envelope) {
    if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
      throw new EvidenceException(
          "DSSE payloadType is '" + envelope.payloadType() + "'; an attestation must be " + Dsse.IN_TOTO_PAYLOAD_TYPE);
    }
    return parse(Json.read(envelope.payload(), "in-toto statement"));
  }

  public static InTotoStatement parse(JsonNode json) {
    String type = Json.text(json, "_type");
    if (!V01.equals(type) && !V1.equals(type)) {
      throw new EvidenceException("in-toto statement _type is '" + type + "'; expected " + V01 + " or " + V1);
    }
    JsonNode subjects = json.get("subject");
    if (subjects == null || !subjects.isArray() || subjects.isEmpty()) {
      throw new EvidenceException("in-toto statement has no subject");
    }
    List<String> digests = new ArrayList<>();
    for (JsonNode s : subjects) {
      String hex = Json.text(s.path("digest"), "sha256");
      if (hex != null) {
        digests.add("sha256:" + hex.toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (digests.isEmpty()) {
      throw new EvidenceException("in-toto statement subjects carry no sha256 digest");
    }
    String predicateType = Json.text(json, "predicateType");
    if (predicateType == null || predicateType.isBlank()) {
      throw new EvidenceException("in-toto statement has no predicateType");
    }
    return new InTotoStatement(type, List.copyOf(digests), predicateType, json.get("predicate"));
  }

  public boolean isAbout(String digest) {
    return subjectDigests.contains(digest);
  }
}
