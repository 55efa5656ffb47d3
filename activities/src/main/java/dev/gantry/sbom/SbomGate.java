package dev.gantry.sbom;

import dev.gantry.catalog.ComponentIndex;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Gate;
import dev.gantry.evidence.GateContext;
import dev.gantry.evidence.GateVerdict;
import dev.gantry.evidence.ReleaseRef;
import dev.gantry.evidence.SbomPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SBOM gate: one CycloneDX 1.5/1.6 or SPDX 2.3 SBOM about this release's digest, within the
 * size and component limits. An attested SBOM must name the digest among its statement's subjects;
 * a raw one must name it where the format says what it describes, and one naming nothing is bound
 * to the release only by having been uploaded for it (said so in the reasons). The accepted SBOM's
 * components go to the triage index, also when only the dependency diff asks for the SBOM.
 */
public final class SbomGate implements Gate {
  public static final String NAME = "sbom";

  private static final GateContext.Key<Result> RESULT = new GateContext.Key<>(NAME);

  private final ComponentIndex components;

  public SbomGate(ComponentIndex components) {
    this.components = components;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<EvidenceType> reads() {
    return Set.of(EvidenceType.SBOM);
  }

  @Override
  public Optional<GateVerdict> judge(GateContext context) {
    if (context.policy().sbom() == null && context.policy().dependencies() == null) {
      return Optional.empty();
    }
    Result r = result(context);
    if (r.sbom() != null) {
      components.indexComponents(context.release().service(), context.release().commit(), r.sbom().components().stream()
          .map(c -> new ComponentIndex.ComponentRow(c.purl(), c.name(), c.version(), c.type(), c.licenses(), c.hashes())).toList());
    }
    return context.policy().sbom() == null ? Optional.empty() : Optional.of(r.verdict());
  }

  /** The release's accepted SBOM (under the policy's limits, or the defaults), or null when none is usable. */
  public static Sbom sbom(GateContext context) {
    return result(context).sbom();
  }

  private static Result result(GateContext context) {
    SbomPolicy policy = context.policy().sbom() == null ? SbomPolicy.defaults() : context.policy().sbom();
    return context.once(RESULT, c -> evaluate(c.release(), policy, c.documents(EvidenceType.SBOM)));
  }

  /** The previous release's accepted SBOM under the default limits, or null (no previous release, no usable SBOM). */
  public static Sbom previousSbom(GateContext context) {
    return context.previous().map(p -> {
      List<EvidenceDocument> sboms = p.documents(EvidenceType.SBOM);
      return sboms.isEmpty() ? null : evaluate(p.release(), SbomPolicy.defaults(), sboms).sbom();
    }).orElse(null);
  }

  /** An uploaded SBOM: CycloneDX or SPDX within the default limits. */
  public static void check(EvidenceDocument doc) {
    SbomParser.parse(doc, SbomPolicy.defaults());
  }

  /** @param sbom the SBOM the gate accepted; null unless the verdict passed */
  public record Result(GateVerdict verdict, Sbom sbom) {}

  public static Result evaluate(ReleaseRef release, SbomPolicy policy, List<EvidenceDocument> sboms) {
    String digest = release.digest();
    if (sboms == null || sboms.isEmpty()) {
      return new Result(
          GateVerdict.missing(
              NAME,
              "no SBOM for " + digest + ": attach one to the image (cosign attest --type cyclonedx) or upload it for "
                  + release.service() + "@" + release.commit()),
          null);
    }
    List<String> refusals = new ArrayList<>();
    List<String> read = new ArrayList<>();
    for (EvidenceDocument doc : sboms) {
      read.add(doc.sha256());
      try {
        Accepted accepted = accept(doc, digest, policy);
        List<String> reasons = new ArrayList<>(accepted.reasons());
        refusals.forEach(r -> reasons.add("also read and set aside: " + r));
        return new Result(GateVerdict.pass(NAME, reasons, read), accepted.sbom());
      } catch (EvidenceException e) {
        refusals.add(e.getMessage());
      } catch (RuntimeException e) {
        // fail closed on anything unforeseen in a document, and say what it was
        refusals.add("SBOM " + doc.sha256() + " could not be read: " + e);
      }
    }
    return new Result(GateVerdict.fail(NAME, refusals, read), null);
  }

  private record Accepted(List<String> reasons, Sbom sbom) {}

  /** The SBOM and the pass reasons when the document is usable and about the digest; else throws the refusal. */
  private static Accepted accept(EvidenceDocument doc, String digest, SbomPolicy policy) {
    SbomParser.Read read = SbomParser.read(doc, policy, digest);
    Sbom sbom = read.sbom();
    String what =
        sbom.format() + " " + sbom.specVersion() + " SBOM " + doc.sha256() + " lists " + sbom.components().size() + " components";
    if (read.statement() != null) {
      return new Accepted(List.of(what + "; attested for " + digest + " (" + doc.source() + ")"), sbom);
    }
    if (sbom.subjectDigests().isEmpty()) {
      return new Accepted(List.of(what, "SBOM names no image digest; bound to the release by upload (" + doc.source() + ")"), sbom);
    }
    if (!sbom.subjectDigests().contains(digest)) {
      throw new EvidenceException(
          "SBOM " + doc.sha256() + " describes " + String.join(", ", sbom.subjectDigests()) + " not the release's " + digest);
    }
    return new Accepted(List.of(what + "; it describes " + digest), sbom);
  }
}
