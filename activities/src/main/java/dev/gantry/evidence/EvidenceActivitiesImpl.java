package dev.gantry.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.catalog.Transactions;
import dev.gantry.model.ImageRef;
import dev.gantry.registry.Attachment;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects a release's attached evidence, runs an environment's gates over everything the release
 * has, and writes the evidence bundle: the policy, every gate's verdict and the digest of every
 * record used, as one canonical JSON document whose sha256 approvals are bound to. Which gates
 * there are, and their order, is the worker wiring's list: this class names none of them.
 */
public class EvidenceActivitiesImpl implements EvidenceActivities {
  private static final Logger log = LoggerFactory.getLogger(EvidenceActivitiesImpl.class);
  public static final String BUNDLE_SCHEMA = "https://gantry.dev/evidence/bundle/v1";
  /** The workflow sees reasons, not every finding: the bundle holds the full verdicts. */
  static final int REASONS_IN_HISTORY = 20;

  private final DataSource dataSource;
  private final EvidenceStore store;
  private final Function<ImageRef, List<Attachment>> attachments;
  private final List<Gate> gates;
  private final Clock clock;

  /**
   * @param attachments lists what is attached to an image digest (registry or OCI layout)
   * @param gates the gates, in the order their verdicts appear in a bundle; each runs when the
   *     environment's policy requires it
   */
  public EvidenceActivitiesImpl(
      DataSource dataSource,
      EvidenceStore store,
      Function<ImageRef, List<Attachment>> attachments,
      List<Gate> gates,
      Clock clock) {
    this.dataSource = dataSource;
    this.store = store;
    this.attachments = attachments;
    this.gates = List.copyOf(gates);
    this.clock = clock;
    Set<String> names = new HashSet<>();
    for (Gate g : this.gates) {
      if (!names.add(g.name())) {
        throw new IllegalArgumentException("two gates are named " + g.name() + ": a bundle holds one verdict per gate");
      }
    }
  }

  // --- collect ------------------------------------------------------------------------------

  @Override
  public int collect(ReleaseRef release) {
    List<Attachment> found = attachments.apply(new ImageRef(release.image(), release.digest()));
    int stored = 0;
    for (Attachment a : found) {
      EvidenceType type = typeOf(a);
      if (type == null) {
        log.info("{}/{}: ignoring attached {} ({}) from {}: not evidence Gantry reads", release.service(), release.commit(),
            a.mediaType(), a.predicateType() == null ? a.artifactType() : a.predicateType(), a.source());
        continue;
      }
      JsonNode json;
      try {
        json = Json.read(a.content(), "attached " + type + " " + a.manifestDigest());
      } catch (EvidenceException e) {
        // a poisoned attachment is reported, never retried: the gates find the evidence missing
        log.warn("{}/{}: attached evidence refused: {}", release.service(), release.commit(), e.getMessage());
        continue;
      }
      if (store.store(release.service(), release.commit(), type, a.mediaType(), json, a.source()).created()) {
        stored++;
      }
    }
    int total = store.members(release.service(), release.commit()).size();
    log.info("{}/{}: {} attachment(s) found, {} new, {} evidence record(s) in all", release.service(), release.commit(), found.size(), stored, total);
    return total;
  }

  /** Which evidence an attachment is, by its in-toto predicate type or its artifact type. */
  static EvidenceType typeOf(Attachment a) {
    String p = a.predicateType() == null ? "" : a.predicateType();
    String t = (a.artifactType() == null ? "" : a.artifactType()) + " " + (a.mediaType() == null ? "" : a.mediaType());
    if (p.startsWith("https://slsa.dev/provenance/")) {
      return EvidenceType.PROVENANCE;
    }
    if (p.startsWith("https://cyclonedx.org/bom") || p.startsWith("https://spdx.dev/Document") || t.contains("cyclonedx") || t.contains("spdx")) {
      return p.startsWith("https://cyclonedx.org/vex") ? EvidenceType.VEX : EvidenceType.SBOM;
    }
    if (p.startsWith("https://cosign.sigstore.dev/attestation/vuln/")) {
      return EvidenceType.SCAN;
    }
    if (p.startsWith("https://openvex.dev/ns") || t.contains("openvex")) {
      return EvidenceType.VEX;
    }
    return null;
  }

  @Override
  public String recordEvaluation(ReleaseRef release, Map<String, Double> metrics) {
    ObjectNode doc = Json.WRITER.createObjectNode();
    doc.put("schema", "https://gantry.dev/evidence/evaluation/v1");
    doc.put("service", release.service());
    doc.put("commit", release.commit());
    doc.put("digest", release.digest());
    ObjectNode m = doc.putObject("metrics");
    new java.util.TreeMap<>(metrics).forEach(m::put);
    return store.store(release.service(), release.commit(), EvidenceType.EVALUATION, "application/json", doc, "gantry").sha256();
  }

  // --- assess -------------------------------------------------------------------------------

  @Override
  public Assessment assess(AssessRequest request) {
    ReleaseRef release = request.release();
    EvidencePolicy policy = request.policy() == null ? EvidencePolicy.none() : request.policy();
    GateContext context = new GateContext(
        request,
        clock.instant(),
        store.documents(release.service(), release.commit()),
        () -> previous(release, request.environment()),
        (type, json) -> store.store(release.service(), release.commit(), type, "application/json", json, "gantry").sha256());
    List<GateVerdict> verdicts = new ArrayList<>();
    for (Gate gate : gates) {
      Optional<GateVerdict> verdict = gate.judge(context);
      if (verdict.isPresent() && !verdict.get().gate().equals(gate.name())) {
        throw new IllegalStateException("gate " + gate.name() + " returned a verdict named " + verdict.get().gate());
      }
      verdict.ifPresent(verdicts::add);
    }
    return bundle(release, request.environment(), policy, verdicts);
  }

