package dev.gantry.release;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One release: resolve the tag to a digest, then per environment in order: gates, approval,
 * promotion. Id {@code release/<service>/<commit>}.
 */
@WorkflowInterface
public interface ReleaseWorkflow {

  @WorkflowMethod
  ReleaseView run(ReleaseRequest request);

  /** Sent with every start (update-with-start); returns once the digest is known. */
  @UpdateMethod
  Registered register(Registration registration);

  @UpdateMethod(name = "approval")
  EnvironmentView approve(Decision decision);

  @UpdateValidatorMethod(updateName = "approval")
  void validateApprove(Decision decision);

  @UpdateMethod(name = "rejection")
  EnvironmentView reject(Decision decision);

  @UpdateValidatorMethod(updateName = "rejection")
  void validateReject(Decision decision);

  /** The same decisions for clients that can only signal (Temporal UI and CLI). */
  @SignalMethod(name = "approve")
  void approveSignal(Decision decision);

  @SignalMethod(name = "reject")
  void rejectSignal(Decision decision);

  /** CI uploaded evidence: re-run the gates of the environment the release is at. */
  @SignalMethod
  void evidenceAdded();

  @SignalMethod
  void promotionProgress(PromotionProgress progress);

  @QueryMethod
  ReleaseView view();
}
