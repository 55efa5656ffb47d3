package dev.gantry.testing;

import dev.gantry.audit.AuditActivities;
import dev.gantry.audit.AuditEvent;
import dev.gantry.catalog.CatalogActivities;
import dev.gantry.catalog.EnvironmentRecord;
import dev.gantry.catalog.Hold;
import dev.gantry.catalog.PromotionRecord;
import dev.gantry.catalog.ReleaseRecord;
import dev.gantry.catalog.RollbackTarget;
import dev.gantry.evidence.AssessRequest;
import dev.gantry.evidence.Assessment;
import dev.gantry.evidence.EvaluationActivities;
import dev.gantry.evidence.EvaluationSpec;
import dev.gantry.evidence.EvidenceActivities;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.gitops.GitChange;
import dev.gantry.gitops.GitOpsActivities;
import dev.gantry.gitops.PinRequest;
import dev.gantry.health.HealthActivities;
import dev.gantry.health.LiveReport;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.GitOpsTarget;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.RegistryActivities;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * In-memory stand-ins for the outside systems, for workflow tests only: the workflows' logic is
 * tested here on Temporal's test server, the activities against real peers in the activities
 * module. A "cluster" runs whatever digest the GitOps files pin.
 */
public final class World {
  public enum Health { HEALTHY, NEVER_LIVE, FAILS_SOAK }

  public final Map<String, String> tags = new ConcurrentHashMap<>();
  public final Map<String, String> files = new ConcurrentHashMap<>();
  public final List<Map<String, String>> commits = Collections.synchronizedList(new ArrayList<>());
  public final Map<String, Health> health = new ConcurrentHashMap<>();
  public final Map<String, CountDownLatch> liveGates = new ConcurrentHashMap<>();
  public final Map<String, ReleaseRecord> releases = new ConcurrentHashMap<>();
  public final List<PromotionRecord> history = Collections.synchronizedList(new ArrayList<>());
  public final Map<String, Hold> holds = new ConcurrentHashMap<>();
  public final Map<String, AuditEvent> audit = Collections.synchronizedMap(new java.util.LinkedHashMap<>());

  public String digestAt(String file) {
    return files.get(file);
  }

  public long commitsWith(String trailer, String valuePrefix) {
    synchronized (commits) {
      return commits.stream().filter(c -> c.getOrDefault(trailer, "").startsWith(valuePrefix)).count();
    }
  }

  public class Registry implements RegistryActivities {
    @Override
    public String resolve(ImageRef ref) {
      String digest = tags.get(ref.reference());
      if (digest == null) {
        throw ApplicationFailure.newNonRetryableFailure("tag " + ref.reference() + " not found in " + ref.repository(), FailureTypes.TAG_NOT_FOUND);
      }
      return digest;
    }

    @Override
    public boolean exists(ImageRef ref) {
      return tags.containsValue(ref.reference());
    }
  }

  public class GitOps implements GitOpsActivities {
    @Override
    public synchronized GitChange pin(PinRequest request) {
      String file = request.target().file();
      String previous = files.get(file);
      synchronized (commits) {
        for (Map<String, String> c : commits) {
          if (c.entrySet().containsAll(request.trailers().entrySet()) && file.equals(c.get("file"))) {
            return new GitChange(c.get("commit"), c.get("previous"), false);
          }
        }
      }
      if (request.digest().equals(previous)) {
        return new GitChange("head", previous, false);
      }
      files.put(file, request.digest());
      Map<String, String> commit = new HashMap<>(request.trailers());
      commit.put("file", file);
      commit.put("digest", request.digest());
      commit.put("previous", previous == null ? "" : previous);
      commit.put("commit", String.format("%040x", commits.size() + 1));
      commits.add(commit);
      return new GitChange(commit.get("commit"), previous, true);
    }

    @Override
    public String read(GitOpsTarget target) {
      return files.get(target.file());
    }
  }