  /** The previous release of the service that reached this environment (promoted and verified), with its records. */
  private Optional<GateContext.PreviousRelease> previous(ReleaseRef release, String environment) {
    String commit;
    String digest;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            """
            SELECT p.commit, p.digest FROM promotions p
            WHERE p.service = ? AND p.environment = ? AND p.outcome = 'PROMOTED' AND p.commit IS NOT NULL AND p.commit <> ?
            ORDER BY p.at DESC LIMIT 1""")) {
      ps.setString(1, release.service());
      ps.setString(2, environment);
      ps.setString(3, release.commit());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        commit = rs.getString(1);
        digest = rs.getString(2);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("catalog unavailable (will retry): " + e.getMessage(), e);
    }
    ReleaseRef ref = new ReleaseRef(release.service(), commit, release.image(), digest);
    return Optional.of(new GateContext.PreviousRelease(ref, store.documents(release.service(), commit)));
  }

  // --- bundle -------------------------------------------------------------------------------

  private Assessment bundle(ReleaseRef release, String environment, EvidencePolicy policy, List<GateVerdict> verdicts) {
    Outcome outcome = verdicts.stream().anyMatch(v -> v.outcome() == Outcome.FAIL)
        ? Outcome.FAIL
        : verdicts.stream().anyMatch(v -> v.outcome() == Outcome.MISSING) ? Outcome.MISSING : Outcome.PASS;
    String policyDigest = "sha256:" + dev.gantry.model.ObjectStore.sha256(Json.canonical(policy));
    TreeSet<String> used = new TreeSet<>();
    verdicts.forEach(v -> used.addAll(v.evidence()));
    Map<String, EvidenceStore.Member> known = store.members(release.service(), release.commit());

    ObjectNode bundle = Json.WRITER.createObjectNode();
    bundle.put("schema", BUNDLE_SCHEMA);
    bundle.put("service", release.service());
    bundle.put("commit", release.commit());
    bundle.put("image", release.image());
    bundle.put("digest", release.digest());
    bundle.put("environment", environment);
    bundle.set("policy", Json.WRITER.valueToTree(policy));
    bundle.put("policyDigest", policyDigest);
    bundle.put("outcome", outcome.name());
    ArrayNode members = bundle.putArray("members");
    for (String sha : used) {
      ObjectNode m = members.addObject();
      m.put("sha256", sha);
      EvidenceStore.Member d = known.get(sha);
      if (d != null) {
        m.put("type", d.type().name());
        m.put("mediaType", d.mediaType());
        m.put("source", d.source());
      } else {
        m.put("type", "PREVIOUS_RELEASE"); // e.g. the previous release's SBOM a diff compared with
      }
    }
    bundle.set("verdicts", Json.WRITER.valueToTree(verdicts));
    EvidenceStore.Stored stored = store.store(release.service(), release.commit(), EvidenceType.BUNDLE, "application/json", bundle, "gantry");
    index(release, environment, stored.sha256(), outcome, policyDigest, verdicts);
    log.info("{}/{} {}: evidence bundle {} {}", release.service(), release.commit(), environment, stored.sha256(), outcome);
    return new Assessment(environment, stored.sha256(), outcome, verdicts.stream().map(EvidenceActivitiesImpl::compact).toList());
  }

  /** Reasons capped and findings left out, to keep workflow histories small. */
  static GateVerdict compact(GateVerdict v) {
    List<String> reasons = v.reasons();
    if (reasons.size() > REASONS_IN_HISTORY) {
      List<String> head = new ArrayList<>(reasons.subList(0, REASONS_IN_HISTORY));
      head.add("… " + (reasons.size() - REASONS_IN_HISTORY) + " more in the evidence bundle");
      reasons = head;
    }
    return new GateVerdict(v.gate(), v.outcome(), reasons, v.evidence(), List.of());
  }

  private void index(ReleaseRef release, String environment, String bundleSha, Outcome outcome, String policyDigest, List<GateVerdict> verdicts) {
    try {
      Transactions.inTransaction(dataSource, c -> {
        try (PreparedStatement ps = c.prepareStatement(
            """
            INSERT INTO evidence_bundles (service, commit, environment, bundle_sha256, outcome, policy_sha256, assessed_at)
            VALUES (?,?,?,?,?,?,?)
            ON CONFLICT (service, commit, environment) DO UPDATE SET bundle_sha256 = excluded.bundle_sha256,
              outcome = excluded.outcome, policy_sha256 = excluded.policy_sha256, assessed_at = excluded.assessed_at""")) {
          ps.setString(1, release.service());
          ps.setString(2, release.commit());
          ps.setString(3, environment);
          ps.setString(4, bundleSha);
          ps.setString(5, outcome.name());
          ps.setString(6, policyDigest);
          ps.setTimestamp(7, Timestamp.from(Instant.now(clock)));
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO gate_verdicts (bundle_sha256, gate, outcome, reasons, evidence) VALUES (?,?,?,?::jsonb,?) ON CONFLICT DO NOTHING")) {
          for (GateVerdict v : verdicts) {
            ps.setString(1, bundleSha);
            ps.setString(2, v.gate());
            ps.setString(3, v.outcome().name());
            ps.setString(4, Json.WRITER.valueToTree(v.reasons()).toString());
            Array evidence = c.createArrayOf("text", v.evidence().toArray());
            ps.setArray(5, evidence);
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("evidence index unavailable (will retry): " + e.getMessage(), e);
    }
  }
}
