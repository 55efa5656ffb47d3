package dev.gantry.release;

/**
 * The CI run that started a release, as its OIDC token asserted it (GitHub Actions' claim names;
 * another CI issuer fills what it has). Null on a release started by an HTTP Basic user, and on
 * every release started before Gantry recorded it.
 *
 * @param issuer the token's {@code iss}
 * @param subject the token's {@code sub}, e.g. {@code repo:acme/storefront:ref:refs/heads/main}
 * @param repository {@code repository}, e.g. {@code acme/storefront}
 * @param ref {@code ref}, e.g. {@code refs/heads/main}
 * @param runId {@code run_id}
 * @param runAttempt {@code run_attempt}
 * @param workflowRef {@code workflow_ref}: the workflow file at the ref it ran from
 * @param jobWorkflowRef {@code job_workflow_ref}: the (possibly reusable) workflow of the job
 * @param actor {@code actor}: who triggered the run
 */
public record CiRun(
    String issuer,
    String subject,
    String repository,
    String ref,
    String runId,
    String runAttempt,
    String workflowRef,
    String jobWorkflowRef,
    String actor) {}
