package dev.gantry.release;

import dev.gantry.model.ServiceSpec;

/**
 * Input of a {@link ReleaseWorkflow}.
 *
 * @param author the commit's author (may not approve the release)
 * @param startedBy the authenticated principal that started it (may not approve it either)
 * @param service the service and its policy, as configured when the release started
 * @param ciRun the CI run whose OIDC token started it; null for an HTTP Basic caller and in every
 *     history recorded before it existed (a missing field reads as null, so those still replay)
 */
public record ReleaseRequest(String commit, String tag, String author, String startedBy, ServiceSpec service, CiRun ciRun) {

  /** A release started by a caller without a CI token (an HTTP Basic user, the demo). */
  public ReleaseRequest(String commit, String tag, String author, String startedBy, ServiceSpec service) {
    this(commit, tag, author, startedBy, service, null);
  }

  public static String workflowId(String service, String commit) {
    return "release/" + service + "/" + commit;
  }
}
