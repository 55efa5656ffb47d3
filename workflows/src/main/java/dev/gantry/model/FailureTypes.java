package dev.gantry.model;

/**
 * Types of the non-retryable {@code ApplicationFailure}s Gantry raises. The API maps them to
 * problem details; the workflows map them to environment states.
 */
public final class FailureTypes {
  private FailureTypes() {}

  // registry
  public static final String REGISTRY_NOT_ALLOWED = "RegistryNotAllowed";
  public static final String TAG_NOT_FOUND = "TagNotFound";
  public static final String DIGEST_NOT_FOUND = "DigestNotFound";
  public static final String INVALID_REFERENCE = "InvalidReference";
  public static final String REGISTRY_AUTH = "RegistryAuthenticationFailed";
  /** Retryable while the activity retries; what a caller sees once retries ran out. */
  public static final String REGISTRY_UNAVAILABLE = "RegistryUnavailable";
  // release
  public static final String DIGEST_CONFLICT = "DigestConflict";
  public static final String TAG_MOVED = "TagMoved";
  // approvals
  public static final String NOT_APPROVER = "NotApprover";
  public static final String SELF_APPROVAL = "SelfApproval";
  public static final String DUPLICATE_APPROVAL = "DuplicateApproval";
  public static final String NOT_WAITING = "NotWaitingForApproval";
  public static final String UNKNOWN_ENVIRONMENT = "UnknownEnvironment";
  // evidence
  public static final String EVIDENCE_BUNDLE_REQUIRED = "EvidenceBundleRequired";
  public static final String EVIDENCE_BUNDLE_CHANGED = "EvidenceBundleChanged";
  public static final String EVIDENCE_INVALID = "EvidenceInvalid";
  public static final String EVALUATION_REFUSED = "EvaluationRefused";
  /** A rollback target whose signatures or verification summary no longer verify. */
  public static final String ROLLBACK_REFUSED = "RollbackRefused";
  // gitops
  public static final String GITOPS_FILE_NOT_FOUND = "GitOpsFileNotFound";
  public static final String GITOPS_PATH_NOT_FOUND = "GitOpsPathNotFound";
  public static final String GITOPS_UNSUPPORTED = "GitOpsUnsupportedYaml";
  public static final String GITOPS_PUSH_CONFLICT = "GitOpsPushConflict";
  // health
  public static final String NOT_LIVE = "NotLive";
  public static final String UNHEALTHY = "Unhealthy";
  // rollback
  public static final String NO_ROLLBACK_TARGET = "NoRollbackTarget";
  public static final String NOT_PROMOTED_HERE = "NotPromotedHere";
}
