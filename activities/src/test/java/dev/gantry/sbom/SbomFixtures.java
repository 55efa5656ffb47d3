package dev.gantry.sbom;

import dev.gantry.testsupport.TestKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

/** Fixtures under src/test/resources/sbom and the records a gate receives for them. */
final class SbomFixtures {
  private SbomFixtures() {}

  /** The digest the fixtures describe (the checkout image). */
  static final String RELEASE_DIGEST = "sha256:a4d451ec23463726f72c43d64c710968f6b602cd653b4de8adee1b556240a829";
  static final String OTHER_DIGEST = "sha256:d9298a10d1b0735837dc4bd85dac641b0f3cef27a47e5d53a54f2f3f5b2fcffa";

  private static final KeyPair KEY = TestKeys.p256();

  static ObjectNode load(String name) {
    try (InputStream in = SbomFixtures.class.getResourceAsStream("/sbom/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /sbom/" + name);
      }
      return (ObjectNode) Json.read(in.readAllBytes(), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A record as CI uploads it: the document itself. */
  static EvidenceDocument raw(JsonNode json) {
    return new EvidenceDocument(Json.contentId(json), EvidenceType.SBOM, "application/vnd.cyclonedx+json", "upload:ci", json);
  }

  /** A record as {@code cosign attest --type cyclonedx|spdxjson} writes it: a signed v0.1 statement. */
  static EvidenceDocument attested(JsonNode predicate, String predicateType, String subjectDigest) {
    ObjectNode statement = Json.WRITER.createObjectNode();
    statement.put("_type", InTotoStatement.V01);
    statement.put("predicateType", predicateType);
    ObjectNode subject = statement.putArray("subject").addObject();
    subject.put("name", "registry.example.com/shop/checkout");
    subject.putObject("digest").put("sha256", subjectDigest.substring("sha256:".length()));
    statement.set("predicate", predicate);
    return envelope(statement.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** A DSSE envelope around any payload bytes, signed with a real P-256 key. */
  static EvidenceDocument envelope(byte[] payload) {
    ObjectNode json = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, payload, KEY.getPrivate(), "ci-key").toJson();
    return new EvidenceDocument(Json.contentId(json), EvidenceType.SBOM, Dsse.MEDIA_TYPE, "registry:att", json);
  }

}
