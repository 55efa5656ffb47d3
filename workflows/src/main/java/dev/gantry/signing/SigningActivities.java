package dev.gantry.signing;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Gantry signs what it promotes, cosign-compatibly. */
@ActivityInterface
public interface SigningActivities {

  /** Idempotent: the same key over the same payload finds the signature already there. */
  @ActivityMethod(name = "SignRelease")
  SignedRelease sign(SignRequest request);
}
