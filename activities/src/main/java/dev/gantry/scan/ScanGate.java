package dev.gantry.scan;

import dev.gantry.catalog.ComponentIndex;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.FindingVerdict;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.Outcome;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.ScanException;
import dev.gantry.evidence.ScanPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The scan gate: the newest usable scan report about the release's digest, judged finding by
 * finding against the environment's policy. A finding below the threshold, or unfixed while the
 * policy ignores unfixed findings, is IGNORED; one covered by an unexpired exception or a VEX
 * statement that clears it is SUPPRESSED, and the verdict says by what; anything else BLOCKS.
 * Exceptions and VEX statements are indexed by vulnerability id, so a report of thousands of
 * findings costs one map lookup per finding and id. The judged report's findings go to the triage
 * index.
 */
public final class ScanGate implements Gate {
  public static final String NAME = "scan";

  private final ComponentIndex components;

  public ScanGate(ComponentIndex components) {
    this.components = components;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<EvidenceType> reads() {
    return Set.of(EvidenceType.SCAN, EvidenceType.VEX);
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    if (context.policy().scan() == null) {
      return Optional.empty();
    }
    Result r = evaluate(context.release(), context.policy().scan(), context.documents(EvidenceType.SCAN), context.documents(EvidenceType.VEX),
        context.now());
    if (r.report() != null) {
      components.indexFindings(context.release().service(), context.release().commit(), r.report().sha256(), r.report().findings().stream()
          .map(f -> new ComponentIndex.FindingRow(f.vulnerability(), f.purl(), f.severity(), f.fixedVersion())).toList());
    }
    return Optional.of(r.verdict());
  }

  /** Reports within this much of "now" in the future are clock skew, not forgery. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** The verdict, and the report it judged (null when none was usable) for the triage index. */
  public record Result(GateVerdict verdict, ScanReport report) {}

  private record Candidate(ScanReport report, List<String> notes) {}

  private record IndexedException(ScanException exception, String purlKey) {}



  private static final Comparator<Finding> ORDER =
      Comparator.comparing((Finding f) -> Severity.valueOf(f.severity()), Comparator.reverseOrder())
          .thenComparing(Finding::vulnerability)
          .thenComparing(Finding::purl, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(Finding::pkgName)
          .thenComparing(Finding::installedVersion, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(Finding::fixedVersion, Comparator.nullsLast(Comparator.naturalOrder()));

  public static Result evaluate(
      ReleaseRef release, ScanPolicy policy, List<EvidenceDocument> reports, List<EvidenceDocument> vexDocuments, Instant now) {
    List<EvidenceDocument> reportDocs = reports == null ? List.of() : reports;
    List<EvidenceDocument> vexDocs = vexDocuments == null ? List.of() : vexDocuments;
    List<String> read =
        List.copyOf(new TreeSet<>(Stream.concat(reportDocs.stream(), vexDocs.stream()).map(EvidenceDocument::sha256).toList()));

    Severity threshold = policy == null ? null : threshold(policy.failOn());
    if (threshold == null) {
      String failOn = policy == null ? "(no scan policy)" : "'" + policy.failOn() + "'";
      return new Result(
          GateVerdict.fail(
              NAME,
              List.of("scan policy failOn " + failOn + " is not one of CRITICAL, HIGH, MEDIUM, LOW, NEGLIGIBLE, UNKNOWN;"
                  + " the scan gate is misconfigured and refuses every release until the policy is fixed"),
              read),
          null);
    }
    if (reportDocs.isEmpty()) {
      return new Result(
          GateVerdict.missing(NAME, "no scan report for " + release.digest() + "; attach or upload a Trivy (SchemaVersion 2),"
              + " Grype or cosign vuln report"),
          null);
    }

    List<String> refusals = new ArrayList<>();
    Candidate chosen = null;
    for (EvidenceDocument doc : reportDocs) {
      Candidate c = usable(doc, release, policy, now, refusals);
      if (c != null && (chosen == null || newer(c.report(), chosen.report()))) {
        chosen = c;
      }
    }
    refusals.sort(null); // the same documents in any order give the same verdict
    if (chosen == null) {
      return new Result(GateVerdict.fail(NAME, refusals, read), null);
    }
    ScanReport report = chosen.report();

    List<String> vexNotes = new ArrayList<>();
    VexIndex vex = VexIndex.of(vexDocs, release.digest(), vexNotes);
    vexNotes.sort(null);
    Map<String, List<IndexedException>> exceptions = indexExceptions(policy.exceptions());

    List<Finding> findings = new ArrayList<>(report.findings());
    findings.sort(ORDER);
    Set<String> exceptionNotes = new LinkedHashSet<>();
    List<FindingVerdict> verdicts = new ArrayList<>(findings.size());
    List<String> blockedLines = new ArrayList<>();
    List<String> suppressedLines = new ArrayList<>();
    int ignored = 0;
    for (Finding f : findings) {
      FindingVerdict v = judge(f, threshold, policy, exceptions, vex, now, exceptionNotes);
      verdicts.add(v);
      switch (v.disposition()) {
        case FindingVerdict.BLOCKED -> blockedLines.add("blocked: " + describe(f) + ", " + fixText(f));
        case FindingVerdict.SUPPRESSED -> suppressedLines.add("suppressed: " + describe(f) + " by " + v.by());
        default -> ignored++;
      }
    }

    List<String> reasons = new ArrayList<>();
    reasons.add(report.format() + " report " + report.sha256()
        + (report.createdAt() == null ? "" : " created " + report.createdAt()) + ": "
        + findings.size() + " findings, " + blockedLines.size() + " blocked, " + suppressedLines.size() + " suppressed, "
        + ignored + " ignored (fails on " + threshold + " and above" + (policy.ignoreUnfixed() ? ", unfixed ignored" : "") + ")");
    reasons.addAll(blockedLines);
    reasons.addAll(suppressedLines);
    reasons.addAll(exceptionNotes);
    reasons.addAll(chosen.notes());
    reasons.addAll(refusals);
    reasons.addAll(vexNotes);
    Outcome outcome = blockedLines.isEmpty() ? Outcome.PASS : Outcome.FAIL;
    return new Result(new GateVerdict(NAME, outcome, reasons, read, verdicts), report);
  }

  private static Severity threshold(String failOn) {
    if (failOn == null || failOn.isBlank()) {
      return null;
    }
    try {
      return Severity.valueOf(failOn.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The report if it may be judged: parses, is about this digest, is recent enough; else a refusal. */
  private static Candidate usable(EvidenceDocument doc, ReleaseRef release, ScanPolicy policy, Instant now, List<String> refusals) {
    ScanReport report;
    try {
      report = ScanReports.parse(doc);
    } catch (EvidenceException e) {
      refusals.add("refused: " + e.getMessage());
      return null;
    }
    String what = "scan report " + doc.sha256();
    List<String> notes = new ArrayList<>();
    if (report.subjectDigests().isEmpty()) {
      notes.add(what + " (" + report.format() + ") names no image digest; accepted as evidence given for " + release.digest());
    } else if (!report.subjectDigests().contains(release.digest())) {
      refusals.add("refused: " + what + " is about " + String.join(", ", report.subjectDigests()) + " not " + release.digest());
      return null;
    }
    Instant created = report.createdAt();
    if (created != null && created.isAfter(now.plus(CLOCK_SKEW))) {
      refusals.add("refused: " + what + " was created at " + created + ", after now (" + now + ")");
      return null;
    }
    Duration maxAge = policy.maxAge();
    if (maxAge != null) {
      if (created == null) {
        refusals.add("refused: " + what + " (" + report.format() + ") does not say when it was created, and the policy"
            + " limits report age to " + human(maxAge));
        return null;
      }
      if (created.isBefore(now.minus(maxAge))) {
        refusals.add("refused: " + what + " was created at " + created + ", more than " + human(maxAge)
            + " (the policy's maximum report age) before now (" + now + ")");
        return null;
      }
    }
    return new Candidate(report, notes);
  }

  private static boolean newer(ScanReport a, ScanReport b) {
    Instant ta = a.createdAt() == null ? Instant.MIN : a.createdAt();
    Instant tb = b.createdAt() == null ? Instant.MIN : b.createdAt();
    int c = ta.compareTo(tb);
    return c != 0 ? c > 0 : a.sha256().compareTo(b.sha256()) > 0;
  }

  private static Map<String, List<IndexedException>> indexExceptions(List<ScanException> exceptions) {
    Map<String, List<IndexedException>> index = new HashMap<>();
    for (ScanException e : exceptions) {
      if (e == null || e.vulnerability() == null || e.vulnerability().isBlank()) {
        continue;
      }
      String purlKey = e.purl() == null || e.purl().isBlank() ? null : Purl.key(e.purl());
      index.computeIfAbsent(id(e.vulnerability()), k -> new ArrayList<>()).add(new IndexedException(e, purlKey));
    }
    return index;
  }

  private static FindingVerdict judge(
      Finding f,
      Severity threshold,
      ScanPolicy policy,
      Map<String, List<IndexedException>> exceptions,
      VexIndex vex,
      Instant now,
      Set<String> exceptionNotes) {
    Severity severity = Severity.valueOf(f.severity());
    if (!severity.atLeast(threshold)) {
      return verdict(f, FindingVerdict.IGNORED, "below " + threshold);
    }
    if (policy.ignoreUnfixed() && f.fixedVersion() == null) {
      return verdict(f, FindingVerdict.IGNORED, "no fix available; policy ignores unfixed");
    }
    List<String> ids = ids(f);
    Purl purl = Purl.parse(f.purl());
    String purlKey = purl != null ? purl.key() : f.purl() == null ? null : f.purl().trim();
    ScanException exception = exception(ids, purlKey, exceptions, now, exceptionNotes);
    if (exception != null) {
      return verdict(f, FindingVerdict.SUPPRESSED, "exception approved by " + exception.approvedBy() + " until "
          + exception.expires() + ": " + exception.reason());
    }
    VexStatement statement = vex.statementFor(ids, purl);
    if (statement != null && statement.suppresses()) {
      return verdict(f, FindingVerdict.SUPPRESSED, statement.format() + " " + statement.sourceSha256() + " "
          + statement.status() + (statement.justification() == null ? "" : " (" + statement.justification() + ")"));
    }
    return verdict(f, FindingVerdict.BLOCKED, null);
  }

  private static List<String> ids(Finding f) {
    if (f.aliases().isEmpty()) {
      return List.of(id(f.vulnerability()));
    }
    Set<String> ids = new LinkedHashSet<>();
    ids.add(id(f.vulnerability()));
    f.aliases().forEach(a -> ids.add(id(a)));
    return List.copyOf(ids);
  }

  /** The first unexpired exception for one of the ids whose purl, if it names one, is the finding's. */
  private static ScanException exception(
      List<String> ids, String purlKey, Map<String, List<IndexedException>> index, Instant now, Set<String> notes) {
    for (String id : ids) {
      for (IndexedException ie : index.getOrDefault(id, List.of())) {
        ScanException e = ie.exception();
        if (ie.purlKey() != null && !ie.purlKey().equals(purlKey)) {
          continue;
        }
        String subject = "exception for " + e.vulnerability() + (e.purl() == null ? "" : " in " + e.purl());
        if (e.expires() == null) {
          notes.add(subject + " has no expiry date; only exceptions that expire apply");
        } else if (!now.isBefore(e.expires())) {
          notes.add(subject + " expired at " + e.expires() + " (approved by " + e.approvedBy() + "); it no longer applies");
        } else {
          return e;
        }
      }
    }
    return null;
  }

  private static FindingVerdict verdict(Finding f, String disposition, String by) {
    return new FindingVerdict(f.vulnerability(), f.purl(), f.severity(), f.fixedVersion(), disposition, by);
  }

  private static String describe(Finding f) {
    String pkg = f.pkgName() + (f.installedVersion() == null ? "" : " " + f.installedVersion());
    return f.vulnerability() + " " + f.severity() + " in " + pkg + (f.purl() == null ? "" : " (" + f.purl() + ")");
  }

  private static String fixText(Finding f) {
    return f.fixedVersion() == null ? "no fix available" : "fixed in " + f.fixedVersion();
  }

  static String id(String vulnerability) {
    return vulnerability.trim().toUpperCase(Locale.ROOT);
  }

  /** 7 days, 36 hours, 90 minutes: how a person wrote the limit. */
  static String human(Duration d) {
    if (d.toDaysPart() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
      return d.toDays() + (d.toDays() == 1 ? " day" : " days");
    }
    if (d.equals(Duration.ofHours(d.toHours()))) {
      return d.toHours() + (d.toHours() == 1 ? " hour" : " hours");
    }
    if (d.equals(Duration.ofMinutes(d.toMinutes()))) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toString();
  }
}
