package dev.gantry.model;

import dev.gantry.evidence.EvidencePolicy;
import java.time.Duration;
import java.util.List;

/**
 * One environment's policy as it stood when the release started; it travels in the workflow input
 * so that the history shows exactly which rules a release was held to.
 *
 * @param approvers members of {@code approverGroup} known from configuration at start, used to check
 *     decisions that arrive as plain signals (which carry no authenticated groups)
 * @param liveTimeout how long the health endpoint may take to report the new digest healthy
 * @param soakTime how long the new digest must then stay healthy
 * @param evidence the evidence gates this environment requires before approval
 */
public record EnvironmentSpec(
    String name,
    int requiredApprovals,
    String approverGroup,
    List<String> approvers,
    Duration approvalTimeout,
    GitOpsTarget gitops,
    String healthUrl,
    Duration liveTimeout,
    Duration soakTime,
    Duration pollInterval,
    EvidencePolicy evidence) {

  public EnvironmentSpec {
    // histories recorded before evidence gates carry no policy: they were held to approvals alone
    evidence = evidence == null ? EvidencePolicy.none() : evidence;
  }

  public boolean automatic() {
    return requiredApprovals <= 0;
  }
}
