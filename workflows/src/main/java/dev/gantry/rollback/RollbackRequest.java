package dev.gantry.rollback;

import dev.gantry.model.EnvironmentSpec;

/**
 * @param image the service's image repository, to check the digest is still there
 * @param digest the digest to pin, or null for the last known good before the current one
 * @param by the authenticated principal asking for it
 */
public record RollbackRequest(String service, String image, EnvironmentSpec environment, String digest, String by, String reason) {

  public static String workflowId(String service, String environment) {
    return "rollback/" + service + "/" + environment;
  }
}
