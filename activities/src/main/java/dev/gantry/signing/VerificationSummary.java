package dev.gantry.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.model.Digests;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A SLSA Verification Summary Attestation (VSA v1) for one environment: what Gantry verified about
 * a digest before and after promoting it there. Admission controllers (Kyverno) and rollbacks read
 * it back: {@code verificationResult} and {@code environment} are the fields they check.
 *
 * @param verifierId the Gantry instance ({@code verifier.id})
 * @param timeVerified when the promotion was verified healthy
 * @param repository the image repository, e.g. {@code registry.example/acme/storefront}
 * @param digest the image digest ({@code sha256:…}); {@code resourceUri} is {@code repository@digest}
 * @param environment the environment the summary is for (a Gantry field beside the SLSA ones)
 * @param policyUri the environment policy's URI
 * @param policyDigest {@code sha256:…} of the environment policy's canonical JSON (RFC 8785)
 * @param inputs the evidence bundle's members (and the bundle itself)
 * @param passed {@code PASSED} or {@code FAILED}
 * @param verifiedLevels e.g. {@code SLSA_BUILD_LEVEL_2}
 */
public record VerificationSummary(
    String verifierId,
    Instant timeVerified,
    String repository,
    String digest,
    String environment,
    String policyUri,
    String policyDigest,
    List<Input> inputs,
    boolean passed,
    List<String> verifiedLevels) {

  public static final String PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1";
  public static final String PASSED = "PASSED";
  public static final String FAILED = "FAILED";
  public static final String SLSA_VERSION = "1.0";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One input attestation: where it can be read and its digest ({@code sha256:…}). */
  public record Input(String uri, String digest) {
    public Input {
      Objects.requireNonNull(uri, "uri");
      requireDigest(digest, "input attestation " + uri);
    }
  }

  public VerificationSummary {
    Objects.requireNonNull(verifierId, "verifierId");
    Objects.requireNonNull(timeVerified, "timeVerified");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(policyUri, "policyUri");
    requireDigest(digest, "the image digest");
    requireDigest(policyDigest, "the policy digest");
    inputs = List.copyOf(inputs);
    verifiedLevels = List.copyOf(verifiedLevels);
  }

  public String resourceUri() {
    return repository + "@" + digest;
  }

  /** The in-toto v1 statement, subject the image digest, predicate the VSA. */
  public byte[] statement() {
    ObjectNode root = JSON.createObjectNode();
    root.put("_type", InTotoStatement.V1);
    ObjectNode subject = root.putArray("subject").addObject();
    subject.put("name", repository);
    subject.putObject("digest").put("sha256", hex(digest));
    root.put("predicateType", PREDICATE_TYPE);
    ObjectNode p = root.putObject("predicate");
    p.putObject("verifier").put("id", verifierId);
    p.put("timeVerified", timeVerified.toString());
    p.put("resourceUri", resourceUri());
    ObjectNode policy = p.putObject("policy");
    policy.put("uri", policyUri);
    policy.putObject("digest").put("sha256", hex(policyDigest));
    ArrayNode in = p.putArray("inputAttestations");
    for (Input i : inputs) {
      ObjectNode n = in.addObject();
      n.put("uri", i.uri());
      n.putObject("digest").put("sha256", hex(i.digest()));
    }
    p.put("verificationResult", passed ? PASSED : FAILED);
    ArrayNode levels = p.putArray("verifiedLevels");
    verifiedLevels.forEach(levels::add);
    p.put("slsaVersion", SLSA_VERSION);
    p.put("environment", environment);
    return CosignPayloads.bytes(root);
  }

  /**
   * Reads a VSA statement back, refusing anything that is not one about a single image digest.
   *
   * @throws EvidenceException with the reason
   */
  public static VerificationSummary parse(JsonNode statement) {
    if (!PREDICATE_TYPE.equals(statement.path("predicateType").asText(null))) {
      throw new EvidenceException("the statement's predicate type is " + statement.path("predicateType").asText("(none)")
          + ", not " + PREDICATE_TYPE);
    }
    JsonNode subjects = statement.path("subject");
    if (!subjects.isArray() || subjects.size() != 1) {
      throw new EvidenceException("a verification summary must have exactly one subject, the image digest");
    }
    String subjectHex = subjects.get(0).path("digest").path("sha256").asText("");
    JsonNode p = statement.path("predicate");
    String digest = "sha256:" + subjectHex;
    String resource = text(p, "resourceUri");
    int at = resource.lastIndexOf('@');
    if (at < 0 || !resource.substring(at + 1).equals(digest)) {
      throw new EvidenceException("the summary's resourceUri " + resource + " is not about its subject " + digest);
    }
    List<Input> inputs = new ArrayList<>();
    for (JsonNode i : p.path("inputAttestations")) {
      inputs.add(new Input(text(i, "uri"), "sha256:" + i.path("digest").path("sha256").asText("")));
    }
    List<String> levels = new ArrayList<>();
    p.path("verifiedLevels").forEach(l -> levels.add(l.asText()));
    String result = text(p, "verificationResult");
    if (!result.equals(PASSED) && !result.equals(FAILED)) {
      throw new EvidenceException("verificationResult is " + result + ", neither " + PASSED + " nor " + FAILED);
    }
    Instant time;
    try {
      time = Instant.parse(text(p, "timeVerified"));
    } catch (DateTimeParseException e) {
      throw new EvidenceException("timeVerified is not an RFC 3339 time: " + p.path("timeVerified").asText());
    }
    try {
      return new VerificationSummary(
          text(p.path("verifier"), "id"),
          time,
          resource.substring(0, at),
          digest,
          text(p, "environment"),
          text(p.path("policy"), "uri"),
          "sha256:" + p.path("policy").path("digest").path("sha256").asText(""),
          inputs,
          result.equals(PASSED),
          levels);
    } catch (IllegalArgumentException e) {
      throw new EvidenceException("the verification summary is malformed: " + e.getMessage());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new EvidenceException("the verification summary has no " + field);
    }
    return v.asText();
  }

  private static void requireDigest(String digest, String what) {
    if (digest == null || !Digests.isDigest(digest) || !digest.startsWith("sha256:")) {
      throw new IllegalArgumentException(what + " is not a sha256 digest: " + digest);
    }
  }

  private static String hex(String digest) {
    return digest.substring("sha256:".length());
  }
}
