package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the gates see of one assessment: the release, the environment and its policy, the
 * release's evidence records, the previous release promoted into the environment, a way to record
 * evidence Gantry derives (the dependency diff), and results gates share, each computed once.
 */
public final class GateContext {

  /**
   * A result one gate computes and others read (the accepted SBOM, the lockfile digests), declared
   * by the gate that owns it; compared by identity.
   */
  public static final class Key<T> {
    private final String name;

    public Key(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The previous release of the service promoted into this environment, and its records. */
  public record PreviousRelease(ReleaseRef release, List<EvidenceDocument> documents) {
    public PreviousRelease {
      documents = List.copyOf(documents);
    }

    /** Its records of one type, oldest first. */
    public List<EvidenceDocument> documents(EvidenceType type) {
      return documents.stream().filter(d -> d.type() == type).toList();
    }
  }

  private final ReleaseRef release;
  private final String environment;
  private final EvidencePolicy policy;
  private final String evaluationError;
  private final Instant now;
  private final List<EvidenceDocument> documents;
  private final Map<EvidenceType, List<EvidenceDocument>> byType = new LinkedHashMap<>();
  private final Supplier<Optional<PreviousRelease>> previousLookup;
  private final BiFunction<EvidenceType, JsonNode, String> recorder;
  private final Map<Key<?>, Object> shared = new HashMap<>();
  private Optional<PreviousRelease> previous;

  /**
   * @param documents the release's records, oldest first (the order they arrived)
   * @param previous finds the previous release; asked at most once, and only by a gate that needs it
   * @param recorder stores a record Gantry writes about the release and returns its sha256
   */
  public GateContext(
      AssessRequest request,
      Instant now,
      List<EvidenceDocument> documents,
      Supplier<Optional<PreviousRelease>> previous,
      BiFunction<EvidenceType, JsonNode, String> recorder) {
    this.release = request.release();
    this.environment = request.environment();
    this.policy = request.policy() == null ? EvidencePolicy.none() : request.policy();
    this.evaluationError = request.evaluationError();
    this.now = now;
    this.documents = List.copyOf(documents);
    for (EvidenceDocument d : this.documents) {
      byType.computeIfAbsent(d.type(), k -> new ArrayList<>()).add(d);
    }
    this.previousLookup = previous;
    this.recorder = recorder;
  }

  /**
   * A context without a database, for a gate's own tests and benchmarks: no previous release, and
   * recorded evidence is only named (its content id), not stored.
   */
  public static GateContext of(
      ReleaseRef release, String environment, EvidencePolicy policy, List<EvidenceDocument> documents, Instant now) {
    return new GateContext(new AssessRequest(release, environment, policy, null), now, documents, Optional::empty,
        (type, json) -> Json.contentId(json));
  }

  public ReleaseRef release() {
    return release;
  }

  public String environment() {
    return environment;
  }

  /** The environment's policy as the release carries it; a null gate policy means "not required here". */
  public EvidencePolicy policy() {
    return policy;
  }

  /** Why the evaluation produced no result (timeout, endpoint refused), or null. */
  public String evaluationError() {
    return evaluationError;
  }

  /** The verification time of this assessment. */
  public Instant now() {
    return now;
  }

  /** Every record of the release, oldest first. */
  public List<EvidenceDocument> documents() {
    return documents;
  }

  /** The release's records of one type, oldest first. */
  public List<EvidenceDocument> documents(EvidenceType type) {
    return byType.getOrDefault(type, List.of());
  }

  /** The previous release promoted (and verified) into this environment, if there is one. */
  public Optional<PreviousRelease> previous() {
    if (previous == null) {
      previous = previousLookup.get();
    }
    return previous;
  }

  /** Stores a record Gantry derives about the release (JSON, source {@code gantry}); its sha256. */
  public String record(EvidenceType type, JsonNode json) {
    return recorder.apply(type, json);
  }

  /**
   * The shared result under {@code key}, computed by {@code compute} the first time any gate asks
   * (so the gates that read it need not run in a particular order); {@code compute} may itself ask
   * for other keys.
   */
  @SuppressWarnings("unchecked")
  public <T> T once(Key<T> key, Function<GateContext, T> compute) {
    if (shared.containsKey(key)) {
      return (T) shared.get(key);
    }
    T value = compute.apply(this);
    shared.put(key, value);
    return value;
  }
}
