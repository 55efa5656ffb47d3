package dev.gantry.model;

import io.temporal.workflow.Workflow;

/**
 * Changes to workflow code that runs may already be in flight for, each behind {@link
 * Workflow#getVersion}. A history recorded before a change replays down the old path; new runs
 * take the new one. Remove a branch only when no run that could take it remains.
 */
public final class Versions {
  private Versions() {}

  /** Version 1: promotions and rollbacks append their outcome to the hash-chained audit log. */
  public static boolean auditLog() {
    return Workflow.getVersion("audit-log", Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * Version 1: releases collect evidence, run the service's evaluation and each environment's
   * gates before approval, and bind approvals to the evidence bundle.
   */
  public static boolean evidenceGates() {
    return Workflow.getVersion("evidence-gates", Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /** Version 1: Gantry signs the digest (cosign-compatible) for each environment before promoting it there. */
  public static boolean gantrySigning() {
    return Workflow.getVersion("gantry-signing", Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * Version 1: a promotion verified healthy attests it with a SLSA verification summary, and every
   * rollback (manual or compensation) re-verifies CI's signature, Gantry's signature and that
   * summary before pinning a digest again.
   */
  public static boolean verifiedRollbacks() {
    return Workflow.getVersion("verified-rollbacks", Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * Version 1: an approval reaches git in fewer round trips. Gantry's signature, the lane enqueue
   * and the hold check run as local activities (inside the workflow task, no task of their own);
   * a promotion checks for a hold once, after the lane lets it go; and a progress report to the
   * release no longer holds the promotion back until it is delivered (reports stay in order).
   */
  public static boolean shortApprovalPath() {
    return Workflow.getVersion("short-approval-path", Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * Version 1: a rollback writes its outcome to the catalog as its very last step, after the audit
   * append and the status search attribute (before, the catalog record came first). Whatever a
   * client reads as done in the environment view is then done: the audit record is written and the
   * run has nothing left to do but close, which the API waits for briefly before starting the next
   * rollback of the same environment.
   */
  public static boolean outcomeRecordedLast() {
    return Workflow.getVersion("outcome-recorded-last", Workflow.DEFAULT_VERSION, 1) >= 1;
  }
}
