package dev.gantry.server;

import static dev.gantry.server.GantryProcess.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.promotion.PromotionLaneWorkflowImpl;
import dev.gantry.promotion.PromotionWorkflowImpl;
import dev.gantry.release.ReleaseWorkflowImpl;
import dev.gantry.rollback.RollbackWorkflowImpl;
import dev.gantry.server.demo.DemoEnvironment;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.WorkflowReplayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Histories of every workflow type as the REAL Temporal server writes them (the committed
 * ones under workflows/src/test/resources/histories/ otherwise come from the in-process test
 * server, which differs in details such as task events and search attribute encoding). A short
 * demo story runs through the HTTP API; each history is fetched, replayed against today's
 * workflow classes and, with {@code -Dgantry.record-histories=DIR}, written to
 * {@code DIR/real-server-<name>.json} for committing.
 */
class RealServerHistoriesIT {
  private static final String API = "/api/v1";
  private static final String NAMESPACE = "gantry-histories-it";
  private static final String C1 = DemoEnvironment.commitOf(1);
  private static final String C2 = DemoEnvironment.commitOf(2);

  @TempDir static Path data;
  @TempDir static Path temporalData;
  static TemporalServerProcess temporal;
  static GantryProcess gantry;

  @BeforeAll
  static void start() throws Exception {
    temporal = new TemporalServerProcess(temporalData, GantryProcess.freshLog("e2e-histories-temporal-server.log")).start();
    gantry = new GantryProcess(data, GantryProcess.freshLog("e2e-histories-gantry.log"))
        .start(GantryProcess.againstRealServer(temporal, NAMESPACE, "10s"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (gantry != null) {
        gantry.close();
      }
    } finally {
      if (temporal != null) {
        temporal.close();
      }
    }
  }

  static JsonNode environment(String commit, String name) throws Exception {
    return gantry.environment(commit, name);
  }

  static void awaitState(String commit, String env, String state) throws Exception {
    await(() -> environment(commit, env), e -> e.get("state").asText().equals(state), commit.substring(0, 8) + " " + env + " " + state);
  }

  interface Read {
    JsonNode get() throws Exception;
  }

  static JsonNode await(Read read, Predicate<JsonNode> condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = read.get();
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never reached " + what + "; last: " + last);
  }

  static void approve(String commit, String env, String user) throws Exception {
    var r = gantry.send("POST", API + "/releases/storefront/" + commit + "/environments/" + env + "/approvals", user, gantry.approval(commit, env, "ok"));
    assertThat(r.statusCode()).as(user + " approving " + env + ": " + r.body()).isEqualTo(200);
  }

  @Test
  void historiesOfEveryWorkflowTypeFromTheRealServerReplayAgainstTodaysCode() throws Exception {
    awaitState(C1, "dev", "PROMOTED");
    awaitState(C1, "staging", "WAITING_FOR_APPROVAL");
    approve(C1, "staging", "alice");
    awaitState(C1, "production", "WAITING_FOR_APPROVAL");
    approve(C1, "production", "carol");
    approve(C1, "production", "dave");
    awaitState(C1, "production", "PROMOTED");

    var created = gantry.send("POST", API + "/releases", "ci", "{\"service\":\"storefront\",\"commit\":\"" + C2 + "\",\"author\":\"erin\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    awaitState(C2, "dev", "PROMOTED");
    // staging of release 2 then waits for an approver: its history is recorded while still open
    awaitState(C2, "staging", "WAITING_FOR_APPROVAL");

    String dev = "/services/storefront/environments/dev";
    var rollback = gantry.send("POST", API + dev + "/rollbacks", "oncall", "{\"reason\":\"errors after build 2\"}");
    assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(202);
    await(() -> json(gantry.get(API + dev, "oncall")),
        e -> e.path("history").path(0).path("kind").asText().equals("ROLLBACK") && e.path("history").path(0).path("outcome").asText().equals("PROMOTED"),
        "the dev rollback promoted");

    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("release-promoted-everywhere", "release/storefront/" + C1);
    ids.put("release-waiting-for-staging", "release/storefront/" + C2);
    ids.put("promotion-dev", "promotion/storefront/dev/" + C1);
    ids.put("promotion-staging", "promotion/storefront/staging/" + C1);
    ids.put("promotion-production", "promotion/storefront/production/" + C1);
    ids.put("lane-dev", "lane/storefront/dev");
    ids.put("rollback-dev", "rollback/storefront/dev");

    Map<String, WorkflowExecutionHistory> histories = new LinkedHashMap<>();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build());
      for (var e : ids.entrySet()) {
        histories.put(e.getKey(), client.fetchHistory(e.getValue()));
      }
    } finally {
      stubs.shutdownNow();
    }

    TreeSet<String> types = new TreeSet<>();
    for (var e : histories.entrySet()) {
      WorkflowExecutionHistory history = e.getValue();
      var first = history.getEvents().get(0);
      assertThat(first.getEventType()).as(e.getKey()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
      types.add(first.getWorkflowExecutionStartedEventAttributes().getWorkflowType().getName());
      // a nondeterministic change to today's workflow code fails here
      WorkflowReplayer.replayWorkflowExecution(history, ReleaseWorkflowImpl.class, PromotionWorkflowImpl.class, PromotionLaneWorkflowImpl.class, RollbackWorkflowImpl.class);
      System.out.printf("FIGURE: real-server history %s: %d events%n", e.getKey(), history.getEvents().size());
    }
    assertThat(types).containsExactly("PromotionLaneWorkflow", "PromotionWorkflow", "ReleaseWorkflow", "RollbackWorkflow");
    assertThat(histories.get("release-promoted-everywhere").getLastEvent().getEventType()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    assertThat(histories.get("rollback-dev").getLastEvent().getEventType()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

    String target = System.getProperty("gantry.record-histories");
    if (target != null && !target.isBlank()) {
      Path dir = Path.of(target).toAbsolutePath();
      Files.createDirectories(dir);
      for (var e : histories.entrySet()) {
        Path file = dir.resolve("real-server-" + e.getKey() + ".json");
        Files.writeString(file, e.getValue().toJson(true), StandardCharsets.UTF_8);
        System.out.println("recorded " + file);
      }
    }
  }
}
