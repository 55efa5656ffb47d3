package dev.gantry.worker;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.worker.Worker;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays one recorded history of each workflow type before the worker polls, on one thread.
 *
 * <p>Why: a virtual thread waiting for another thread to initialize a class stays pinned to its
 * carrier. After a restart, tens of workflows replay at once and all wait for the same SDK and
 * workflow classes; when those waiters hold every carrier and the initializing thread needs a lock
 * that an unmounted virtual thread holds (the nested jar's, during class loading), nothing moves
 * again. The fault suite hit exactly that. Initializing the workflow path first, alone, leaves
 * nothing for them to wait on.
 */
final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  static final List<String> HISTORIES = List.of(
      "warmup/real-server-release-promoted-everywhere.json",
      "warmup/real-server-promotion-dev.json",
      "warmup/real-server-lane-dev.json",
      "warmup/real-server-rollback-dev.json");

  private WarmUp() {}

  /** Never fails the start: a history that does not replay is logged and skipped. */
  static void replay(Worker worker) {
    long t0 = System.nanoTime();
    int replayed = 0;
    for (String name : HISTORIES) {
      try (InputStream in = WarmUp.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          log.warn("warm-up: no resource {}", name);
          continue;
        }
        worker.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        replayed++;
      } catch (Exception | LinkageError e) {
        log.warn("warm-up: replaying {} failed (the worker starts anyway): {}", name, e.toString());
      }
    }
    log.info("warm-up: replayed {} recorded histories in {} ms before polling", replayed, (System.nanoTime() - t0) / 1_000_000);
  }
}
