package dev.gantry.promotion;

import dev.gantry.model.EnvironmentSpec;
import java.time.Duration;
import java.util.List;

/**
 * Promote one release into one environment.
 *
 * @param releaseWorkflowId the release to report progress to (null when started on its own)
 * @param holdRecheck how often a held environment is looked at again
 */
public record PromotionRequest(
    String service,
    String commit,
    String digest,
    String releaseWorkflowId,
    EnvironmentSpec environment,
    List<String> approvedBy,
    Duration holdRecheck) {}
