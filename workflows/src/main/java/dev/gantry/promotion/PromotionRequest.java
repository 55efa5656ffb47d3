package dev.gantry.promotion;

import dev.gantry.model.EnvironmentSpec;
import dev.gantry.release.ApprovalView;
import java.time.Duration;
import java.util.List;

/**
 * Promote one release into one environment.
 *
 * @param releaseWorkflowId the release to report progress to (null when started on its own)
 * @param holdRecheck how often a held environment is looked at again
 * @param approvals who approved, when and with what comment (for the audit record)
 * @param image the service's image repository (for Gantry's verification summary and rollbacks)
 */
public record PromotionRequest(
    String service,
    String commit,
    String digest,
    String releaseWorkflowId,
    EnvironmentSpec environment,
    List<String> approvedBy,
    Duration holdRecheck,
    List<ApprovalView> approvals,
    String evidenceBundle,
    String image) {}
