package dev.gantry.signing;

import java.util.List;

/** What a rollback target's re-verification checked, each line a check that passed. */
public record Reverified(List<String> checks) {
  public Reverified {
    checks = List.copyOf(checks);
  }
}
