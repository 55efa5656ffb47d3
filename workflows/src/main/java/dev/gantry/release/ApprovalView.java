package dev.gantry.release;

import java.time.Instant;

/**
 * @param evidenceBundle sha256 of the evidence bundle the approver approved; null where the
 *     environment has no gates or the approval predates evidence gates
 */
public record ApprovalView(String by, Instant at, String comment, String evidenceBundle) {

  public ApprovalView(String by, Instant at, String comment) {
    this(by, at, comment, null);
  }
}
