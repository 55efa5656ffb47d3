package dev.gantry.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.LockfileDigest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed in a service's dependencies since the previous release that reached the same
 * environment. Components match by purl without version, qualifiers or subpath ({@code
 * pkg:npm/lodash}), or by type and name when they have no purl; versions order by {@link
 * VersionOrder}. Stored as evidence of type {@link EvidenceType#DEPENDENCY_DIFF} ({@link #toJson}).
 *
 * @param previousSbom sha256 of the previous release's SBOM record; null for a first release
 * @param currentSbom sha256 of this release's SBOM record
 * @param newLicenses each license no previous component carried → the components ({@code
 *     name@version}) that bring it; for a first release, every license
 * @param changedLockfiles lockfile paths whose digest differs from the previous release's, or
 *     that one side names and the other does not (only when both releases recorded lockfiles)
 * @param lockfileChangedWithSameSbom a lockfile changed while the SBOM lists the same components:
 *     the SBOM may be stale, or the change did not reach the image
 */
public record DependencyDiff(
    String previousSbom,
    String currentSbom,
    List<Change> added,
    List<Change> removed,
    List<Change> upgraded,
    List<Change> downgraded,
    Map<String, List<String>> newLicenses,
    boolean lockfileChanged,
    List<String> changedLockfiles,
    boolean lockfileChangedWithSameSbom) {

  public static final String SCHEMA = "https://gantry.dev/evidence/dependency-diff/v1";

  /**
   * One component's change.
   *
   * @param purl the current purl (the previous one for a removal)
   * @param from the previous version; null when added
   * @param to the current version; null when removed
   */
  public record Change(String name, String purl, String from, String to) {

    /** {@code lodash 4.17.20 → 4.17.21 (pkg:npm/lodash@4.17.21)}, for reasons. */
    public String describe() {
      String version = from == null ? to : to == null ? from : from + " → " + to;
      return name + (version == null ? "" : " " + version) + (purl == null ? "" : " (" + purl + ")");
    }
  }

  public DependencyDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    upgraded = List.copyOf(upgraded);
    downgraded = List.copyOf(downgraded);
    newLicenses = Collections.unmodifiableMap(new TreeMap<>(newLicenses));
    changedLockfiles = List.copyOf(changedLockfiles);
  }

  public boolean firstRelease() {
    return previousSbom == null;
  }

  public boolean componentsChanged() {
    return !added.isEmpty() || !removed.isEmpty() || !upgraded.isEmpty() || !downgraded.isEmpty();
  }

  /**
   * @param previous the previous release's SBOM in this environment; null for a first release
   * @param previousLocks the previous release's lockfile digests; empty when none were recorded
   */
  public static DependencyDiff of(Sbom previous, Sbom current, List<LockfileDigest> previousLocks, List<LockfileDigest> currentLocks) {
    Map<String, List<Component>> before = byKey(previous == null ? List.of() : previous.components());
    Map<String, List<Component>> after = byKey(current.components());
    List<Change> added = new ArrayList<>();
    List<Change> removed = new ArrayList<>();
    List<Change> upgraded = new ArrayList<>();
    List<Change> downgraded = new ArrayList<>();

    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String key : keys) {
      List<Component> was = onlyIn(before.getOrDefault(key, List.of()), after.getOrDefault(key, List.of()));
      List<Component> now = onlyIn(after.getOrDefault(key, List.of()), before.getOrDefault(key, List.of()));
      // several versions of one package (nested node_modules): pair them off lowest to lowest
      int pairs = Math.min(was.size(), now.size());
      for (int i = 0; i < pairs; i++) {
        Component a = was.get(i);
        Component b = now.get(i);
        int c = VersionOrder.INSTANCE.compareWithBuild(a.version(), b.version());
        if (c < 0) {
          upgraded.add(new Change(b.name(), b.purl(), a.version(), b.version()));
        } else if (c > 0) {
          downgraded.add(new Change(b.name(), b.purl(), a.version(), b.version()));
        }
      }
      was.subList(pairs, was.size()).forEach(a -> removed.add(new Change(a.name(), a.purl(), a.version(), null)));
      now.subList(pairs, now.size()).forEach(b -> added.add(new Change(b.name(), b.purl(), null, b.version())));
    }

    Set<String> knownLicenses = new HashSet<>();
    if (previous != null) {
      previous.components().forEach(c -> c.licenses().forEach(l -> knownLicenses.add(l.toLowerCase(Locale.ROOT))));
    }
    Map<String, Set<String>> newLicenses = new TreeMap<>();
    for (Component c : current.components()) {
      for (String l : c.licenses()) {
        if (!knownLicenses.contains(l.toLowerCase(Locale.ROOT))) {
          newLicenses.computeIfAbsent(l, k -> new TreeSet<>()).add(c.name() + (c.version() == null ? "" : "@" + c.version()));
        }
      }
    }
    Map<String, List<String>> licenses = new LinkedHashMap<>();
    newLicenses.forEach((l, cs) -> licenses.put(l, List.copyOf(cs)));

    List<String> changedLocks = changedLockfiles(previousLocks, currentLocks);
    boolean lockChanged = !changedLocks.isEmpty();
    boolean sameComponents = added.isEmpty() && removed.isEmpty() && upgraded.isEmpty() && downgraded.isEmpty();
    return new DependencyDiff(
        previous == null ? null : previous.sha256(), current.sha256(), added, removed, upgraded, downgraded, licenses,
        lockChanged, changedLocks, lockChanged && previous != null && sameComponents);
  }

  /** Components of {@code mine} whose version {@code other} does not have, lowest version first. */
  private static List<Component> onlyIn(List<Component> mine, List<Component> other) {
    Set<String> versions = new HashSet<>();
    other.forEach(c -> versions.add(String.valueOf(c.version())));
    List<Component> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Component c : mine) {
      String v = String.valueOf(c.version());
      if (!versions.contains(v) && seen.add(v)) {
        out.add(c);
      }
    }
    out.sort((a, b) -> VersionOrder.INSTANCE.compareWithBuild(a.version(), b.version()));
    return out;
  }

  private static Map<String, List<Component>> byKey(List<Component> components) {
    Map<String, List<Component>> out = new LinkedHashMap<>();
    for (Component c : components) {
      out.computeIfAbsent(matchKey(c), k -> new ArrayList<>()).add(c);
    }
    return out;
  }

  /**
   * {@code pkg:type/namespace/name} without version, qualifiers or subpath, percent-decoded and
   * the type in lowercase; {@code type:name} for a component without a usable purl.
   */
  static String matchKey(Component c) {
    String purl = c.purl();
    if (purl != null && purl.startsWith("pkg:") && purl.indexOf('/') > 4) {
      String s = purl;
      int hash = s.indexOf('#');
      s = hash >= 0 ? s.substring(0, hash) : s;
      int query = s.indexOf('?');
      s = query >= 0 ? s.substring(0, query) : s;
      int at = s.lastIndexOf('@');
      if (at > s.lastIndexOf('/')) {
        s = s.substring(0, at);
      }
      s = s.substring(4);
      while (s.startsWith("/")) {
        s = s.substring(1); // pkg://npm/x is tolerated by the purl spec
      }
      int slash = s.indexOf('/');
      if (slash > 0) {
        return "pkg:" + s.substring(0, slash).toLowerCase(Locale.ROOT) + "/" + percentDecode(s.substring(slash + 1));
      }
    }
    return (c.type() == null ? "" : c.type()) + ":" + c.name();
  }

  /** Percent-decoding only: unlike URLDecoder, {@code +} stays a plus ({@code libstdc++6}). */
  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<String> changedLockfiles(List<LockfileDigest> previous, List<LockfileDigest> current) {
    if (previous == null || current == null || previous.isEmpty() || current.isEmpty()) {
      return List.of(); // nothing to compare with: not a change
    }
    Map<String, String> before = new TreeMap<>();
    previous.forEach(l -> before.put(l.path(), l.sha256()));
    Map<String, String> after = new TreeMap<>();
    current.forEach(l -> after.put(l.path(), l.sha256()));
    Set<String> paths = new TreeSet<>(before.keySet());
    paths.addAll(after.keySet());
    List<String> out = new ArrayList<>();
    for (String p : paths) {
      if (!Objects.equals(before.get(p), after.get(p))) {
        out.add(p);
      }
    }
    return out;
  }

  /** One line: {@code 3 added, 1 upgraded, no downgrades, no new licenses}. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    if (firstRelease()) {
      parts.add("first release: " + added.size() + " components, nothing to compare with");
    } else {
      if (!added.isEmpty()) {
        parts.add(added.size() + " added");
      }
      if (!removed.isEmpty()) {
        parts.add(removed.size() + " removed");
      }
      if (!upgraded.isEmpty()) {
        parts.add(upgraded.size() + " upgraded");
      }
      if (parts.isEmpty() && downgraded.isEmpty()) {
        parts.add("no component changes");
      }
      parts.add(downgraded.isEmpty() ? "no downgrades" : downgraded.size() + (downgraded.size() == 1 ? " downgrade" : " downgrades"));
    }
    parts.add(newLicenses.isEmpty() ? "no new licenses" : "new licenses: " + String.join(", ", newLicenses.keySet()));
    return String.join(", ", parts);
  }

  /** The evidence document Gantry stores (type DEPENDENCY_DIFF); its canonical sha256 is its identity. */
  public ObjectNode toJson() {
    ObjectNode out = Json.WRITER.createObjectNode();
    out.put("schema", SCHEMA);
    out.put("type", EvidenceType.DEPENDENCY_DIFF.name());
    if (previousSbom == null) {
      out.putNull("previousSbom");
    } else {
      out.put("previousSbom", previousSbom);
    }
    out.put("currentSbom", currentSbom);
    out.put("summary", summary());
    changes(out.putArray("added"), added);
    changes(out.putArray("removed"), removed);
    changes(out.putArray("upgraded"), upgraded);
    changes(out.putArray("downgraded"), downgraded);
    ObjectNode licenses = out.putObject("newLicenses");
    newLicenses.forEach((l, cs) -> {
      ArrayNode names = licenses.putArray(l);
      cs.forEach(names::add);
    });
    ObjectNode locks = out.putObject("lockfiles");
    locks.put("changed", lockfileChanged);
    ArrayNode paths = locks.putArray("changedPaths");
    changedLockfiles.forEach(paths::add);
    locks.put("changedWithSameSbom", lockfileChangedWithSameSbom);
    return out;
  }

  private static void changes(ArrayNode into, List<Change> changes) {
    for (Change c : changes) {
      ObjectNode n = into.addObject();
      n.put("name", c.name());
      n.put("purl", c.purl());
      n.put("from", c.from());
      n.put("to", c.to());
    }
  }
}
