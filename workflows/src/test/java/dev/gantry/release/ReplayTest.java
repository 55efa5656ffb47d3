package dev.gantry.release;

import static dev.gantry.testing.Harness.by;
import static dev.gantry.testing.Harness.digest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.model.TaskQueues;
import dev.gantry.promotion.PromotionWorkflow;
import dev.gantry.rollback.RollbackRequest;
import dev.gantry.rollback.RollbackWorkflow;
import dev.gantry.testing.Harness;
import dev.gantry.testing.World.Health;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Workflow changes must not break histories already in flight. Histories committed under
 * {@code src/test/resources/histories/} replay against today's code: those written by the
 * in-process test server, and {@code real-server-*.json} from a real Temporal server (recorded by
 * the server module's {@code RealServerHistoriesIT}). Refresh the test server's with
 * {@code -Dgantry.record-histories=workflows/src/test/resources/histories} when a change is meant
 * to be incompatible (and guard it with {@code Workflow.getVersion} instead, when runs may be in
 * flight).
 */
class ReplayTest {
  private static final Path COMMITTED = Path.of("src/test/resources/histories");

  @Test
  void committedHistoriesReplayAgainstTodaysWorkflows() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(COMMITTED)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).as("committed histories in %s", COMMITTED.toAbsolutePath()).hasSizeGreaterThanOrEqualTo(3);
    java.util.Set<String> realServerTypes = new java.util.TreeSet<>();
    for (Path file : files) {
      String json = Files.readString(file, StandardCharsets.UTF_8);
      replay(json);
      if (file.getFileName().toString().startsWith("real-server-")) {
        realServerTypes.add(WorkflowExecutionHistory.fromJson(json).getEvents().get(0)
            .getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName());
      }
    }
    // recorded by RealServerHistoriesIT: the real server's histories, not only the test server's
    assertThat(realServerTypes).containsExactly("PromotionLaneWorkflow", "PromotionWorkflow", "ReleaseWorkflow", "RollbackWorkflow");
  }

  /** Today's histories replay too; with the system property set they are written out for committing. */
  @Test
  void freshHistoriesReplayAndCanBeRecorded() throws Exception {
    Map<String, String> histories = new java.util.LinkedHashMap<>();
    try (Harness h = new Harness()) {
      h.image(1);
      h.image(2);
      h.start(1);
      h.await(1, "staging", EnvironmentState.WAITING_FOR_APPROVAL);
      h.release(1).approve(by("staging", "alice", "approvers"));
      h.await(1, "production", EnvironmentState.WAITING_FOR_APPROVAL);
      h.release(1).approve(by("production", "carol", "release-managers"));
      h.release(1).approveSignal(new Decision("production", "dave", null, "via signal"));
      WorkflowStub.fromTyped(h.release(1)).getResult(ReleaseView.class);

      h.world.health.put("values-dev.yaml", Health.NEVER_LIVE);
      h.start(2);
      h.await(2, "dev", EnvironmentState.COMPENSATED);
      h.world.health.remove("values-dev.yaml");

      // on-call rolls dev back to build 1, then asks again for a target that no longer verifies
      // (the rollback histories: pinned and live; refused before anything is pinned)
      rollback(h, digest(1), "errors after build 2");
      histories.put("rollback-dev", fetchLatest(h, RollbackRequest.workflowId("shop", "dev")));
      h.world.unverifiable.put(digest(1), "Gantry's signature for dev does not verify: key rotated out");
      try {
        rollback(h, digest(1), "again");
        throw new AssertionError("the rollback to an unverifiable digest was not refused");
      } catch (WorkflowFailedException expected) {
        // RollbackRefused
      }
      h.world.unverifiable.clear();
      histories.put("rollback-refused", fetchLatest(h, RollbackRequest.workflowId("shop", "dev")));

      histories.put("release-promoted-everywhere", ReleaseRequest.workflowId("shop", Harness.commit(1)));
      histories.put("promotion-production", PromotionWorkflow.workflowId("shop", "production", Harness.commit(1)));
      histories.put("promotion-compensated", PromotionWorkflow.workflowId("shop", "dev", Harness.commit(2)));
      histories.put("release-compensated", ReleaseRequest.workflowId("shop", Harness.commit(2)));
      histories.put("lane-dev", dev.gantry.promotion.PromotionLaneWorkflow.workflowId("shop", "dev"));

      List<WorkflowExecutionHistory> fetched = new ArrayList<>();
      for (var e : histories.entrySet()) {
        String[] idAndRun = e.getValue().split("#", 2);
        WorkflowExecutionHistory history = idAndRun.length == 2 ? h.client.fetchHistory(idAndRun[0], idAndRun[1]) : h.client.fetchHistory(e.getValue());
        replay(history.toJson(true));
        fetched.add(history);
      }
      String target = System.getProperty("gantry.record-histories");
      if (target != null) {
        int i = 0;
        for (String name : histories.keySet()) {
          write(Path.of(target).resolve(name + ".json"), fetched.get(i++).toJson(true));
        }
      }
    }
  }

  private static void rollback(Harness h, String digest, String why) {
    RollbackWorkflow rollback = h.client.newWorkflowStub(
        RollbackWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(RollbackRequest.workflowId("shop", "dev")).setTaskQueue(TaskQueues.GANTRY).build());
    rollback.run(new RollbackRequest("shop", h.service.image(), h.service.environment("dev"), digest, "oncall", why));
  }

  /** The id of the workflow's latest run, as {@code <workflow id>#<run id>}: one id can have several runs. */
  private static String fetchLatest(Harness h, String workflowId) {
    return workflowId + "#" + h.client.newUntypedWorkflowStub(workflowId).describe().getExecution().getRunId();
  }

  private static void replay(String json) throws Exception {
    Class<?>[] all = Harness.WORKFLOWS;
    WorkflowReplayer.replayWorkflowExecution(json, all[0], java.util.Arrays.copyOfRange(all, 1, all.length));
  }

  private static void write(Path file, String json) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, json, StandardCharsets.UTF_8);
  }
}
