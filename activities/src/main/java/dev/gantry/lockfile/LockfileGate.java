package dev.gantry.lockfile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.LockfilePolicy;
import dev.gantry.evidence.Outcome;
import dev.gantry.provenance.ProvenanceGate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The lockfile gate: the release's lockfile digests, from CI's records ({@code {"path":
 * "package-lock.json", "sha256": "<64 hex>"}}) and from the provenance's {@code
 * resolvedDependencies}. The policy can require a path; CI and provenance disagreeing about a
 * lockfile fails; a malformed record fails (CI sent it, so CI has something to fix).
 */
public final class LockfileGate implements Gate {
  public static final String NAME = "lockfile";

  private static final GateContext.Key<Result> RESULT = new GateContext.Key<>(NAME);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<EvidenceType> reads() {
    return Set.of(EvidenceType.LOCKFILE, EvidenceType.PROVENANCE);
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    return context.policy().lockfile() == null ? Optional.empty() : Optional.of(result(context).verdict());
  }

  private static Result result(GateContext context) {
    return context.once(RESULT, c -> evaluate(c.policy().lockfile(), c.documents(EvidenceType.LOCKFILE), ProvenanceGate.lockfiles(c)));
  }

  /**
   * The release's lockfile digests, for the dependency diff: what the gate accepted when the policy
   * requires it, else the provenance's followed by CI's records'.
   */
  public static List<LockfileDigest> lockfiles(GateContext context) {
    if (context.policy().lockfile() != null) {
      return result(context).lockfiles();
    }
    List<LockfileDigest> locks = new ArrayList<>(ProvenanceGate.lockfiles(context));
    locks.addAll(named(context.documents()));
    return locks;
  }

  /** Lockfile digests named by a release's own records (not its provenance), for diffs. */
  public static List<LockfileDigest> named(List<EvidenceDocument> docs) {
    List<EvidenceDocument> records = docs.stream().filter(d -> d.type() == EvidenceType.LOCKFILE).toList();
    return records.isEmpty() ? List.of() : evaluate(new LockfilePolicy(null), records, List.of()).lockfiles();
  }

  /** An uploaded lockfile record must be well formed: {@code {"path", "sha256"}}. */
  public static void check(EvidenceDocument doc) {
    Result r = evaluate(new LockfilePolicy(null), List.of(doc), List.of());
    if (r.verdict().outcome() == Outcome.FAIL) {
      throw new EvidenceException(String.join("; ", r.verdict().reasons()));
    }
  }

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  /** @param lockfiles every distinct lockfile digest found, CI's first; empty unless the verdict passed */
  public record Result(GateVerdict verdict, List<LockfileDigest> lockfiles) {}

