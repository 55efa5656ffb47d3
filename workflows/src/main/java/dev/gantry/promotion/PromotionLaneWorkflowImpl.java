package dev.gantry.promotion;

import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;

public class PromotionLaneWorkflowImpl implements PromotionLaneWorkflow {
  private static final Logger log = Workflow.getLogger(PromotionLaneWorkflowImpl.class);
  // an idle lane ends; the next request starts it again
  private static final Duration IDLE = Duration.ofMinutes(10);
  private static final long GRANTS_PER_RUN = 500;

  private String holder;
  private Duration holderMax = Duration.ofHours(1);
  private final List<LaneRequest> waiting = new ArrayList<>();
  /** A waiting promotion to tell that a newer release replaced it. */
  private record Notice(String promotionWorkflowId, String byCommit) {}

  private final List<Notice> toSupersede = new ArrayList<>();
  private final Set<String> left = new HashSet<>();
  private long grants;

  @Override
  public void run(LaneState carried) {
    if (carried != null) {
      waiting.addAll(carried.waiting());
      grants = carried.grants();
    }
    long runGrants = 0;
    while (true) {
      boolean woke =
          Workflow.await(
              holder == null ? IDLE : holderMax,
              () ->
                  !toSupersede.isEmpty()
                      || (holder == null && !waiting.isEmpty())
                      || (holder != null && left.contains(holder)));
      for (Notice n : drain()) {
        signalSuperseded(n.promotionWorkflowId(), n.byCommit());
      }
      if (holder != null && (left.remove(holder) || !woke)) {
        if (!woke) {
          log.warn("lane: {} held the lane longer than {}; letting the next one go", holder, holderMax);
        }
        holder = null;
      }
      if (holder == null && !waiting.isEmpty()) {
        LaneRequest next = waiting.remove(0);
        if (left.remove(next.promotionWorkflowId())) {
          continue;
        }
        holder = next.promotionWorkflowId();
        holderMax = next.maxHold();
        grants++;
        runGrants++;
        if (!signalGranted(holder)) {
          holder = null; // the promotion is gone; nobody to wait for
        }
        continue;
      }
      if (holder == null && waiting.isEmpty() && toSupersede.isEmpty()) {
        if (!woke) {
          return; // idle
        }
        if (runGrants >= GRANTS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
          Workflow.continueAsNew(new LaneState(null, List.of(), grants));
        }
      }
    }
  }

  private List<Notice> drain() {
    List<Notice> copy = new ArrayList<>(toSupersede);
    toSupersede.clear();
    return copy;
  }

  @Override
  public void enqueue(LaneRequest request) {
    String id = request.promotionWorkflowId();
    if (id.equals(holder) || waiting.stream().anyMatch(w -> w.promotionWorkflowId().equals(id))) {
      return; // a retried enqueue
    }
    for (LaneRequest older : waiting) {
      toSupersede.add(new Notice(older.promotionWorkflowId(), request.commit()));
    }
    waiting.clear();
    waiting.add(request);
  }

  @Override
  public void leave(String promotionWorkflowId) {
    if (promotionWorkflowId.equals(holder)) {
      left.add(promotionWorkflowId);
    } else {
      waiting.removeIf(w -> w.promotionWorkflowId().equals(promotionWorkflowId));
    }
  }

  @Override
  public LaneState state() {
    return new LaneState(holder, List.copyOf(waiting), grants);
  }

  private boolean signalGranted(String promotionId) {
    try {
      Workflow.newExternalWorkflowStub(PromotionWorkflow.class, promotionId).granted();
      return true;
    } catch (RuntimeException e) {
      log.warn("lane: could not grant {}: {}", promotionId, e.getMessage());
      return false;
    }
  }

  private void signalSuperseded(String promotionId, String byCommit) {
    try {
      Workflow.newExternalWorkflowStub(PromotionWorkflow.class, promotionId).superseded(byCommit);
    } catch (RuntimeException e) {
      log.warn("lane: could not tell {} it was superseded: {}", promotionId, e.getMessage());
    }
  }
}
