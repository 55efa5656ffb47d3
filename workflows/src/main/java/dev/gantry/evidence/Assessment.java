package dev.gantry.evidence;

import java.util.List;

/**
 * The gates' verdicts on a release in one environment, and the evidence bundle that records them.
 *
 * @param bundleSha256 sha256 (hex) of the bundle's canonical JSON; approvals are bound to it
 * @param outcome {@code PASS} when every required gate passed; {@code MISSING} when nothing failed
 *     but some required evidence is absent; otherwise {@code FAIL}
 */
public record Assessment(String environment, String bundleSha256, Outcome outcome, List<GateVerdict> verdicts) {

  public Assessment {
    verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
  }

  public boolean passed() {
    return outcome == Outcome.PASS;
  }

  /** The failing gates' reasons, one line each, for a release's reason field. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    for (GateVerdict v : verdicts) {
      if (!v.passed()) {
        if (!out.isEmpty()) {
          out.append("; ");
        }
        out.append(v.gate()).append(' ').append(v.outcome()).append(": ").append(String.join(", ", v.reasons()));
      }
    }
    return out.toString();
  }
}
