package dev.gantry.evidence;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.Map;

/** Evidence: collected from the registry, stored content-addressed, judged by the gates. */
@ActivityInterface
public interface EvidenceActivities {

  /**
   * Finds what is attached to the release's digest (cosign {@code .att} attestations, OCI 1.1
   * referrers or their tag-schema fallback) and stores each record once.
   *
   * @return how many records the release has now (attached and uploaded)
   */
  @ActivityMethod(name = "CollectEvidence")
  int collect(ReleaseRef release);

  /** Stores the evaluation's metrics as an evidence record of the release. */
  @ActivityMethod(name = "RecordEvaluation")
  String recordEvaluation(ReleaseRef release, Map<String, Double> metrics);

  /**
   * Runs the environment's gates, stores the evidence bundle (verdicts and the digests of all
   * evidence used) and indexes it. Deterministic for the same evidence and policy, so a retry
   * writes the same bundle.
   */
  @ActivityMethod(name = "AssessEvidence")
  Assessment assess(AssessRequest request);
}
