package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One stored evidence record as a gate sees it.
 *
 * @param sha256 {@code sha256:<hex>} of the record's canonical JSON (its identity)
 * @param source where it came from: {@code upload:<principal>}, {@code registry:att} (cosign
 *     {@code .att} tag), {@code registry:referrer}, {@code layout:att}, {@code gantry}
 * @param json the record as stored: a raw document (CycloneDX, Trivy, …), a DSSE envelope, or a
 *     Sigstore bundle
 */
public record EvidenceDocument(String sha256, EvidenceType type, String mediaType, String source, JsonNode json) {

  /** The in-toto statement inside, when the record is a DSSE envelope or bundle; null for a raw document. */
  public InTotoStatement statement() {
    Dsse.Envelope envelope = Dsse.envelopeOf(json);
    return envelope == null ? null : InTotoStatement.parse(envelope);
  }

  /** The document a parser reads: the statement's predicate when attested, else the record itself. */
  public JsonNode body() {
    InTotoStatement s = statement();
    return s == null ? json : s.predicate();
  }
}