  /** Health URLs in tests are the GitOps file names: the cluster runs what the file pins. */
  public class Cluster implements HealthActivities {
    @Override
    public LiveReport awaitLive(String healthUrl, String digest, Duration timeout, Duration interval) {
      CountDownLatch gate = liveGates.get(healthUrl);
      if (gate != null) {
        try {
          gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Health h = health.getOrDefault(healthUrl, Health.HEALTHY);
      if (h == Health.NEVER_LIVE || !digest.equals(files.get(healthUrl))) {
        throw ApplicationFailure.newNonRetryableFailure(
            "after " + timeout + " " + healthUrl + " still reports " + files.get(healthUrl) + " healthy=false", FailureTypes.NOT_LIVE);
      }
      return new LiveReport(digest, true, 1, "live");
    }

    @Override
    public LiveReport soak(String healthUrl, String digest, Duration duration, Duration interval) {
      if (health.getOrDefault(healthUrl, Health.HEALTHY) == Health.FAILS_SOAK) {
        throw ApplicationFailure.newNonRetryableFailure(healthUrl + " turned unhealthy during the soak", FailureTypes.UNHEALTHY);
      }
      return new LiveReport(digest, true, 3, "soaked");
    }
  }

  public class Audit implements AuditActivities {
    @Override
    public String append(AuditEvent event) {
      audit.putIfAbsent(event.id(), event);
      return "sha256:" + String.format("%064x", event.id().hashCode() & 0xffffffffL);
    }
  }

  public class Catalog implements CatalogActivities {
    @Override
    public void recordRelease(ReleaseRecord release) {
      releases.put(release.service() + "/" + release.commit(), release);
    }

    @Override
    public synchronized void recordPromotion(PromotionRecord p) {
      history.removeIf(h -> h.id().equals(p.id()));
      history.add(p);
    }

    private synchronized List<PromotionRecord> of(String service, String environment) {
      return history.stream().filter(h -> h.service().equals(service) && h.environment().equals(environment)).toList();
    }

    @Override
    public EnvironmentRecord environment(String service, String environment) {
      String current = null;
      String currentCommit = null;
      String lkg = null;
      String lkgCommit = null;
      for (PromotionRecord p : of(service, environment)) {
        if (p.gitCommit() != null || "PROMOTED".equals(p.outcome())) {
          current = p.digest();
          currentCommit = p.commit();
        }
        if ("PROMOTED".equals(p.outcome())) {
          lkg = p.digest();
          lkgCommit = p.commit();
        }
      }
      return new EnvironmentRecord(service, environment, current, currentCommit, lkg, lkgCommit, holds.get(service + "/" + environment));
    }

    @Override
    public RollbackTarget lastKnownGood(String service, String environment, String failedDigest) {
      List<PromotionRecord> h = new ArrayList<>(of(service, environment));
      Collections.reverse(h);
      return h.stream()
          .filter(p -> "PROMOTED".equals(p.outcome()) && !p.digest().equals(failedDigest))
          .findFirst()
          .map(p -> new RollbackTarget(p.digest(), p.commit()))
          .orElse(null);
    }

    @Override
    public RollbackTarget rollbackTarget(String service, String environment, String digest) {
      if (digest != null) {
        return of(service, environment).stream()
            .filter(p -> "PROMOTED".equals(p.outcome()) && p.digest().equals(digest))
            .findFirst()
            .map(p -> new RollbackTarget(p.digest(), p.commit()))
            .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(digest + " was never promoted to " + environment, FailureTypes.NOT_PROMOTED_HERE));
      }
      RollbackTarget t = lastKnownGood(service, environment, environment(service, environment).currentDigest());
      if (t == null) {
        throw ApplicationFailure.newNonRetryableFailure("nothing to roll back to", FailureTypes.NO_ROLLBACK_TARGET);
      }
      return t;
    }

    @Override
    public void setHold(String service, String environment, Hold hold) {
      holds.put(service + "/" + environment, hold);
    }
  }

