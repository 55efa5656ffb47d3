package dev.gantry.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidencePolicy;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.Outcome;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.model.ObjectStore;
import dev.gantry.provenance.ProvenanceGate;
import dev.gantry.registry.RegistrySettings;
import io.temporal.failure.ApplicationFailure;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a promoted digest in both forms cosign reads (legacy {@code .sig}, v3 bundle referrer),
 * with annotations naming the release, the environment and the evidence bundle, so {@code cosign
 * verify -a dev.gantry/environment=production} checks what was approved where; attests each
 * healthy promotion with a SLSA verification summary; and checks both again before a rollback.
 */
public class SigningActivitiesImpl implements SigningActivities {
  private static final Logger log = LoggerFactory.getLogger(SigningActivitiesImpl.class);
  public static final String SERVICE = "dev.gantry/service";
  public static final String RELEASE = "dev.gantry/release";
  public static final String ENVIRONMENT = "dev.gantry/environment";
  public static final String EVIDENCE_BUNDLE = "dev.gantry/evidence-bundle";
  /** The verifier id when none is configured. */
  public static final String DEFAULT_VERIFIER = "https://gantry.dev/verifier";

  private final RegistrySettings settings;
  private final Signer signer;
  private final List<PublicKey> gantryKeys;
  private final Function<String, Optional<byte[]>> evidence;
  private final String verifierId;

  /** @param signer Gantry's key; null when none is configured (nothing is signed, and the log says so) */
  public SigningActivitiesImpl(RegistrySettings settings, Signer signer) {
    this(settings, signer, List.of(), sha -> Optional.empty(), DEFAULT_VERIFIER);
  }

  /**
   * @param previousKeys Gantry's earlier public keys still trusted for rollbacks (a key rotated out
   *     of this list no longer vouches for anything)
   * @param evidence the stored evidence documents by sha256 (for the evidence bundle's members)
   * @param verifierId this Gantry instance, as {@code verifier.id} and the base of the URIs in its
   *     summaries (its public URL)
   */
  public SigningActivitiesImpl(
      RegistrySettings settings, Signer signer, List<PublicKey> previousKeys,
      Function<String, Optional<byte[]>> evidence, String verifierId) {
    this.settings = settings;
    this.signer = signer;
    List<PublicKey> keys = new ArrayList<>();
    if (signer != null) {
      keys.add(signer.publicKey());
    }
    keys.addAll(previousKeys);
    this.gantryKeys = List.copyOf(keys);
    this.evidence = evidence;
    this.verifierId = verifierId == null || verifierId.isBlank() ? DEFAULT_VERIFIER : verifierId.replaceAll("/+$", "");
  }

