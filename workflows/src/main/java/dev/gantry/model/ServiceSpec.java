package dev.gantry.model;

import dev.gantry.evidence.EvaluationSpec;
import java.util.List;

/**
 * A deployable application: its image repository and its environments, in promotion order.
 *
 * @param image repository of the service's images, {@code host[:port]/path} or {@code oci:/dir}
 * @param evaluation the service's evaluation endpoint; null when it has none
 */
public record ServiceSpec(String name, String image, List<EnvironmentSpec> environments, EvaluationSpec evaluation) {

  public ServiceSpec(String name, String image, List<EnvironmentSpec> environments) {
    this(name, image, environments, null);
  }

  public EnvironmentSpec environment(String environment) {
    return environments.stream().filter(e -> e.name().equals(environment)).findFirst().orElse(null);
  }
}