  // --- evidence ---------------------------------------------------------------------------

  /** What each environment's gates answer; PASS when not set. */
  public final Map<String, Outcome> gates = new ConcurrentHashMap<>();
  /** Evidence records the release has; an upload adds one, so the bundle changes. */
  public final java.util.concurrent.atomic.AtomicInteger evidenceRecords = new java.util.concurrent.atomic.AtomicInteger();
  public final List<AssessRequest> assessed = Collections.synchronizedList(new ArrayList<>());
  public final List<Map<String, Double>> evaluations = Collections.synchronizedList(new ArrayList<>());
  /** Metrics the evaluator returns; null = it never answers (the activity times out). */
  public volatile Map<String, Double> evaluatorAnswer = Map.of("accuracy", 0.93);

  public class Evidence implements EvidenceActivities {
    @Override
    public int collect(ReleaseRef release) {
      return evidenceRecords.get();
    }

    @Override
    public String recordEvaluation(ReleaseRef release, Map<String, Double> metrics) {
      evaluations.add(metrics);
      return "sha256:" + "e".repeat(64);
    }

    @Override
    public Assessment assess(AssessRequest request) {
      assessed.add(request);
      Outcome outcome = gates.getOrDefault(request.environment(), Outcome.PASS);
      String bundle = "sha256:" + String.format("%064x", (request.environment() + "/" + outcome + "/" + evidenceRecords.get()).hashCode() & 0xffffffffL);
      GateVerdict verdict = new GateVerdict("scan", outcome, List.of("scan " + outcome + " in " + request.environment()), List.of(), List.of());
      return new Assessment(request.environment(), bundle, outcome, List.of(verdict));
    }
  }

  public class Evaluation implements EvaluationActivities {
    @Override
    public Map<String, Double> evaluate(ReleaseRef release, EvaluationSpec spec) {
      Map<String, Double> answer = evaluatorAnswer;
      if (answer == null) {
        // waits for a callback that never comes; the start-to-close timeout ends it
        io.temporal.activity.Activity.getExecutionContext().doNotCompleteOnReturn();
        return null;
      }
      return answer;
    }
  }

  public final List<dev.gantry.signing.SignRequest> signed = Collections.synchronizedList(new ArrayList<>());

  public class Signing implements dev.gantry.signing.SigningActivities {
    @Override
    public dev.gantry.signing.SignedRelease sign(dev.gantry.signing.SignRequest request) {
      boolean added = signed.stream().noneMatch(r -> r.equals(request));
      signed.add(request);
      return new dev.gantry.signing.SignedRelease("test-key", "sha256:" + "5".repeat(64), "sha256:" + "6".repeat(64), added);
    }

    @Override
    public dev.gantry.signing.SummaryAttestation attestVerified(dev.gantry.signing.SummaryRequest request) {
      boolean added = summaries.stream().noneMatch(r -> r.equals(request));
      summaries.add(request);
      return new dev.gantry.signing.SummaryAttestation("test-key", "sha256:" + "7".repeat(64), "sha256:" + "8".repeat(64), added);
    }

    @Override
    public dev.gantry.signing.Reverified reverify(dev.gantry.signing.ReverifyRequest request) {
      reverified.add(request);
      String refusal = unverifiable.get(request.release().digest());
      if (refusal != null) {
        throw ApplicationFailure.newNonRetryableFailure(refusal, FailureTypes.ROLLBACK_REFUSED);
      }
      return new dev.gantry.signing.Reverified(List.of("re-verified " + request.release().digest() + " for " + request.environment()));
    }
  }

  public final List<dev.gantry.signing.SummaryRequest> summaries = Collections.synchronizedList(new ArrayList<>());
  public final List<dev.gantry.signing.ReverifyRequest> reverified = Collections.synchronizedList(new ArrayList<>());
  /** Digests whose re-verification refuses, with the reason. */
  public final Map<String, String> unverifiable = new java.util.concurrent.ConcurrentHashMap<>();
}
