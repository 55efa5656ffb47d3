package dev.gantry.scan;

import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The VEX statements (OpenVEX, CycloneDX VEX) that apply to one release, by vulnerability id and
 * alias: statements about other image digests are left out (with a note), and for a finding the
 * statement that speaks last about its package wins.
 */
final class VexIndex {
  private record IndexedVex(VexStatement statement, List<Purl> products) {}

  private final Map<String, List<IndexedVex>> index;

  private VexIndex(Map<String, List<IndexedVex>> index) {
    this.index = index;
  }

  static VexIndex of(List<EvidenceDocument> docs, String digest, List<String> notes) {
    Map<String, List<IndexedVex>> index = new HashMap<>();
    for (EvidenceDocument doc : docs) {
      List<VexStatement> statements;
      try {
        statements = Vex.parse(doc);
      } catch (EvidenceException e) {
        notes.add("refused: " + e.getMessage());
        continue;
      }
      int applied = 0;
      Set<String> elsewhere = new TreeSet<>();
      for (VexStatement s : statements) {
        if (!s.imageDigests().isEmpty() && !s.imageDigests().contains(digest)) {
          elsewhere.addAll(s.imageDigests());
          continue;
        }
        List<Purl> products = new ArrayList<>(s.products().size());
        for (String p : s.products()) {
          Purl parsed = Purl.parse(p);
          if (parsed != null) {
            products.add(parsed);
          }
        }
        if (!s.products().isEmpty() && products.isEmpty()) {
          continue;
        }
        IndexedVex iv = new IndexedVex(s, products);
        Set<String> ids = new LinkedHashSet<>();
        ids.add(ScanGate.id(s.vulnerability()));
        s.aliases().forEach(a -> ids.add(ScanGate.id(a)));
        ids.forEach(k -> index.computeIfAbsent(k, x -> new ArrayList<>()).add(iv));
        applied++;
      }
      if (applied == 0 && !elsewhere.isEmpty()) {
        notes.add(statements.getFirst().format() + " " + doc.sha256() + " is about " + String.join(", ", elsewhere)
            + " not " + digest + "; it suppresses nothing here");
      }
    }
    return new VexIndex(index);
  }

  /**
   * The statement that speaks last about this vulnerability in this package: the newest timestamp
   * wins; at equal times a statement that does not clear the finding wins (fail closed).
   */
  VexStatement statementFor(List<String> ids, Purl purl) {
    VexStatement best = null;
    for (String id : ids) {
      for (IndexedVex iv : index.getOrDefault(id, List.of())) {
        if (!covers(iv, purl)) {
          continue;
        }
        VexStatement s = iv.statement();
        if (best == null) {
          best = s;
          continue;
        }
        Instant ts = s.timestamp() == null ? Instant.MIN : s.timestamp();
        Instant tb = best.timestamp() == null ? Instant.MIN : best.timestamp();
        int c = ts.compareTo(tb);
        if (c > 0 || (c == 0 && best.suppresses() && !s.suppresses())) {
          best = s;
        }
      }
    }
    return best;
  }

  private static boolean covers(IndexedVex iv, Purl purl) {
    if (iv.products().isEmpty()) {
      return true; // the whole image, already limited to this release's digest
    }
    for (Purl p : iv.products()) {
      if (p.covers(purl)) {
        return true;
      }
    }
    return false;
  }
}
