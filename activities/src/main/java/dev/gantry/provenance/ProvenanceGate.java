package dev.gantry.provenance;

import dev.gantry.evidence.PublicKeys;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.Dsse;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.InTotoStatement;
import dev.gantry.evidence.TrustedKey;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.ProvenancePolicy;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.model.ObjectStore;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Gate 1: the release's SLSA provenance is signed by a configured key valid now (or, in a Sigstore
 * bundle with a certificate, keyless by one of the service's identities), is about this digest, was
 * made by a trusted builder, and was built from the service's repository at the release's commit.
 * One passing document is enough; when none passes, every document's failures are listed.
 */
public final class ProvenanceGate implements Gate {
  public static final String NAME = "provenance";

  private static final GateContext.Key<Result> RESULT = new GateContext.Key<>(NAME);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<EvidenceType> reads() {
    return Set.of(EvidenceType.PROVENANCE);
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    return context.policy().provenance() == null ? Optional.empty() : Optional.of(result(context).verdict());
  }

  /** The lockfile digests the passing provenance names; empty when the policy does not ask for provenance. */
  public static List<LockfileDigest> lockfiles(GateContext context) {
    return context.policy().provenance() == null ? List.of() : result(context).lockfiles();
  }

  private static Result result(GateContext context) {
    return context.once(RESULT, c -> evaluate(c.release(), c.policy().provenance(), c.documents(EvidenceType.PROVENANCE), c.now()));
  }

  /** An uploaded provenance record: a DSSE envelope (or a Sigstore bundle) over an SLSA provenance statement. */
  public static void check(EvidenceDocument doc) {
    if (Dsse.envelopeOf(doc.json()) == null) {
      throw new EvidenceException("provenance must be a DSSE envelope (or a Sigstore bundle) over an in-toto statement");
    }
    InTotoStatement s = doc.statement();
    if (!s.predicateType().startsWith("https://slsa.dev/provenance/")) {
      throw new EvidenceException("predicateType " + s.predicateType() + " is not SLSA provenance");
    }
  }

  /** The verdict, and the lockfile digests the passing provenance names (empty unless it passed). */
  public record Result(GateVerdict verdict, List<LockfileDigest> lockfiles) {
    public Result {
      lockfiles = lockfiles == null ? List.of() : List.copyOf(lockfiles);
    }
  }

  static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  /**
   * @param provenance the release's evidence records of type PROVENANCE (DSSE envelopes or Sigstore
   *     bundles with a {@code dsseEnvelope})
   */
  public static Result evaluate(ReleaseRef release, ProvenancePolicy policy, List<EvidenceDocument> provenance) {
    return evaluate(release, policy, provenance, Instant.now());
  }

  /**
   * @param now the verification time: keys are valid or not at this instant (a keyed signature
   *     carries no trusted timestamp), and a transparency log entry integrated later is refused
   */
  public static Result evaluate(ReleaseRef release, ProvenancePolicy policy, List<EvidenceDocument> provenance, Instant now) {
    if (provenance == null || provenance.isEmpty()) {
      return new Result(
          GateVerdict.missing(
              NAME,
              "no SLSA provenance for " + release.digest() + ": attach a signed attestation to the image"
                  + " (cosign attest, or actions/attest-build-provenance with push-to-registry)"
                  + " or upload it as PROVENANCE evidence"),
          List.of());
    }
    List<String> evidence = provenance.stream().map(EvidenceDocument::sha256).toList();

    ProvenanceCheck.Keys keys = new ProvenanceCheck.Keys();
    for (int i = 0; i < policy.publicKeys().size(); i++) {
      TrustedKey key = policy.publicKeys().get(i);
      try {
        keys.add(PublicKeys.fromPem(key.pem()), i + 1, key.refusal(now));
      } catch (IllegalArgumentException e) {
        // A broken key in the policy is a misconfiguration to fix, not something to skip quietly.
        return new Result(
            GateVerdict.fail(
                NAME,
                List.of("provenance policy public key " + (i + 1) + " cannot be read (" + e.getMessage()
                    + "); fix the service's provenance policy"),
                evidence),
            List.of());
      }
    }

    List<String> failures = new ArrayList<>();
    for (EvidenceDocument document : provenance) {
      ProvenanceCheck check = new ProvenanceCheck(release, policy, keys, document, now);
      check.run();
      if (check.failures.isEmpty()) {
        List<String> reasons = new ArrayList<>(check.passed);
        int others = provenance.size() - 1;
        if (others > 0) {
          reasons.add(others + " other provenance record(s) not used: one passing record is enough");
        }
        return new Result(GateVerdict.pass(NAME, reasons, evidence), check.lockfiles);
      }
      failures.addAll(check.failures);
    }
    return new Result(GateVerdict.fail(NAME, failures, evidence), List.of());
  }

  /** An entry ending in {@code *} is a prefix rule; any other must equal the builder id. */
  static boolean matches(String rule, String builderId) {
    if (rule == null || rule.isEmpty()) {
      return false;
    }
    if (rule.endsWith("*")) {
      String prefix = rule.substring(0, rule.length() - 1);
      // A bare "*" would trust every builder: not a rule anyone should be able to write by accident.
      return !prefix.isEmpty() && builderId.startsWith(prefix);
    }
    return rule.equals(builderId);
  }

  static boolean keyless(JsonNode json) {
    JsonNode material = json == null ? null : json.path("verificationMaterial");
    return material != null && (material.has("certificate") || material.has("x509CertificateChain"));
  }

  static String describe(List<SlsaPredicate.GitSource> sources) {
    return sources.stream()
        .map(s -> s.uri() + " at " + s.commit() + " (" + s.path() + ")")
        .collect(Collectors.joining(", "));
  }

  /** A key as an operator recognises it: type, size and SPKI fingerprint. */
  static String describe(PublicKey key) {
    String type =
        switch (key) {
          case ECKey ec -> "ECDSA P-" + ec.getParams().getCurve().getField().getFieldSize();
          case RSAKey rsa -> "RSA " + rsa.getModulus().bitLength();
          case EdECKey ed -> ed.getParams().getName();
          default -> key.getAlgorithm();
        };
    return type + " sha256:" + ObjectStore.sha256(key.getEncoded()).substring(0, 16);
  }

  static String shortId(String sha256) {
    return sha256 != null && sha256.length() > 19 ? sha256.substring(0, 19) + "…" : String.valueOf(sha256);
  }
}
