package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.evidence.EvidencePolicy;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.GitOpsTarget;
import dev.gantry.model.SearchAttributes;
import dev.gantry.model.ServiceSpec;
import dev.gantry.model.TaskQueues;
import dev.gantry.promotion.LaneActivitiesImpl;
import dev.gantry.promotion.PromotionLaneWorkflowImpl;
import dev.gantry.promotion.PromotionWorkflowImpl;
import dev.gantry.release.Decision;
import dev.gantry.release.EnvironmentState;
import dev.gantry.release.EnvironmentView;
import dev.gantry.release.Registered;
import dev.gantry.release.ReleaseClient;
import dev.gantry.release.ReleaseRequest;
import dev.gantry.release.ReleaseView;
import dev.gantry.release.ReleaseWorkflow;
import dev.gantry.release.ReleaseWorkflowImpl;
import dev.gantry.rollback.RollbackWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** One Temporal test server with time skipping, Gantry's workflows, and a {@link World}. */
public final class Harness implements AutoCloseable {
  public static final String SERVICE = "shop";
  public static final Class<?>[] WORKFLOWS = {
    ReleaseWorkflowImpl.class, PromotionWorkflowImpl.class, PromotionLaneWorkflowImpl.class, RollbackWorkflowImpl.class
  };

  public final World world = new World();
  public final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  public final WorkflowClient client = env.getWorkflowClient();
  public final ReleaseClient releases = new ReleaseClient(client);
  public final ServiceSpec service;

  public Harness() {
    this(service());
  }

  public Harness(ServiceSpec service) {
    this.service = service;
    SearchAttributes.ALL.forEach(env::registerSearchAttribute);
    Worker worker = env.newWorker(TaskQueues.GANTRY);
    worker.registerWorkflowImplementationTypes(WORKFLOWS);
    worker.registerActivitiesImplementations(
        world.new Registry(), world.new GitOps(), world.new Cluster(), world.new Catalog(), world.new Audit(), world.new Evidence(), world.new Evaluation(), world.new Signing(),
        new LaneActivitiesImpl(client));
    env.start();
  }

  public static EnvironmentSpec environment(String name, int approvals, String group, List<String> members) {
    return environment(name, approvals, group, members, null);
  }

  public static EnvironmentSpec environment(String name, int approvals, String group, List<String> members, EvidencePolicy evidence) {
    return new EnvironmentSpec(
        name,
        approvals,
        group,
        members,
        Duration.ofHours(72),
        new GitOpsTarget("file:///gitops.git", "main", "values-" + name + ".yaml", "image.digest"),
        "values-" + name + ".yaml",
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofSeconds(10),
        evidence);
  }

  public static ServiceSpec service() {
    return new ServiceSpec(
        SERVICE,
        "registry.test/shop",
        List.of(
            environment("dev", 0, null, List.of()),
            environment("staging", 1, "approvers", List.of("alice", "bob")),
            environment("production", 2, "release-managers", List.of("carol", "dave"))));
  }

  public static String commit(int n) {
    return String.format("%040x", 0xc0ffee00L + n);
  }

  public static String digest(int n) {
    return "sha256:" + String.format("%064x", 0xd1e57L + n);
  }

  /** Pushes tag sha-<commit n> for digest n, as CI would. */
  public String image(int n) {
    world.tags.put("sha-" + commit(n), digest(n));
    return digest(n);
  }

  public Registered start(int n) {
    return start(n, null);
  }

  public Registered start(int n, String tag) {
    return releases.start(new ReleaseRequest(commit(n), tag == null ? "sha-" + commit(n) : tag, "erin", "ci", service));
  }

  public ReleaseWorkflow release(int n) {
    return client.newWorkflowStub(ReleaseWorkflow.class, ReleaseRequest.workflowId(SERVICE, commit(n)));
  }

  public ReleaseView view(int n) {
    return release(n).view();
  }

  public static Decision by(String environment, String who, String... groups) {
    return new Decision(environment, who, List.of(groups), null);
  }

  /** Waits (in real time; queries do not skip time) until the environment reaches the state. */
  public EnvironmentView await(int n, String environment, EnvironmentState state) {
    return awaitEnv(n, environment, e -> e.state() == state, "state " + state);
  }

  public EnvironmentView awaitEnv(int n, String environment, Predicate<EnvironmentView> condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // generous: CI machines are loaded
    EnvironmentView last = null;
    while (System.nanoTime() < deadline) {
      last = view(n).environment(environment);
      if (condition.test(last)) {
        return last;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    assertThat(last).as("release %d %s never reached %s", n, environment, what).matches(condition);
    return last;
  }

  @Override
  public void close() {
    env.close();
  }
}
