package dev.gantry.model;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;

/** Turns Temporal's failure chains into the one-line reason a person reads. */
public final class Failures {
  private Failures() {}

  /**
   * The outermost application failure, if the chain holds one; an {@link UpdateRefusal}'s wrapper
   * (type {@link UpdateRefusal#TYPE}) is looked through to the typed refusal it carries.
   */
  public static ApplicationFailure application(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ApplicationFailure af && !(UpdateRefusal.TYPE.equals(af.getType()) && af.getCause() instanceof ApplicationFailure)) {
        return af;
      }
    }
    return null;
  }

  /** Whether the chain holds a validator's refusal ({@link UpdateRefusal}), an expected answer rather than a fault. */
  public static boolean refusedByValidator(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpdateRefusal || (c instanceof ApplicationFailure af && UpdateRefusal.TYPE.equals(af.getType()))) {
        return true;
      }
    }
    return false;
  }

  public static String type(Throwable t) {
    ApplicationFailure af = application(t);
    return af == null ? null : af.getType();
  }

  public static String reason(Throwable t) {
    ApplicationFailure af = application(t);
    if (af != null) {
      return af.getOriginalMessage();
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutFailure tf) {
        return "timed out (" + tf.getTimeoutType().name().toLowerCase().replace("timeout_type_", "") + ")";
      }
    }
    if (t instanceof TemporalFailure tf && !(t instanceof ActivityFailure) && !(t instanceof ChildWorkflowFailure)) {
      return tf.getOriginalMessage();
    }
    return t.getCause() != null ? reason(t.getCause()) : String.valueOf(t.getMessage());
  }
}