  /**
   * @param policy null or a null path accepts any lockfile
   * @param fromProvenance digests read from the provenance (source: its record's sha256)
   */
  public static Result evaluate(LockfilePolicy policy, List<EvidenceDocument> lockfileRecords, List<LockfileDigest> fromProvenance) {
    List<EvidenceDocument> records = lockfileRecords == null ? List.of() : lockfileRecords;
    List<LockfileDigest> provenance = fromProvenance == null ? List.of() : fromProvenance;
    List<String> evidence = new ArrayList<>();
    List<String> failures = new ArrayList<>();

    Map<String, LockfileDigest> ci = new LinkedHashMap<>();
    for (EvidenceDocument doc : records) {
      evidence.add(doc.sha256());
      try {
        LockfileDigest l = parse(doc);
        LockfileDigest other = ci.putIfAbsent(l.path(), l);
        if (other != null && !other.sha256().equals(l.sha256())) {
          failures.add(
              "two CI lockfile records disagree about " + l.path() + ": " + other.source() + " says sha256:" + other.sha256()
                  + ", " + l.source() + " says sha256:" + l.sha256());
        }
      } catch (EvidenceException e) {
        failures.add(e.getMessage());
      }
    }
    Map<String, LockfileDigest> prov = new LinkedHashMap<>();
    for (LockfileDigest l : provenance) {
      LockfileDigest n = new LockfileDigest(normalize(l.path()), hex(l.sha256()), l.source());
      if (n.source() != null && !evidence.contains(n.source())) {
        evidence.add(n.source());
      }
      LockfileDigest other = prov.putIfAbsent(n.path(), n);
      if (other != null && !other.sha256().equals(n.sha256())) {
        failures.add("the provenance names " + n.path() + " twice: sha256:" + other.sha256() + " and sha256:" + n.sha256());
      }
    }
    for (LockfileDigest p : prov.values()) {
      LockfileDigest c = ci.get(p.path());
      if (c != null && !c.sha256().equals(p.sha256())) {
        failures.add(
            "CI says " + p.path() + " is sha256:" + c.sha256() + " (" + c.source() + "), provenance says sha256:" + p.sha256()
                + " (" + p.source() + ")");
      }
    }
    if (!failures.isEmpty()) {
      return new Result(GateVerdict.fail(NAME, failures, evidence), List.of());
    }

    Map<String, LockfileDigest> all = new LinkedHashMap<>(ci);
    prov.forEach(all::putIfAbsent);
    String required = policy == null || policy.path() == null ? null : normalize(policy.path());
    if (all.isEmpty()) {
      return new Result(
          GateVerdict.missing(
              NAME,
              "no lockfile digest: CI uploads {\"path\", \"sha256\"} as LOCKFILE evidence, or the provenance lists the lockfile in resolvedDependencies"
                  + (required == null ? "" : " (required: " + required + ")")),
          List.of());
    }
    if (required != null && !all.containsKey(required)) {
      return new Result(
          GateVerdict.missing(NAME, "no lockfile digest for " + required + " (the policy requires it); found " + String.join(", ", all.keySet())),
          List.of());
    }
    List<String> reasons = new ArrayList<>();
    for (LockfileDigest l : all.values()) {
      boolean inCi = ci.containsKey(l.path());
      boolean inProvenance = prov.containsKey(l.path());
      reasons.add(
          l.path() + " sha256:" + l.sha256() + " from " + (inCi && inProvenance ? "CI, matching the provenance" : inCi ? "CI" : "the provenance")
              + (l.path().equals(required) ? " (required)" : ""));
    }
    return new Result(GateVerdict.pass(NAME, reasons, evidence), List.copyOf(all.values()));
  }

  /** A CI lockfile record: {@code {"path": "<relative path>", "sha256": "<64 lowercase hex>"}}. */
  static LockfileDigest parse(EvidenceDocument doc) {
    JsonNode json = doc.body();
    String what = "lockfile record " + doc.sha256();
    if (json == null || !json.isObject()) {
      throw new EvidenceException(what + " is not a JSON object {\"path\", \"sha256\"}");
    }
    JsonNode path = json.get("path");
    JsonNode sha = json.get("sha256");
    if (path == null || !path.isTextual() || path.asText().isBlank()) {
      throw new EvidenceException(what + " has no path");
    }
    if (sha == null || !sha.isTextual()) {
      throw new EvidenceException(what + " has no sha256");
    }
    String p = path.asText();
    if (p.startsWith("/") || p.startsWith("\\") || p.matches("^[A-Za-z]:.*") || p.contains("\\")) {
      throw new EvidenceException(what + ": path " + p + " must be relative to the repository root, with / separators");
    }
    for (String segment : p.split("/")) {
      if (segment.equals("..")) {
        throw new EvidenceException(what + ": path " + p + " must not contain ..");
      }
    }
    if (!HEX64.matcher(sha.asText()).matches()) {
      throw new EvidenceException(what + ": sha256 must be 64 lowercase hex digits, is '" + abbreviate(sha.asText()) + "'");
    }
    String normalized = normalize(p);
    if (normalized.isEmpty() || normalized.endsWith("/")) {
      throw new EvidenceException(what + ": path " + p + " does not name a file");
    }
    return new LockfileDigest(normalized, sha.asText(), doc.sha256());
  }

  /** {@code ./a//b} → {@code a/b}: the same file named two ways is one lockfile. */
  private static String normalize(String path) {
    String p = path.strip().replaceAll("/{2,}", "/");
    while (p.startsWith("./") || p.startsWith("/")) {
      p = p.substring(p.startsWith("./") ? 2 : 1);
    }
    return p;
  }

  /** Provenance digests may come as {@code sha256:<hex>} or upper case. */
  private static String hex(String sha256) {
    String s = sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT);
    return s.startsWith("sha256:") ? s.substring(7) : s;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
