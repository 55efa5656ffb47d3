package dev.gantry.model;

import java.util.List;

/**
 * A deployable application: its image repository and its environments, in promotion order.
 *
 * @param image repository of the service's images, {@code host[:port]/path} or {@code oci:/dir}
 */
public record ServiceSpec(String name, String image, List<EnvironmentSpec> environments) {

  public EnvironmentSpec environment(String environment) {
    return environments.stream().filter(e -> e.name().equals(environment)).findFirst().orElse(null);
  }
}
