package dev.gantry.release;

import dev.gantry.model.ServiceSpec;

/**
 * Input of a {@link ReleaseWorkflow}.
 *
 * @param author the commit's author (may not approve the release)
 * @param startedBy the authenticated principal that started it (may not approve it either)
 * @param service the service and its policy, as configured when the release started
 */
public record ReleaseRequest(String commit, String tag, String author, String startedBy, ServiceSpec service) {

  public static String workflowId(String service, String commit) {
    return "release/" + service + "/" + commit;
  }
}
