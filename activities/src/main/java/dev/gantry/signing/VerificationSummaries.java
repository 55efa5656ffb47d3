package dev.gantry.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.Json;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachment;
import dev.gantry.registry.AttestationWriter;
import dev.gantry.registry.Attachments;
import dev.gantry.registry.RegistrySettings;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Gantry's verification summaries on an image: written as DSSE attestations in both places cosign
 * reads them ({@code .att} and a Sigstore bundle referrer), and read back for rollbacks.
 */
public final class VerificationSummaries {

  /** What {@link #attest} left on the image. */
  public record Written(String legacy, String referrer, boolean added) {}

  /** A summary that verified with one of the keys, and where it was. */
  public record Found(VerificationSummary summary, String source, String manifestDigest) {}

  /** The search for a summary: what counts, and why every other one does not. */
  public record Search(List<Found> found, List<String> refusals) {
    public Search {
      found = List.copyOf(found);
      refusals = List.copyOf(refusals);
    }
  }

  private VerificationSummaries() {}

  /**
   * Signs the summary's statement and attaches it, unless the same statement signed by this key is
   * already there (a retried activity adds nothing).
   */
  public static Written attest(ImageRef image, VerificationSummary summary, Signer signer, RegistrySettings settings) {
    byte[] statement = summary.statement();
    JsonNode wanted = Json.read(statement, "statement");
    String legacy = null;
    String referrer = null;
    for (Attachment a : Attachments.list(image, settings, Attachments.Limits.DEFAULT)) {
      if (CosignSigner.sameSignedStatement(a, VerificationSummary.PREDICATE_TYPE, wanted, signer.publicKey())) {
        if (a.artifactType() == null && legacy == null) {
          legacy = a.manifestDigest();
        } else if (a.artifactType() != null && referrer == null) {
          referrer = a.manifestDigest();
        }
      }
    }
    boolean added = false;
    if (legacy == null || referrer == null) {
      byte[] envelope = CosignSigner.signedEnvelope(statement, signer);
      if (legacy == null) {
        legacy = AttestationWriter.attach(image, envelope, VerificationSummary.PREDICATE_TYPE,
            AttestationWriter.Form.LEGACY_ATT, settings);
      }
      if (referrer == null) {
        referrer = AttestationWriter.attach(image, envelope, VerificationSummary.PREDICATE_TYPE,
            AttestationWriter.Form.REFERRER, signer.keyId(), settings);
      }
      added = true;
    }
    return new Written(legacy, referrer, added);
  }

  /**
   * Every verification summary on the image that verifies with one of {@code keys}, is about this
   * digest and names {@code environment}; the others are listed with the reason they do not count.
   */
  public static Search find(ImageRef image, List<PublicKey> keys, String environment, RegistrySettings settings) {
    List<Found> found = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    for (Attachment a : Attachments.list(image, settings, Attachments.Limits.DEFAULT)) {
      if (a.predicateType() != null && !VerificationSummary.PREDICATE_TYPE.equals(a.predicateType())) {
        continue;
      }
      String where = a.source() + " " + a.manifestDigest();
      try {
        Dsse.Envelope envelope = Dsse.envelopeOf(Json.read(a.content(), "attestation"));
        if (envelope == null || !Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
          continue;
        }
        JsonNode statement = Json.read(envelope.payload(), "statement");
        if (!VerificationSummary.PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
          continue;
        }
        if (envelope.verifiedBy(keys) < 0) {
          refusals.add("the verification summary in " + where + " is not signed by a Gantry key trusted today");
          continue;
        }
        VerificationSummary s = VerificationSummary.parse(statement);
        if (!s.digest().equals(image.reference())) {
          refusals.add("the verification summary in " + where + " is about " + s.digest() + ", not " + image.reference());
        } else if (!s.environment().equals(environment)) {
          continue; // another environment's summary: not a refusal, just not this one
        } else if (!s.passed()) {
          refusals.add("the verification summary in " + where + " for " + environment + " says " + VerificationSummary.FAILED);
        } else {
          found.add(new Found(s, a.source(), a.manifestDigest()));
        }
      } catch (EvidenceException e) {
        refusals.add("the verification summary in " + where + " cannot be read: " + e.getMessage());
      }
    }
    if (found.isEmpty() && refusals.isEmpty()) {
      refusals.add("no verification summary (" + VerificationSummary.PREDICATE_TYPE + ") for " + environment + " on " + image);
    }
    return new Search(found, refusals);
  }
}
