package dev.gantry.model;

public final class TaskQueues {
  private TaskQueues() {}

  /** The one task queue Gantry's worker polls for workflows and activities. */
  public static final String GANTRY = "gantry";
}
