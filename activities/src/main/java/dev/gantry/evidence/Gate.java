package dev.gantry.evidence;

import java.util.Optional;
import java.util.Set;

/**
 * A gate: a check that turns a release's evidence into pass / fail with reasons, failing closed
 * (required evidence that is absent is {@link Outcome#MISSING}, never a pass). The worker wiring
 * builds the list of gates and hands it to {@link EvidenceActivitiesImpl}, which runs them in that
 * order (the order of the verdicts in an evidence bundle) without naming any of them.
 *
 * <p>The interface lives in {@code evidence} rather than in a {@code gate} package of its own
 * because it speaks only the foundation's types (documents, policy, verdicts); each gate lives
 * beside the code that parses what it reads ({@code provenance}, {@code sbom}, {@code scan}, …) and
 * imports {@code evidence}, and {@code evidence} imports no gate, so the arrows run one way.
 *
 * <p>Adding a gate: one class implementing this in its own file, one test, one line in the worker
 * wiring's list. A gate that reads a new kind of uploaded record also gives the API its {@link
 * EvidenceCheck}.
 */
public interface Gate {

  /** The gate's name in its verdicts and in the verdict index: {@code provenance}, {@code scan}, … */
  String name();

  /**
   * The kinds of evidence record the gate reads; empty for a gate that asks an outside system (the
   * signature gate reads the registry).
   */
  Set<EvidenceType> reads();

  /**
   * The gate's verdict on the release under the environment's policy, naming the records it read;
   * empty when that policy does not require this gate.
   */
  Optional<GateVerdict> judge(GateContext context);
}
