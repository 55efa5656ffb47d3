package dev.gantry.promotion;

import dev.gantry.audit.AuditActivities;
import dev.gantry.audit.AuditEvent;
import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.PromotionRecord;
import dev.gantry.model.Versions;
import dev.gantry.release.EnvironmentState;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.List;

/**
 * What a promotion writes down: its catalog record at each step and, once it ends, its entry in
 * the hash-chained audit log; the same for a compensation. Part of {@link PromotionWorkflowImpl},
 * which hands it its catalog and audit stubs and calls it where each record belongs.
 */
final class PromotionRecords {
  private final PromotionRequest request;
  /** The promotion's id in the records: workflow id and run id. */
  private final String id;
  private final CatalogActivities catalog;
  private final AuditActivities audit;

  PromotionRecords(PromotionRequest request, String id, CatalogActivities catalog, AuditActivities audit) {
    this.request = request;
    this.id = id;
    this.catalog = catalog;
    this.audit = audit;
  }

  void recordCompensation(String digest, String commit, String gitCommit, String reason) {
    if (Versions.auditLog()) {
      audit.append(event("COMPENSATION", id + "/compensation", digest, commit, EnvironmentState.COMPENSATED.name(), gitCommit, reason));
    }
    catalog.recordPromotion(
        new PromotionRecord(
            id + "/compensation",
            request.service(),
            request.environment().name(),
            "COMPENSATION",
            digest,
            commit,
            gitCommit,
            EnvironmentState.COMPENSATED.name(),
            List.of(),
            "gantry",
            reason,
            now(),
            null));
  }

  void record(EnvironmentState outcome, String gitCommit, String reason) {
    if (outcome.terminal() && Versions.auditLog()) {
      audit.append(event("PROMOTION", id + "#" + outcome, request.digest(), request.commit(), outcome.name(), gitCommit, reason));
    }
    catalog.recordPromotion(
        new PromotionRecord(
            id,
            request.service(),
            request.environment().name(),
            "PROMOTION",
            request.digest(),
            request.commit(),
            gitCommit,
            outcome.name(),
            request.approvedBy(),
            "gantry",
            reason,
            now(),
            request.evidenceBundle()));
  }

  private AuditEvent event(String kind, String eventId, String digest, String commit, String outcome, String gitCommit, String reason) {
    return new AuditEvent(
        eventId,
        kind,
        id,
        request.service(),
        request.environment().name(),
        commit,
        digest,
        outcome,
        gitCommit,
        "gantry",
        reason,
        request.approvals() == null ? List.of() : request.approvals(),
        request.environment(),
        now(),
        kind.equals("PROMOTION") ? request.evidenceBundle() : null);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
