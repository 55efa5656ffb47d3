package dev.gantry.server;

import static dev.gantry.server.GantryProcess.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.demo.DemoEnvironment;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while a promotion is VERIFYING: the worker stops polling before the Spring context
 * closes, the process exits cleanly, and after a restart the same promotion run finishes.
 * Against the real Temporal server throughout: in embedded mode the workflow state would die
 * with the process.
 */
class GracefulShutdownIT {
  private static final String API = "/api/v1";
  private static final String NAMESPACE = "gantry-shutdown-it";
  private static final String C1 = DemoEnvironment.commitOf(1);
  private static final String PROMOTION = "promotion/storefront/staging/" + C1;

  @TempDir static Path data;
  @TempDir static Path temporalData;
  static TemporalServerProcess temporal;
  static GantryProcess gantry;

  @BeforeAll
  static void start() throws Exception {
    Path logs = Path.of("target");
    Files.createDirectories(logs);
    Path temporalLog = logs.resolve("e2e-shutdown-temporal-server.log");
    Files.deleteIfExists(temporalLog);
    temporal = new TemporalServerProcess(temporalData, temporalLog).start();
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

  static GantryProcess startGantry(Path log, Integer port) throws Exception {
    GantryProcess p = port == null ? new GantryProcess(data, log) : new GantryProcess(data, log, port);
    // the live deadline survives retries (heartbeat details): long enough to span the restart
    return p.start(GantryProcess.againstRealServer(temporal, NAMESPACE, "5m"));
  }

  static JsonNode environment(String name) throws Exception {
    return gantry.environment(C1, name);
  }

  static JsonNode awaitState(String env, String state) throws Exception {
    return gantry.awaitState(C1, env, state, Duration.ofSeconds(120));
  }

  static WorkflowExecutionInfo describe(String workflowId) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    try {
      return stubs.blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(NAMESPACE)
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
              .build())
          .getWorkflowExecutionInfo();
    } finally {
      stubs.shutdownNow();
    }
  }

  static String pinned(String file) throws Exception {
    return DemoGitOps.pinned(data, file);
  }

  static long commitsWithTrailer(String key, String valuePrefix) throws Exception {
    return DemoGitOps.commitsWithTrailer(data, key, valuePrefix);
  }

  static int lineOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("log has no line with '" + text + "'");
  }

  @Test
  void aSigtermWhileVerifyingExitsCleanlyAndTheSamePromotionFinishesAfterARestart() throws Exception {
    Path firstLog = Path.of("target", "e2e-shutdown-gantry-1.log");
    Files.deleteIfExists(firstLog);
    gantry = startGantry(firstLog, null);
    awaitState("dev", "PROMOTED");
    awaitState("staging", "WAITING_FOR_APPROVAL");

    // unhealthy: awaitLive keeps polling, so the SIGTERM lands on a running activity
    assertThat(gantry.send("POST", "/demo/cluster/staging/unhealthy", null, null).statusCode()).isEqualTo(200);
    var approved = gantry.send("POST", API + "/releases/storefront/" + C1 + "/environments/staging/approvals", "alice", gantry.approval(C1, "staging", "ok"));
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    awaitState("staging", "VERIFYING");
    String digest = pinned("values-staging.yaml");
    String runId = describe(PROMOTION).getExecution().getRunId();
    Thread.sleep(2000); // a few polls in, so the activity is mid-flight

    long t0 = System.nanoTime();
    int exit = gantry.stop();
    System.out.printf("FIGURE: SIGTERM while VERIFYING to process exit: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(exit).as("exit code after SIGTERM; see " + firstLog).isIn(0, 143);

    List<String> log = Files.readAllLines(firstLog, StandardCharsets.UTF_8);
    int stopping = lineOf(log, "Temporal worker stopping");
    int stopped = lineOf(log, "Temporal worker stopped: no tasks left running");
    // the data source closes when the context destroys its beans, after every lifecycle stopped
    int contextClosing = lineOf(log, "Shutdown initiated");
    assertThat(stopping).isLessThan(stopped);
    assertThat(stopped).isLessThan(contextClosing);
    assertThat(String.join("\n", log)).doesNotContain("still had tasks running").doesNotContain("did not stop cleanly");
    // the SDK fails a heartbeating activity on shutdown and the server may hand the retry back
    // to the same stopping worker; health retries are bounded by time for this reason
    System.out.printf("FIGURE: AwaitLive attempts failed by the shutdown: %d%n",
        log.stream().filter(l -> l.contains("Activity failure") && l.contains("activityType=AwaitLive")).count());

    assertThat(describe(PROMOTION).getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    assertThat(commitsWithTrailer("Gantry-Promotion", PROMOTION + "/")).isEqualTo(1);

    Path secondLog = Path.of("target", "e2e-shutdown-gantry-2.log");
    Files.deleteIfExists(secondLog);
    long t1 = System.nanoTime();
    // the same port: the demo's health URLs in the running workflow name it
    gantry = startGantry(secondLog, gantry.port);
    // the unhealthy switch lived in the old process; the new demo cluster is healthy
    JsonNode staging = awaitState("staging", "PROMOTED");
    System.out.printf("FIGURE: restart to staging PROMOTED: %d ms%n", (System.nanoTime() - t1) / 1_000_000);

    assertThat(pinned("values-staging.yaml")).isEqualTo(digest);
    assertThat(staging.get("gitCommit").asText()).hasSize(40);
    assertThat(commitsWithTrailer("Gantry-Promotion", PROMOTION + "/")).isEqualTo(1);
    assertThat(commitsWithTrailer("Gantry-Compensates", "")).isZero();
    WorkflowExecutionInfo info = describe(PROMOTION);
    assertThat(info.getExecution().getRunId()).isEqualTo(runId);
    assertThat(info.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  }
}
