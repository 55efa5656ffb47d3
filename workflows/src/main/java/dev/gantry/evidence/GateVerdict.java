package dev.gantry.evidence;

import java.util.List;

/**
 * One gate's verdict on one release in one environment.
 *
 * @param gate {@code provenance}, {@code sbom}, {@code dependency-diff}, {@code lockfile}, {@code
 *     scan} or {@code evaluation}
 * @param reasons why it passed or failed, each a sentence a person can act on
 * @param evidence sha256 of every evidence record the gate read
 * @param findings the scan gate's per-finding decisions; empty for the other gates
 */
public record GateVerdict(String gate, Outcome outcome, List<String> reasons, List<String> evidence, List<FindingVerdict> findings) {

  public GateVerdict {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
    findings = findings == null ? List.of() : List.copyOf(findings);
  }

  public static GateVerdict pass(String gate, List<String> reasons, List<String> evidence) {
    return new GateVerdict(gate, Outcome.PASS, reasons, evidence, List.of());
  }

  public static GateVerdict fail(String gate, List<String> reasons, List<String> evidence) {
    return new GateVerdict(gate, Outcome.FAIL, reasons, evidence, List.of());
  }

  public static GateVerdict missing(String gate, String reason) {
    return new GateVerdict(gate, Outcome.MISSING, List.of(reason), List.of(), List.of());
  }

  public boolean passed() {
    return outcome == Outcome.PASS;
  }
}
