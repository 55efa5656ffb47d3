package dev.gantry.signing;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Gantry signs what it promotes, cosign-compatibly, and checks it again before rolling back. */
@ActivityInterface
public interface SigningActivities {

  /** Idempotent: the same key over the same payload finds the signature already there. */
  @ActivityMethod(name = "SignRelease")
  SignedRelease sign(SignRequest request);

  /**
   * Writes the SLSA verification summary (VSA v1) for an environment as a DSSE attestation, under
   * {@code .att} and as a referrer. Idempotent like {@link #sign}.
   */
  @ActivityMethod(name = "AttestVerificationSummary")
  SummaryAttestation attestVerified(SummaryRequest request);

  /**
   * Before a rollback pins a digest: CI's signature (with the keys configured today), Gantry's
   * signature for the environment and Gantry's verification summary for it must all verify. Fails
   * non-retryably ({@code RollbackRefused}) with every reason otherwise.
   */
  @ActivityMethod(name = "ReverifyRollbackTarget")
  Reverified reverify(ReverifyRequest request);
}
