package dev.gantry.rollback;

import dev.gantry.audit.AuditActivities;
import dev.gantry.audit.AuditEvent;
import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.Hold;
import dev.gantry.catalog.PromotionRecord;
import dev.gantry.catalog.RollbackTarget;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.gitops.GitChange;
import dev.gantry.gitops.PinRequest;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import dev.gantry.model.ImageRef;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.Stubs;
import dev.gantry.model.Versions;
import dev.gantry.registry.RegistryActivities;
import dev.gantry.release.EnvironmentState;
import dev.gantry.signing.ReverifyRequest;
import dev.gantry.signing.SigningActivities;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class RollbackWorkflowImpl implements RollbackWorkflow {
  private final CatalogActivities catalog = Stubs.catalog();
  private final RegistryActivities registry = Stubs.registry();
  private final AuditActivities audit = Stubs.audit();
  private final SigningActivities signing = Stubs.signing();

  @Override
  public RollbackResult run(RollbackRequest request) {
    EnvironmentSpec env = request.environment();
    String id = Workflow.getInfo().getWorkflowId() + "/" + Workflow.getInfo().getRunId();
    Workflow.upsertTypedSearchAttributes(
        SearchAttributes.SERVICE.valueSet(request.service()),
        SearchAttributes.ENVIRONMENT.valueSet(env.name()),
        SearchAttributes.STATUS.valueSet("ROLLING_BACK"));

    RollbackTarget target = catalog.rollbackTarget(request.service(), env.name(), request.digest());
    Workflow.upsertTypedSearchAttributes(SearchAttributes.DIGEST.valueSet(target.digest()));
    if (!registry.exists(new ImageRef(request.image(), target.digest()))) {
      throw ApplicationFailure.newNonRetryableFailure(
          target.digest() + " is no longer in " + request.image() + "; refusing to pin a digest the cluster cannot pull",
          FailureTypes.DIGEST_NOT_FOUND);
    }
    if (Versions.verifiedRollbacks()) {
      try {
        signing.reverify(
            new ReverifyRequest(
                new ReleaseRef(request.service(), target.commit(), request.image(), target.digest()),
                env.name(),
                env.evidence().signature()));
      } catch (ActivityFailure f) {
        String reason = "rollback to " + target.digest() + " refused: " + Failures.reason(f);
        if (Versions.outcomeRecordedLast()) {
          audit.append(auditEvent(request, id, target, null, EnvironmentState.REFUSED, reason));
          Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(EnvironmentState.REFUSED.name()));
          record(request, id, target, null, EnvironmentState.REFUSED, reason);
        } else {
          record(request, id, target, null, EnvironmentState.REFUSED, reason);
          audit.append(auditEvent(request, id, target, null, EnvironmentState.REFUSED, reason));
          Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(EnvironmentState.REFUSED.name()));
        }
        throw ApplicationFailure.newNonRetryableFailure(reason, FailureTypes.ROLLBACK_REFUSED);
      }
    }
    // hold first, so no automatic promotion slips in between
    catalog.setHold(
        request.service(),
        env.name(),
        new Hold(request.by(), "rollback to " + target.digest() + ": " + request.reason(), now()));

    Map<String, String> trailers = new LinkedHashMap<>();
    trailers.put("Gantry-Rollback", id);
    trailers.put("Gantry-Requested-By", request.by());
    GitChange change =
        Stubs.gitops(env.gitops().outage()).pin(
            new PinRequest(
                env.gitops(),
                target.digest(),
                "Roll back " + request.service() + " in " + env.name() + " to " + target.digest() + "\n\n" + request.reason(),
                trailers));
    record(request, id, target, change.commit(), EnvironmentState.VERIFYING, null);

    EnvironmentState outcome = EnvironmentState.PROMOTED;
    String reason = request.reason();
    try {
      Stubs.health(env.liveTimeout()).awaitLive(env.healthUrl(), target.digest(), env.liveTimeout(), env.pollInterval());
    } catch (ActivityFailure f) {
      outcome = EnvironmentState.FAILED;
      reason = request.reason() + "; pinned but not live: " + Failures.reason(f);
    }
    if (Versions.outcomeRecordedLast()) {
      // the catalog is what clients read: it says "done" only once nothing else is left to do
      if (Versions.auditLog()) {
        audit.append(auditEvent(request, id, target, change.commit(), outcome, reason));
      }
      Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(outcome.name()));
      record(request, id, target, change.commit(), outcome, reason);
    } else {
      record(request, id, target, change.commit(), outcome, reason);
      if (Versions.auditLog()) {
        audit.append(auditEvent(request, id, target, change.commit(), outcome, reason));
      }
      Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(outcome.name()));
    }
    return new RollbackResult(target.digest(), target.commit(), change.commit(), outcome, reason);
  }

  private static AuditEvent auditEvent(
      RollbackRequest request, String id, RollbackTarget target, String gitCommit, EnvironmentState outcome, String reason) {
    return new AuditEvent(id + "#" + outcome, "ROLLBACK", id, request.service(), request.environment().name(), target.commit(),
        target.digest(), outcome.name(), gitCommit, request.by(), reason, List.of(), request.environment(), now(), null);
  }

  private void record(RollbackRequest request, String id, RollbackTarget target, String gitCommit, EnvironmentState outcome, String reason) {
    catalog.recordPromotion(
        new PromotionRecord(
            id,
            request.service(),
            request.environment().name(),
            "ROLLBACK",
            target.digest(),
            target.commit(),
            gitCommit,
            outcome.name(),
            List.of(),
            request.by(),
            reason == null ? request.reason() : reason,
            now(),
            null));
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
