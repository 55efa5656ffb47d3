package dev.gantry.signing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.InTotoStatement;
import java.util.Map;
import java.util.TreeMap;

/** The documents cosign signs for an image, built byte for byte as cosign builds them. */
final class CosignPayloads {
  /** {@code critical.type} of a cosign simple-signing payload; anything else is refused. */
  static final String SIMPLE_SIGNING_TYPE = "cosign container image signature";
  /** The predicate type of cosign v3's {@code cosign sign} statement. */
  static final String SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";
  static final String SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private CosignPayloads() {}

  /**
   * sigstore's {@code SimpleContainerImage} as Go marshals it: fields in struct order, {@code
   * optional} null without annotations, else its keys sorted.
   */
  static byte[] simpleSigning(String repository, String digest, Map<String, String> annotations) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", repository);
    critical.putObject("image").put("docker-manifest-digest", digest);
    critical.put("type", SIMPLE_SIGNING_TYPE);
    if (annotations.isEmpty()) {
      root.putNull("optional");
    } else {
      ObjectNode optional = root.putObject("optional");
      new TreeMap<>(annotations).forEach(optional::put);
    }
    return bytes(root);
  }

  /**
   * cosign v3's signature statement (in-toto v1): the digest as the one subject, the annotations
   * on the subject (an empty object without any), predicate type {@link #SIGN_PREDICATE_TYPE} with an empty predicate.
   */
  static byte[] signStatement(String digest, Map<String, String> annotations) {
    int colon = digest.indexOf(':');
    ObjectNode root = JSON.createObjectNode();
    root.put("_type", InTotoStatement.V1);
    ObjectNode subject = root.putArray("subject").addObject();
    subject.putObject("digest").put(digest.substring(0, colon), digest.substring(colon + 1));
    // cosign writes the annotations object even when it is empty
    ObjectNode a = subject.putObject("annotations");
    new TreeMap<>(annotations).forEach(a::put);
    root.put("predicateType", SIGN_PREDICATE_TYPE);
    root.putObject("predicate");
    return bytes(root);
  }

  static byte[] bytes(Object node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
