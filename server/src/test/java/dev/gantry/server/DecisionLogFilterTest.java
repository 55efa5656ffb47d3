package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gantry.model.FailureTypes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecisionLogFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger workflowHandler;
  private Logger activityExecutor;

  @BeforeEach
  void setUp() {
    DecisionLogFilter filter = new DecisionLogFilter();
    filter.start();
    context.addTurboFilter(filter);
    events.setContext(context);
    events.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.DEBUG);
    root.addAppender(events);
    workflowHandler = context.getLogger("io.temporal.internal.sync.WorkflowExecutionHandler");
    activityExecutor = context.getLogger("io.temporal.internal.activity.ActivityTaskExecutors$ActivityTaskExecutor");
  }

  @Test
  void aRefusalTheCallerIsAnsweredWithIsOneDebugLineWithoutStack() {
    workflowHandler.warn("Workflow execution failure WorkflowId='{}', RunId={}, WorkflowType={}", "release/storefront/ff", "r1", "Release",
        ApplicationFailure.newNonRetryableFailure("tag sha-ff in oci:x not found", FailureTypes.TAG_NOT_FOUND));

    assertThat(events.list).hasSize(1);
    ILoggingEvent e = events.list.getFirst();
    assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
    assertThat(e.getLoggerName()).isEqualTo(DecisionLogFilter.LOGGER);
    assertThat(e.getThrowableProxy()).isNull();
    assertThat(e.getFormattedMessage()).isEqualTo(
        "Workflow execution failure WorkflowId='release/storefront/ff', RunId=r1, WorkflowType=Release TagNotFound: tag sha-ff in oci:x not found");
  }

  @Test
  void aDecisionAnOperatorMustSeeStaysAtWarnOnOneLine() {
    ApplicationFailure notLive = ApplicationFailure.newNonRetryableFailure("after 6s still reports sha256:aa\nnot the promoted digest", FailureTypes.NOT_LIVE);
    // the SDK's own format, the throwable last among the arguments
    activityExecutor.warn("{} failure. ActivityId={}, activityType={}, attempt={}", "Activity", "a1", "AwaitLive", 1, notLive);

    assertThat(events.list).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getThrowableProxy()).isNull();
      assertThat(e.getFormattedMessage()).isEqualTo(
          "Activity failure. ActivityId=a1, activityType=AwaitLive, attempt=1 NotLive: after 6s still reports sha256:aa not the promoted digest");
    });
  }

  @Test
  void theDecisionIsFoundInsideTheChainTemporalWrapsItIn() {
    ApplicationFailure conflict = ApplicationFailure.newNonRetryableFailure("commit c is already released as sha256:bb", FailureTypes.DIGEST_CONFLICT);
    workflowHandler.warn("Workflow execution failure WorkflowId='{}'", "release/storefront/c",
        new ActivityFailure("Activity task failed", 5, 6, "Resolve", "1", null, "worker", conflict));

    assertThat(events.list).singleElement().satisfies(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
      assertThat(e.getFormattedMessage()).endsWith("DigestConflict: commit c is already released as sha256:bb");
    });
  }

  @Test
  void faultsKeepTheirStack() {
    workflowHandler.warn("Workflow execution failure WorkflowId='{}'", "release/storefront/d", new IllegalStateException("a bug"));
    activityExecutor.warn("Activity failure. ActivityId={}", "a2",
        ApplicationFailure.newNonRetryableFailure("registry gone for 10 minutes", FailureTypes.REGISTRY_UNAVAILABLE));
    activityExecutor.warn("Activity failure. ActivityId={}", "a3", ApplicationFailure.newFailure("tag not found, retrying", FailureTypes.TAG_NOT_FOUND));
    activityExecutor.warn("Activity failure. ActivityId={}", "a4", ApplicationFailure.newNonRetryableFailure("someone else's type", "Boom"));

    assertThat(events.list).hasSize(4).allSatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getLoggerName()).startsWith("io.temporal.internal.");
      assertThat(e.getThrowableProxy()).isNotNull();
    });
  }

  @Test
  void otherLoggersAndMessagesAreUntouched() {
    ApplicationFailure refusal = ApplicationFailure.newNonRetryableFailure("tag t not found", FailureTypes.TAG_NOT_FOUND);
    context.getLogger("dev.gantry.release.ReleaseWorkflowImpl").warn("Workflow execution failure {}", "x", refusal);
    workflowHandler.warn("Something else", refusal);

    assertThat(events.list).hasSize(2).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
  }

  @Test
  void everyGantryTypeButTheOutageIsADecision() {
    assertThat(DecisionLogFilter.DECISIONS).contains(FailureTypes.TAG_NOT_FOUND, FailureTypes.NOT_APPROVER, FailureTypes.NOT_LIVE)
        .doesNotContain(FailureTypes.REGISTRY_UNAVAILABLE);
    assertThat(DecisionLogFilter.DECISIONS).containsAll(DecisionLogFilter.AT_WARN);
  }
}
