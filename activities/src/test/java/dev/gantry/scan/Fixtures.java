package dev.gantry.scan;

import dev.gantry.testsupport.TestKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.ReleaseRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;

/** Test documents: the hand-written fixtures under resources/scan, raw or signed into attestations. */
final class Fixtures {
  private Fixtures() {}

  /** The cart image (alpine, Go): trivy-cart.json and cosign-vuln-cart.json are about it. */
  static final String CART = "sha256:42c2583e7d247423884eb19d65bebb0d0e95d0a72007d3f2a0c0f2bc403cddbf";
  static final String CART_CONFIG = "sha256:8e2cf141a982e96e1e62925325c476d7f1c68a2da4ac6d7b635f853f15bdd730";
  /** The orders image (debian, Java): trivy-orders.json, grype-orders.json and the VEX documents. */
  static final String ORDERS = "sha256:1b3a7f0d12621aed8cf035753b9f70d1ff738f66e653455abb281a2eb6ea4452";
  static final String ORDERS_CONFIG = "sha256:63403bc4a8e552fa3a739649863530de4761ab61cfb7f54f07c31453148c9172";

  static final ReleaseRef CART_RELEASE =
      new ReleaseRef("cart", "3f9c2d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e", "registry.example.com/shop/cart", CART);
  static final ReleaseRef ORDERS_RELEASE =
      new ReleaseRef("orders", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b", "registry.example.com/shop/orders", ORDERS);

  private static final KeyPair KEYS = TestKeys.p256();

  static JsonNode json(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/scan/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("no test resource scan/" + resource);
      }
      return Json.read(in.readAllBytes(), resource);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode parse(String json) {
    return Json.read(json.getBytes(StandardCharsets.UTF_8), "test document");
  }

  static EvidenceDocument doc(EvidenceType type, JsonNode json) {
    return new EvidenceDocument(Json.contentId(json), type, "application/json", "upload:ci", json);
  }

  static EvidenceDocument scan(String resource) {
    return doc(EvidenceType.SCAN, json(resource));
  }

  static EvidenceDocument vex(String resource) {
    return doc(EvidenceType.VEX, json(resource));
  }

  /** A cosign-style attestation: a v0.1 in-toto statement about {@code digest}, in a DSSE envelope signed with a fresh P-256 key. */
  static EvidenceDocument attested(EvidenceType type, String predicateType, JsonNode predicate, String digest) {
    ObjectNode statement = Json.WRITER.createObjectNode();
    statement.put("_type", InTotoStatement.V01);
    ObjectNode subject = statement.putArray("subject").addObject();
    subject.put("name", "registry.example.com/shop/image");
    subject.putObject("digest").put("sha256", digest.substring("sha256:".length()));
    statement.put("predicateType", predicateType);
    statement.set("predicate", predicate);
    Dsse.Envelope envelope =
        Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Json.canonical(statement), KEYS.getPrivate(), "ci-key");
    JsonNode json = envelope.toJson();
    return new EvidenceDocument(Json.contentId(json), type, Dsse.MEDIA_TYPE, "registry:att", json);
  }

}
