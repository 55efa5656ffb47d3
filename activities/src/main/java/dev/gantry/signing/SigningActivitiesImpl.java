package dev.gantry.signing;

import dev.gantry.model.ImageRef;
import dev.gantry.registry.RegistrySettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs a promoted digest in both forms cosign reads (legacy {@code .sig}, v3 bundle referrer),
 * with annotations naming the release, the environment and the evidence bundle, so {@code cosign
 * verify -a dev.gantry/environment=production} checks what was approved where.
 */
public class SigningActivitiesImpl implements SigningActivities {
  private static final Logger log = LoggerFactory.getLogger(SigningActivitiesImpl.class);
  public static final String SERVICE = "dev.gantry/service";
  public static final String RELEASE = "dev.gantry/release";
  public static final String ENVIRONMENT = "dev.gantry/environment";
  public static final String EVIDENCE_BUNDLE = "dev.gantry/evidence-bundle";

  private final RegistrySettings settings;
  private final Signer signer;

  /** @param signer Gantry's key; null when none is configured (nothing is signed, and the log says so) */
  public SigningActivitiesImpl(RegistrySettings settings, Signer signer) {
    this.settings = settings;
    this.signer = signer;
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
}
