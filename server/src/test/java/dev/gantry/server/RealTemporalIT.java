package dev.gantry.server;

import static dev.gantry.server.GantryProcess.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.demo.DemoEnvironment;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceResponse;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable mode end to end: the demo on a real Temporal server (SQLite file, started by
 * deploy/temporal/run.sh). Gantry is SIGKILLed while a release waits for production approvals,
 * then the Temporal server is SIGKILLed too; both come back on the same files and the SAME
 * workflow run takes the approvals through the new Gantry process and promotes production.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealTemporalIT {
  private static final String API = "/api/v1";
  private static final String NAMESPACE = "gantry-durable-it";
  private static final String C1 = DemoEnvironment.commitOf(1);
  private static final String WORKFLOW = "release/storefront/" + C1;

  @TempDir static Path data;
  @TempDir static Path temporalData;
  static TemporalServerProcess temporal;
  static GantryProcess gantry;
  static String runId;
  static String d1;

  @BeforeAll
  static void start() throws Exception {
    Path logs = Path.of("target");
    Files.createDirectories(logs);
    Path temporalLog = logs.resolve("e2e-temporal-server.log");
    Files.deleteIfExists(temporalLog);
    Path gantryLog = logs.resolve("e2e-gantry-durable.log");
    Files.deleteIfExists(gantryLog);

    temporal = new TemporalServerProcess(temporalData, temporalLog);
    long t0 = System.nanoTime();
    temporal.start();
    System.out.printf("FIGURE: Temporal server %s (SQLite file, fresh schema) start to first answer: %d ms%n",
        TemporalServerProcess.VERSION, (System.nanoTime() - t0) / 1_000_000);
    gantry = startGantry(new GantryProcess(data, gantryLog));
  }

  static GantryProcess startGantry(GantryProcess process) throws Exception {
    return process.start(GantryProcess.againstRealServer(temporal, NAMESPACE, "10s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gantry != null) {
      try {
        gantry.stop(); // SIGTERM stops its embedded PostgreSQL too
      } finally {
        gantry.close();
      }
    }
    if (temporal != null) {
      temporal.close();
    }
  }

  static <T> T withTemporal(Function<WorkflowServiceStubs, T> call) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    try {
      return call.apply(stubs);
    } finally {
      stubs.shutdownNow();
    }
  }

  static WorkflowExecutionInfo describeRelease() {
    return withTemporal(s -> s.blockingStub()
        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(NAMESPACE)
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(WORKFLOW))
            .build())
        .getWorkflowExecutionInfo());
  }

  static JsonNode release() throws Exception {
    return gantry.release(C1);
  }

  static JsonNode environment(String name) throws Exception {
    return gantry.environment(C1, name);
  }

  static JsonNode await(String env, Predicate<JsonNode> condition, String what) throws Exception {
    return gantry.await(C1, env, condition, what, Duration.ofSeconds(90));
  }

  static JsonNode awaitState(String env, String state) throws Exception {
    return await(env, e -> e.get("state").asText().equals(state), state);
  }

  static String pinned(String file) throws Exception {
    return DemoGitOps.pinned(data, file);
  }

  static long commitsWithTrailer(String key, String valuePrefix) throws Exception {
    return DemoGitOps.commitsWithTrailer(data, key, valuePrefix);
  }

  static int approve(String env, String user) throws Exception {
    var r = gantry.send("POST", API + "/releases/storefront/" + C1 + "/environments/" + env + "/approvals", user, gantry.approval(C1, env, "ok"));
    assertThat(r.statusCode()).as(user + " approving " + env + ": " + r.body()).isEqualTo(200);
    return r.statusCode();
  }

  @Test
  @Order(1)
  void gantryCreatesItsNamespaceAndSearchAttributesOnTheRealServer() throws Exception {
    DescribeNamespaceResponse ns = withTemporal(s -> s.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build()));
    assertThat(ns.getNamespaceInfo().getName()).isEqualTo(NAMESPACE);
    assertThat(ns.getConfig().getWorkflowExecutionRetentionTtl().getSeconds()).isEqualTo(Duration.ofDays(30).toSeconds());

    JsonNode dev = awaitState("dev", "PROMOTED");
    d1 = release().get("digest").asText();
    assertThat(pinned("values-dev.yaml")).isEqualTo(d1);
    // the in-process test server cannot run this query; a real server's visibility store can
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<String> found = List.of();
    while (found.isEmpty() && System.nanoTime() < deadline) {
      found = withTemporal(s -> s.blockingStub()
          .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
              .setNamespace(NAMESPACE)
              .setQuery("GantryService = 'storefront' AND GantryCommit = '" + C1 + "'")
              .build())
          .getExecutionsList().stream().map(e -> e.getExecution().getWorkflowId()).toList());
      Thread.sleep(200);
    }
    assertThat(found).contains(WORKFLOW);
    assertThat(dev.get("gitCommit").asText()).hasSize(40);
  }

  @Test
  @Order(2)
  void stagingIsApprovedAndProductionWaits() throws Exception {
    awaitState("staging", "WAITING_FOR_APPROVAL");
    approve("staging", "alice");
    awaitState("staging", "PROMOTED");
    assertThat(pinned("values-staging.yaml")).isEqualTo(d1);
    JsonNode production = awaitState("production", "WAITING_FOR_APPROVAL");
    assertThat(production.get("approvals")).isEmpty();
    WorkflowExecutionInfo info = describeRelease();
    assertThat(info.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    runId = info.getExecution().getRunId();
  }

  @Test
  @Order(3)
  void aSigkilledGantryComesBackToTheSameWaitingWorkflow() throws Exception {
    int port = gantry.port;
    gantry.kill();
    assertThat(pinned("values-production.yaml")).isNotEqualTo(d1);

    long t0 = System.nanoTime();
    gantry = startGantry(new GantryProcess(data, gantry.log, port));
    System.out.printf("FIGURE: Gantry restart after SIGKILL (durable mode) to API ready: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

    JsonNode view = release();
    // read from the live workflow, not the catalog fallback used when a workflow is gone
    assertThat(view.path("reason").asText()).doesNotContain("from the catalog");
    JsonNode production = awaitState("production", "WAITING_FOR_APPROVAL");
    assertThat(production.get("approvals")).isEmpty();
    assertThat(environment("staging").get("approvals").findValuesAsText("by")).containsExactly("alice");
    assertThat(describeRelease().getExecution().getRunId()).isEqualTo(runId);
    assertThat(json(gantry.get(API + "/releases?service=storefront", "alice"))).hasSize(2); // releases 1 and the refused 4: the demo did not start them again
  }

  @Test
  @Order(4)
  void aSigkilledTemporalServerComesBackWithTheReleaseOnTheSameSqliteFile() throws Exception {
    temporal.kill();
    long t0 = System.nanoTime();
    temporal.start();
    System.out.printf("FIGURE: Temporal server restart after SIGKILL (existing SQLite file) to first answer: %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);

    WorkflowExecutionInfo info = describeRelease();
    assertThat(info.getExecution().getRunId()).isEqualTo(runId);
    assertThat(info.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    // Gantry's channel reconnects by itself: the same process reads the workflow again
    JsonNode production = await("production", e -> e.get("state").asText().equals("WAITING_FOR_APPROVAL"), "readable after the server restart");
    assertThat(production.get("approvals")).isEmpty();
  }

  @Test
  @Order(5)
  void productionApprovalsThroughTheNewProcessPromoteTheSameRelease() throws Exception {
    approve("production", "carol");
    assertThat(environment("production").get("approvals").findValuesAsText("by")).containsExactly("carol");
    approve("production", "dave");
    JsonNode production = awaitState("production", "PROMOTED");
    assertThat(production.get("approvals").findValuesAsText("by")).containsExactly("carol", "dave");
    assertThat(pinned("values-production.yaml")).isEqualTo(d1);

    for (String env : List.of("dev", "staging", "production")) {
      assertThat(commitsWithTrailer("Gantry-Promotion", "promotion/storefront/" + env + "/" + C1 + "/")).as(env).isEqualTo(1);
    }
    assertThat(commitsWithTrailer("Gantry-Compensates", "")).isZero();

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    WorkflowExecutionInfo info = describeRelease();
    while (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING && System.nanoTime() < deadline) {
      Thread.sleep(200);
      info = describeRelease();
    }
    assertThat(info.getExecution().getRunId()).isEqualTo(runId);
    assertThat(info.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  }
}
