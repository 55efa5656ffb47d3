package dev.gantry.sbom;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Orders package versions across ecosystems well enough for diffs and triage ranges: numeric
 * segments compare as numbers, and text segments by what they usually mean. A pre-release word
 * ({@code 1.2.0-rc1}, {@code 1.2.0.beta}, {@code 2.0.dev3}, {@code 1.0~rc1}) sorts before its
 * release, any other text after it ({@code 8.4p1}, {@code 1.1.1k}, {@code 2.30-1ubuntu2}, {@code
 * 1.0.post1}); {@code final}, {@code ga} and {@code release} mean the release itself. An optional
 * epoch ({@code 1:2.3}) dominates; a leading {@code v} is dropped; semver build metadata ({@code
 * +…}) does not order ({@link #compareWithBuild} breaks that tie where a diff needs a direction).
 *
 * <p>Not consistent with equals: {@code 1.0}, {@code v1.0} and {@code 1.0+b7} compare equal.
 */
public final class VersionOrder implements Comparator<String> {
  public static final VersionOrder INSTANCE = new VersionOrder();

  private VersionOrder() {}

  /** Ranks of pre-release words; higher is closer to the release. */
  private static final List<Set<String>> PRE_RELEASE =
      List.of(
          Set.of("dev"),
          Set.of("alpha", "a", "ea"),
          Set.of("beta", "b"),
          Set.of("milestone", "m"),
          Set.of("rc", "cr", "c", "pre", "preview"),
          Set.of("snapshot"));

  private static final Set<String> RELEASE_WORDS = Set.of("final", "ga", "release");

  /** One version segment: its kind orders first, then its number or text. */
  private record Segment(int kind, long number, String text) {}

  // kinds, in order: pre-release word < release (also: no more segments) < other text < number
  private static final int PRE = 0;
  private static final int END = 1;
  private static final int TEXT = 2;
  private static final int NUMBER = 3;
  private static final Segment MISSING = new Segment(END, 0, "");

  @Override
  public int compare(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    int c = Long.compare(epoch(a), epoch(b));
    return c != 0 ? c : compareSegments(segments(core(a)), segments(core(b)));
  }

  /**
   * {@link #compare}, then the {@code +…} suffix as a tiebreak: absent before present, then by its
   * segments. For Debian revisions ({@code 2.0.5-1} → {@code 2.0.5-1+deb10u1}) that is the real
   * order; for semver build metadata it at least gives a changed build a direction.
   */
  public int compareWithBuild(String a, String b) {
    int c = compare(a, b);
    if (c != 0 || a == null || b == null) {
      return c;
    }
    String ba = build(a);
    String bb = build(b);
    if (ba == null || bb == null) {
      return ba == null ? (bb == null ? 0 : -1) : 1;
    }
    return compareSegments(segments(ba), segments(bb));
  }

  private static int compareSegments(List<Segment> sa, List<Segment> sb) {
    int n = Math.max(sa.size(), sb.size());
    for (int i = 0; i < n; i++) {
      Segment x = i < sa.size() ? sa.get(i) : MISSING;
      Segment y = i < sb.size() ? sb.get(i) : MISSING;
      int c = Integer.compare(x.kind(), y.kind());
      if (c == 0) {
        c = x.kind() == TEXT ? x.text().compareTo(y.text()) : Long.compare(x.number(), y.number());
      }
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** The epoch before a colon ({@code 1:2.3}); 0 when there is none. */
  private static long epoch(String v) {
    int colon = epochColon(v);
    return colon < 0 ? 0 : Long.parseLong(v.substring(0, colon));
  }

  private static int epochColon(String v) {
    int colon = v.indexOf(':');
    return colon > 0 && colon <= 9 && v.substring(0, colon).chars().allMatch(Character::isDigit) ? colon : -1;
  }

  /** The version without epoch, {@code v} prefix and {@code +…} suffix. */
  private static String core(String v) {
    String s = v.substring(epochColon(v) + 1);
    int plus = s.indexOf('+');
    s = plus >= 0 ? s.substring(0, plus) : s;
    return (s.startsWith("v") || s.startsWith("V")) && s.length() > 1 && Character.isDigit(s.charAt(1)) ? s.substring(1) : s;
  }

  private static String build(String v) {
    int plus = v.indexOf('+', epochColon(v) + 1);
    return plus < 0 ? null : v.substring(plus + 1);
  }

  /**
   * Digit runs and letter runs; anything else separates. Text after a {@code ~} is a pre-release
   * whatever it says (Debian: {@code 1.0~git2020} sorts before {@code 1.0}).
   */
  private static List<Segment> segments(String v) {
    List<String> runs = new ArrayList<>();
    List<Boolean> afterTilde = new ArrayList<>();
    int i = 0;
    while (i < v.length()) {
      char c = v.charAt(i);
      if (Character.isDigit(c) || Character.isLetter(c)) {
        boolean digits = Character.isDigit(c);
        int j = i;
        while (j < v.length() && (digits ? Character.isDigit(v.charAt(j)) : Character.isLetter(v.charAt(j)))) {
          j++;
        }
        runs.add(v.substring(i, j));
        afterTilde.add(i > 0 && v.charAt(i - 1) == '~');
        i = j;
      } else {
        i++;
      }
    }
    List<Segment> out = new ArrayList<>(runs.size());
    for (int k = 0; k < runs.size(); k++) {
      String run = runs.get(k);
      if (Character.isDigit(run.charAt(0))) {
        out.add(new Segment(NUMBER, run.length() > 18 ? Long.MAX_VALUE : Long.parseLong(run), ""));
        continue;
      }
      String word = run.toLowerCase(Locale.ROOT);
      boolean numberFollows = k + 1 < runs.size() && Character.isDigit(runs.get(k + 1).charAt(0));
      int rank = preReleaseRank(word, numberFollows);
      if (rank < 0 && afterTilde.get(k)) {
        rank = 0;
      }
      if (rank >= 0) {
        out.add(new Segment(PRE, rank, ""));
      } else if (RELEASE_WORDS.contains(word)) {
        out.add(MISSING);
      } else {
        out.add(new Segment(TEXT, 0, word));
      }
    }
    return out;
  }

  /**
   * A single letter is a pre-release only with a number after it ({@code 1.0a1}, {@code 2.0b3});
   * alone it is a patch letter ({@code 1.1.1k}).
   */
  private static int preReleaseRank(String word, boolean numberFollows) {
    if (word.length() == 1 && !numberFollows) {
      return -1;
    }
    for (int r = 0; r < PRE_RELEASE.size(); r++) {
      if (PRE_RELEASE.get(r).contains(word)) {
        return r;
      }
    }
    return -1;
  }
}
