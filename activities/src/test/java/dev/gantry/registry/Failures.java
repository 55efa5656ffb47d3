package dev.gantry.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the ApplicationFailures the registry code raises. */
final class Failures {
  private Failures() {}

  static ApplicationFailure nonRetryable(String type, ThrowingCallable call) {
    ApplicationFailure f = thrown(call);
    assertThat(f.getType()).as("failure type of: %s", f.getOriginalMessage()).isEqualTo(type);
    assertThat(f.isNonRetryable()).as("non-retryable: %s", f.getOriginalMessage()).isTrue();
    return f;
  }

  static ApplicationFailure retryable(ThrowingCallable call) {
    ApplicationFailure f = thrown(call);
    assertThat(f.isNonRetryable()).as("retryable: %s", f.getOriginalMessage()).isFalse();
    return f;
  }

  private static ApplicationFailure thrown(ThrowingCallable call) {
    ApplicationFailure[] holder = new ApplicationFailure[1];
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(ApplicationFailure.class, f -> holder[0] = f);
    return holder[0];
  }
}
