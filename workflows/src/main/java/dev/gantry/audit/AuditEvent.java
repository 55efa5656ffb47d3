package dev.gantry.audit;

import dev.gantry.model.EnvironmentSpec;
import dev.gantry.release.ApprovalView;
import java.time.Instant;
import java.util.List;

/**
 * One outcome worth proving later: a promotion that ended, its compensation, a rollback. Carries
 * the policy the decision was held to and who approved it, so the record stands on its own.
 *
 * @param id unique per event, so a retried append writes once
 * @param kind {@code PROMOTION}, {@code COMPENSATION} or {@code ROLLBACK}
 * @param subject the workflow execution the event is about ({@code <workflow id>/<run id>})
 * @param evidenceBundle sha256 of the evidence bundle a promotion was approved on, if any
 */
public record AuditEvent(
    String id,
    String kind,
    String subject,
    String service,
    String environment,
    String commit,
    String digest,
    String outcome,
    String gitCommit,
    String by,
    String reason,
    List<ApprovalView> approvals,
    EnvironmentSpec policy,
    Instant at,
    String evidenceBundle) {}
