package dev.gantry.promotion;

import dev.gantry.model.SearchAttributes;
import dev.gantry.release.EnvironmentState;
import dev.gantry.release.PromotionProgress;
import dev.gantry.release.ReleaseWorkflow;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * Where a promotion is, told to the world: its status search attribute and a progress signal to
 * the release that started it, in order. On the short approval path a report does not hold the
 * promotion back: it is delivered while the next step runs, and the next report waits for it. Part
 * of {@link PromotionWorkflowImpl}.
 */
final class ProgressReports {
  private static final Logger log = Workflow.getLogger(PromotionWorkflowImpl.class);

  private final PromotionRequest request;
  private final boolean shortPath;
  /** The last progress report sent; the next one waits for it, so the release sees them in order. */
  private Promise<Void> lastProgress;

  ProgressReports(PromotionRequest request, boolean shortPath) {
    this.request = request;
    this.shortPath = shortPath;
  }

  void progress(EnvironmentState state, String gitCommit, String reason) {
    Workflow.upsertTypedSearchAttributes(SearchAttributes.STATUS.valueSet(state.name()));
    if (request.releaseWorkflowId() == null) {
      return;
    }
    ReleaseWorkflow release = Workflow.newExternalWorkflowStub(ReleaseWorkflow.class, request.releaseWorkflowId());
    PromotionProgress report = new PromotionProgress(request.environment().name(), state, gitCommit, reason);
    if (!shortPath) {
      try {
        release.promotionProgress(report);
      } catch (RuntimeException e) {
        log.warn("could not report progress to {}: {}", request.releaseWorkflowId(), e.getMessage());
      }
      return;
    }
    // the next step (the pin, above all) goes on while this report is delivered
    settle(lastProgress);
    lastProgress = Async.procedure(release::promotionProgress, report);
  }

  /** Waits until the last report was delivered (or could not be). */
  void settle() {
    settle(lastProgress);
  }

  private void settle(Promise<Void> report) {
    if (report == null) {
      return;
    }
    try {
      report.get();
    } catch (RuntimeException e) {
      log.warn("could not report progress to {}: {}", request.releaseWorkflowId(), e.getMessage());
    }
  }
}