  @Override
  public SignedRelease sign(SignRequest request) {
    if (signer == null) {
      log.warn("{}/{} {}: not signed: no signing key is configured (gantry.signing.key)",
          request.release().service(), request.release().commit(), request.environment());
      return new SignedRelease(null, null, null, false);
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(SERVICE, request.release().service());
    annotations.put(RELEASE, request.release().commit());
    annotations.put(ENVIRONMENT, request.environment());
    if (request.evidenceBundle() != null) {
      annotations.put(EVIDENCE_BUNDLE, request.evidenceBundle());
    }
    ImageRef image = new ImageRef(request.release().image(), request.release().digest());
    CosignSigner.Signature legacy = CosignSigner.sign(image, signer, annotations, CosignSigner.Form.LEGACY, settings);
    CosignSigner.Signature bundle = CosignSigner.sign(image, signer, annotations, CosignSigner.Form.BUNDLE, settings);
    log.info("{}/{} {}: signed {} (legacy {}, bundle {}){}", request.release().service(), request.release().commit(), request.environment(),
        request.release().digest(), legacy.manifestDigest(), bundle.manifestDigest(), legacy.added() || bundle.added() ? "" : ", already signed");
    return new SignedRelease(signer.keyId(), legacy.manifestDigest(), bundle.manifestDigest(), legacy.added() || bundle.added());
  }

  @Override
  public SummaryAttestation attestVerified(SummaryRequest request) {
    if (signer == null) {
      log.warn("{}/{} {}: no verification summary written: no signing key is configured (gantry.signing.key)",
          request.release().service(), request.release().commit(), request.environment());
      return new SummaryAttestation(null, null, null, false);
    }
    VerificationSummary summary = summary(request);
    ImageRef image = new ImageRef(request.release().image(), request.release().digest());
    VerificationSummaries.Written w = VerificationSummaries.attest(image, summary, signer, settings);
    log.info("{}/{} {}: verification summary {} (.att {}, referrer {}){}", request.release().service(), request.release().commit(),
        request.environment(), summary.passed() ? VerificationSummary.PASSED : VerificationSummary.FAILED, w.legacy(), w.referrer(),
        w.added() ? "" : ", already written");
    return new SummaryAttestation(signer.keyId(), w.legacy(), w.referrer(), w.added());
  }

  VerificationSummary summary(SummaryRequest request) {
    String service = request.release().service();
    String env = request.environment();
    List<VerificationSummary.Input> inputs = new ArrayList<>();
    String policyDigest;
    boolean provenance = false;
    if (request.evidenceBundle() == null) {
      policyDigest = "sha256:" + ObjectStore.sha256(Json.canonical(EvidencePolicy.none()));
    } else {
      String bundleSha = request.evidenceBundle();
      byte[] bytes = evidence.apply(bundleSha).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
          "the evidence bundle " + bundleSha + " the promotion was approved with is not in the evidence store", FailureTypes.EVIDENCE_INVALID));
      JsonNode bundle = Json.read(bytes, "evidence bundle");
      policyDigest = Json.text(bundle, "policyDigest");
      inputs.add(new VerificationSummary.Input(evidenceUri(bundleSha), digest(bundleSha)));
      for (JsonNode m : bundle.path("members")) {
        String sha = Json.text(m, "sha256");
        inputs.add(new VerificationSummary.Input(evidenceUri(sha), digest(sha)));
      }
      for (JsonNode v : bundle.path("verdicts")) {
        provenance |= ProvenanceGate.NAME.equals(v.path("gate").asText()) && Outcome.PASS.name().equals(v.path("outcome").asText());
      }
    }
    return new VerificationSummary(
        verifierId,
        request.verifiedAt(),
        request.release().image(),
        request.release().digest(),
        env,
        verifierId + "/api/v1/services/" + service + "/environments/" + env + "#evidence-policy",
        policyDigest,
        inputs,
        true,
        // signed provenance from a trusted builder, checked against the source: Build L2
        List.of(provenance ? "SLSA_BUILD_LEVEL_2" : "SLSA_BUILD_LEVEL_0"));
  }

  @Override
  public Reverified reverify(ReverifyRequest request) {
    ImageRef image = new ImageRef(request.release().image(), request.release().digest());
    String env = request.environment();
    List<String> checks = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    if (request.ciSignature() == null) {
      checks.add("CI's signature: not required in " + env);
    } else {
      GateVerdict ci = SignatureGate.verify(request.release(), request.ciSignature(), settings, java.time.Instant.now());
      if (ci.outcome() == Outcome.PASS) {
        checks.add("CI's signature: " + String.join("; ", ci.reasons()));
      } else {
        refusals.add("CI's signature does not verify with the keys configured today: " + String.join("; ", ci.reasons()));
      }
    }
    if (gantryKeys.isEmpty()) {
      checks.add("Gantry's signature and verification summary: not checked, no signing key is configured (gantry.signing.key)");
    } else {
      CosignVerifier.Result mine = CosignVerifier.verify(image, gantryKeys, Map.of(ENVIRONMENT, env), settings);
      if (mine.ok()) {
        checks.add("Gantry's signature for " + env + ": " + mine.reason());
      } else {
        refusals.add("Gantry's signature for " + env + " does not verify: " + mine.reason());
      }
      VerificationSummaries.Search vsa = VerificationSummaries.find(image, gantryKeys, env, settings);
      if (vsa.found().isEmpty()) {
        refusals.add("Gantry's verification summary for " + env + " does not verify: " + String.join("; ", vsa.refusals()));
      } else {
        VerificationSummaries.Found f = vsa.found().getFirst();
        checks.add("verification summary for " + env + ": " + VerificationSummary.PASSED + " at " + f.summary().timeVerified()
            + " (" + f.source() + " " + f.manifestDigest() + ")");
      }
    }
    if (!refusals.isEmpty()) {
      String reason = "refusing " + image + " in " + env + ": " + String.join("; ", refusals);
      log.warn("{}", reason);
      throw ApplicationFailure.newNonRetryableFailure(reason, FailureTypes.ROLLBACK_REFUSED);
    }
    log.info("{} re-verified for {}: {}", image, env, checks);
    return new Reverified(checks);
  }

  private String evidenceUri(String sha) {
    return verifierId + "/api/v1/evidence/" + digest(sha);
  }

  private static String digest(String sha) {
    return sha.startsWith("sha256:") ? sha : "sha256:" + sha;
  }
}
