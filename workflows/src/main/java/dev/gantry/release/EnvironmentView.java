package dev.gantry.release;

import dev.gantry.evidence.GateVerdict;
import java.util.List;

/**
 * One environment of a release.
 *
 * @param required approvals needed (0 = automatic)
 * @param gitCommit the GitOps commit that pinned the digest, once pushed
 * @param evidenceBundle sha256 of the current evidence bundle (what an approval must name)
 * @param gates the gates' verdicts in that bundle (reasons only; findings are in the bundle)
 */
public record EnvironmentView(
    String name,
    EnvironmentState state,
    String digest,
    List<ApprovalView> approvals,
    int required,
    String gitCommit,
    String reason,
    String rejectedBy,
    String evidenceBundle,
    List<GateVerdict> gates) {

  public EnvironmentView {
    gates = gates == null ? List.of() : List.copyOf(gates);
  }
}
