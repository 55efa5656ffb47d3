package dev.gantry.release;

import java.util.List;

public record ReleaseView(
    String service,
    String commit,
    String tag,
    String digest,
    String author,
    String startedBy,
    ReleaseStatus status,
    String reason,
    List<EnvironmentView> environments,
    List<RefusedDecision> refusedDecisions) {

  public EnvironmentView environment(String name) {
    return environments.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
  }
}
