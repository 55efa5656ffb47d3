package dev.gantry.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.Json;
import dev.gantry.signing.BundleVerifier;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.ReleaseRef;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The checks of one provenance document against the release and the policy, and the keys they may use. */
/** The checks on one document, in order: a failure stops the later checks, except that builder and source are both reported. */
final class ProvenanceCheck {
  final ReleaseRef release;
  final ProvenancePolicy policy;
  final Keys keys;
  final EvidenceDocument document;
  final Instant now;
  final String label;
  final List<String> failures = new ArrayList<>();
  final List<String> passed = new ArrayList<>();
  List<LockfileDigest> lockfiles = List.of();

  ProvenanceCheck(ReleaseRef release, ProvenancePolicy policy, Keys keys, EvidenceDocument document, Instant now) {
    this.release = release;
    this.policy = policy;
    this.keys = keys;
    this.document = document;
    this.now = now;
    this.label = "provenance " + ProvenanceGate.shortId(document.sha256());
  }

  void fail(String check, String reason) {
    failures.add(label + " " + check + ": " + reason);
  }

  void pass(String check, String reason) {
    passed.add(label + " " + check + ": " + reason);
  }

  void run() {
    if (document.type() != EvidenceType.PROVENANCE) {
      fail("type", "the record is " + document.type() + " evidence, not PROVENANCE");
      return;
    }
    Dsse.Envelope envelope = envelope();
    if (envelope == null || !signature(envelope)) {
      return;
    }
    InTotoStatement statement = statement(envelope);
    if (statement == null) {
      return;
    }
    if (!SlsaPredicate.isProvenance(statement.predicateType())) {
      fail(
          "predicateType",
          "'" + statement.predicateType() + "' is not SLSA provenance (expected " + SlsaPredicate.V1 + " or "
              + SlsaPredicate.V02 + ")");
      return;
    }
    if (statement.predicate() == null || !statement.predicate().isObject()) {
      fail("predicate", "the SLSA provenance statement has no predicate object");
      return;
    }
    SlsaPredicate predicate = SlsaPredicate.read(statement.predicateType(), statement.predicate());
    builder(predicate);
    source(predicate);
    if (failures.isEmpty()) {
      lockfiles = predicate.lockfiles(document.sha256());
      if (!lockfiles.isEmpty()) {
        pass(
            "lockfiles",
            lockfiles.stream().map(l -> l.path() + " sha256:" + l.sha256()).collect(Collectors.joining(", ")));
      }
    }
  }

