package dev.gantry.worker;

import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts polling once the application is ready and, on shutdown, stops polling first and lets
 * running activities finish within the grace period, so a SIGTERM loses no work.
 */
public class GantryWorker implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(GantryWorker.class);
  private final WorkerFactory factory;
  private final Duration grace;
  private volatile boolean running;

  public GantryWorker(WorkerFactory factory, Duration grace) {
    this.factory = factory;
    this.grace = grace;
  }

  @Override
  public void start() {
    factory.start();
    running = true;
    log.info("Temporal worker polling task queue '{}'", dev.gantry.model.TaskQueues.GANTRY);
  }

  @Override
  public void stop() {
    log.info("Temporal worker stopping: no new tasks, up to {} for running ones", grace);
    factory.shutdown();
    try {
      factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      log.warn("worker did not stop cleanly: {}", e.getMessage());
    }
    // an operator reading the log after a SIGTERM needs to know whether work was cut short
    if (factory.isTerminated()) {
      log.info("Temporal worker stopped: no tasks left running");
    } else {
      log.warn("Temporal worker still had tasks running after {}; Temporal retries them on the next worker", grace);
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Late start, early stop: after the web server and embedded peers, before them on shutdown. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 100;
  }
}
