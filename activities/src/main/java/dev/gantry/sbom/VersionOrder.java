package dev.gantry.sbom;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Orders package versions across ecosystems well enough for diffs and triage ranges: numeric
 * segments compare as numbers, text segments as text, and a pre-release ({@code 1.2.0-rc1},
 * {@code 1.2.0.beta}) sorts before its release. An optional epoch ({@code 1:2.3}) dominates.
 */
public final class VersionOrder implements Comparator<String> {
  public static final VersionOrder INSTANCE = new VersionOrder();

  private VersionOrder() {}

  @Override
  public int compare(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    int ea = epoch(a);
    int eb = epoch(b);
    if (ea != eb) {
      return Integer.compare(ea, eb);
    }
    List<Object> sa = segments(strip(a));
    List<Object> sb = segments(strip(b));
    int n = Math.max(sa.size(), sb.size());
    for (int i = 0; i < n; i++) {
      Object x = i < sa.size() ? sa.get(i) : null;
      Object y = i < sb.size() ? sb.get(i) : null;
      int c = compareSegment(x, y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int epoch(String v) {
    int colon = v.indexOf(':');
    if (colon > 0 && v.substring(0, colon).chars().allMatch(Character::isDigit) && colon < 10) {
      return Integer.parseInt(v.substring(0, colon));
    }
    return 0;
  }

  private static String strip(String v) {
    int colon = v.indexOf(':');
    String s = colon > 0 && epoch(v) > 0 || (colon > 0 && v.substring(0, colon).chars().allMatch(Character::isDigit)) ? v.substring(colon + 1) : v;
    int plus = s.indexOf('+'); // build metadata never orders (semver)
    s = plus >= 0 ? s.substring(0, plus) : s;
    return s.startsWith("v") || s.startsWith("V") ? s.substring(1) : s;
  }

  /** Numbers as Long, text as lowercase String; separators dropped. */
  private static List<Object> segments(String v) {
    List<Object> out = new ArrayList<>();
    int i = 0;
    while (i < v.length()) {
      char c = v.charAt(i);
      if (Character.isDigit(c)) {
        int j = i;
        while (j < v.length() && Character.isDigit(v.charAt(j))) {
          j++;
        }
        String digits = v.substring(i, j);
        out.add(digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits));
        i = j;
      } else if (Character.isLetter(c)) {
        int j = i;
        while (j < v.length() && Character.isLetter(v.charAt(j))) {
          j++;
        }
        out.add(v.substring(i, j).toLowerCase(Locale.ROOT));
        i = j;
      } else {
        i++;
      }
    }
    return out;
  }

  /**
   * Missing sorts after text (1.0 > 1.0-rc1) but before numbers (1.0 < 1.0.1); numbers sort after
   * text (1.0.1 > 1.0.beta).
   */
  private static int compareSegment(Object x, Object y) {
    if (x == null && y == null) {
      return 0;
    }
    if (x == null) {
      return y instanceof Long ? -1 : 1;
    }
    if (y == null) {
      return x instanceof Long ? 1 : -1;
    }
    if (x instanceof Long lx && y instanceof Long ly) {
      return Long.compare(lx, ly);
    }
    if (x instanceof String sx && y instanceof String sy) {
      return sx.compareTo(sy);
    }
    return x instanceof Long ? 1 : -1;
  }
}