  /** Check 1: a DSSE envelope (bare or in a Sigstore bundle) carrying a signed in-toto statement. */
  Dsse.Envelope envelope() {
    JsonNode json = document.json();
    Dsse.Envelope envelope;
    try {
      envelope = Dsse.envelopeOf(json);
    } catch (EvidenceException e) {
      fail("envelope", e.getMessage());
      return null;
    }
    if (envelope == null) {
      boolean statement = json != null && json.has("_type") && json.has("predicateType");
      fail(
          "envelope",
          statement
              ? "unsigned: the record is a bare in-toto statement, not a DSSE envelope; provenance must be signed"
              : "the record is neither a DSSE envelope nor a Sigstore bundle with a dsseEnvelope");
      return null;
    }
    if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
      fail(
          "envelope",
          "payloadType is '" + envelope.payloadType() + "'; provenance must be " + Dsse.IN_TOTO_PAYLOAD_TYPE);
      return null;
    }
    if (envelope.signatures().isEmpty()) {
      fail("envelope", "unsigned: the DSSE envelope carries no signature");
      return null;
    }
    return envelope;
  }

  /** Check 2: a signature verifies with a configured key, or keyless. Before the payload is read at all. */
  boolean signature(Dsse.Envelope envelope) {
    if (ProvenanceGate.keyless(document.json())) {
      return keylessSignature();
    }
    if (keys.isEmpty()) {
      fail(
          "signature",
          "no public key is configured for this service's provenance; add the signer's PEM public key to the"
              + " provenance policy's publicKeys (unverifiable provenance is refused)"
              + (policy.keyless() == null ? "" : "; keyless identities are configured, but this record is signed with a key, not a certificate"));
      return false;
    }
    int k = envelope.verifiedBy(keys.valid);
    if (k >= 0) {
      pass("signature", "verified with policy key " + keys.validNumbers.get(k) + " (" + ProvenanceGate.describe(keys.valid.get(k)) + ")");
      return true;
    }
    int expired = envelope.verifiedBy(keys.invalid);
    if (expired >= 0) {
      fail("signature", "the envelope is signed by a key that verifies nothing now: " + keys.invalidWhy.get(expired)
          + (keys.valid.isEmpty() ? "" : "; none of the " + keys.valid.size() + " valid key(s) verifies it"));
      return false;
    }
    String keyids =
        envelope.signatures().stream()
            .map(s -> s.keyid() == null || s.keyid().isEmpty() ? "(no keyid)" : s.keyid())
            .collect(Collectors.joining(", "));
    fail(
        "signature",
        "none of the envelope's " + envelope.signatures().size() + " signature(s) [keyid " + keyids
            + "] verifies with the " + keys.valid.size() + " configured key(s)" + (keys.invalid.isEmpty() ? "" : " valid now") + " ["
            + keys.valid.stream().map(ProvenanceGate::describe).collect(Collectors.joining(", "))
            + "]: it was signed by another key, or the payload was altered after signing"
            + (keys.invalid.isEmpty() ? "" : " (not trusted now: " + String.join("; ", keys.invalidWhy) + ")"));
    return false;
  }

  /** A Sigstore bundle with a certificate: sigstore-java verifies it against the policy's trusted root and identities. */
  boolean keylessSignature() {
    if (policy.keyless() == null) {
      fail(
          "signature",
          "this Sigstore bundle is keyless (Fulcio certificate), and no keyless identity is configured for this"
              + " service: add keyless identities and a trusted root, or sign with a key in provenance-keys");
      return false;
    }
    byte[] bundle;
    try {
      bundle = Json.WRITER.writeValueAsBytes(document.json());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      fail("signature", "the Sigstore bundle cannot be written back to JSON: " + e.getOriginalMessage());
      return false;
    }
    BundleVerifier.Result r = BundleVerifier.verifyKeyless(bundle, release.digest(), policy.keyless(), now);
    if (!r.verified()) {
      fail("signature", "keyless verification refused: " + r.reason());
      return false;
    }
    pass("signature", r.reason());
    return true;
  }

  /** Check 3: the statement parses and one of its subjects is the release digest. */
  InTotoStatement statement(Dsse.Envelope envelope) {
    InTotoStatement statement;
    try {
      statement = InTotoStatement.parse(envelope);
    } catch (EvidenceException e) {
      fail("statement", e.getMessage());
      return null;
    }
    if (!statement.isAbout(release.digest())) {
      fail(
          "subject",
          "the provenance is about " + String.join(", ", statement.subjectDigests()) + ", not the release's "
              + release.digest());
      return null;
    }
    pass(
        "subject",
        release.digest() + " is the release digest (" + statement.type() + ", " + statement.predicateType() + ")");
    return statement;
  }

  /** Check 5: the builder id matches a trusted-builder rule. */
  void builder(SlsaPredicate predicate) {
    String id = predicate.builderId();
    if (id == null || id.isBlank()) {
      fail("builder", "the provenance names no builder (" + predicate.builderField() + " is missing)");
      return;
    }
    if (policy.trustedBuilders().isEmpty()) {
      fail(
          "builder",
          "no trusted builders are configured, so " + id + " is not trusted; add it (or a prefix rule ending"
              + " in *) to the provenance policy's trustedBuilders");
      return;
    }
    for (String rule : policy.trustedBuilders()) {
      if (ProvenanceGate.matches(rule, id)) {
        pass("builder", id + " is trusted (rule " + rule + ")");
        return;
      }
    }
    fail("builder", id + " is not a trusted builder (trusted: " + String.join(", ", policy.trustedBuilders()) + ")");
  }

  /** Check 6: built from the service's repository at the release's commit. */
  void source(SlsaPredicate predicate) {
    if (policy.sourceRepository() == null || policy.sourceRepository().isBlank()) {
      fail(
          "source",
          "the provenance policy names no sourceRepository, so the build's source cannot be checked; configure"
              + " the service's repository (e.g. https://github.com/acme/storefront)");
      return;
    }
    String repository = SlsaPredicate.normaliseRepository(policy.sourceRepository());
    String commit = release.commit() == null ? "" : release.commit().toLowerCase(Locale.ROOT);
    if (!ProvenanceGate.COMMIT.matcher(commit).matches()) {
      fail("source", "the release's commit '" + release.commit() + "' is not a full 40-hex git commit");
      return;
    }
    for (SlsaPredicate.Field field : predicate.declaredRepositories()) {
      if (field.value() == null) {
        fail("source", field.path() + " is missing; " + predicate.buildType() + " provenance must name the repository");
        return;
      }
      if (!repository.equals(SlsaPredicate.normaliseRepository(field.value()))) {
        fail(
            "source",
            field.path() + " is " + field.value() + ", not the service's repository " + policy.sourceRepository());
        return;
      }
    }
    if (predicate.gitSources().isEmpty()) {
      fail(
          "source",
          "the provenance names no git source with a commit ("
              + ("v1".equals(predicate.version())
                  ? "resolvedDependencies entry with a git+ uri and digest.gitCommit or digest.sha1"
                  : "invocation.configSource or materials with digest.sha1")
              + "), so it cannot be tied to " + policy.sourceRepository() + " at " + commit);
      return;
    }
    List<SlsaPredicate.GitSource> ours =
        predicate.gitSources().stream()
            .filter(s -> repository.equals(SlsaPredicate.normaliseRepository(s.uri())))
            .toList();
    if (ours.isEmpty()) {
      fail(
          "source",
          "the provenance was built from " + ProvenanceGate.describe(predicate.gitSources()) + "; none is the service's repository "
              + policy.sourceRepository());
      return;
    }
    // Every entry for the service's repository must name the release's commit: two commits is ambiguous.
    List<SlsaPredicate.GitSource> other =
        ours.stream().filter(s -> !commit.equals(s.commit().toLowerCase(Locale.ROOT))).toList();
    if (!other.isEmpty()) {
      fail(
          "source",
          "the provenance was built from " + ProvenanceGate.describe(other) + ", but the release is commit " + commit);
      return;
    }
    pass(
        "source",
        policy.sourceRepository() + " at " + commit + " ("
            + Stream.concat(
                    predicate.declaredRepositories().stream().map(SlsaPredicate.Field::path),
                    ours.stream().map(SlsaPredicate.GitSource::path))
                .collect(Collectors.joining(", "))
            + ") is the release's repository and commit");
  }

/** The configured keys, split into those valid now and those that verify nothing now (with why). */
static final class Keys {
  final List<PublicKey> valid = new ArrayList<>();
  final List<Integer> validNumbers = new ArrayList<>();
  final List<PublicKey> invalid = new ArrayList<>();
  final List<String> invalidWhy = new ArrayList<>();

  void add(PublicKey key, int number, String refusal) {
    if (refusal == null) {
      valid.add(key);
      validNumbers.add(number);
    } else {
      invalid.add(key);
      invalidWhy.add(refusal);
    }
  }

  boolean isEmpty() {
    return valid.isEmpty() && invalid.isEmpty();
  }
}
}
