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
    List<RefusedDecision> refusedDecisions,
    CiRun ciRun) {

  /** A view without a recorded CI run (a Basic caller's release, or one the catalog recalls). */
  public ReleaseView(
      String service, String commit, String tag, String digest, String author, String startedBy, ReleaseStatus status,
      String reason, List<EnvironmentView> environments, List<RefusedDecision> refusedDecisions) {
    this(service, commit, tag, digest, author, startedBy, status, reason, environments, refusedDecisions, null);
  }

  public EnvironmentView environment(String name) {
    return environments.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
  }
}
