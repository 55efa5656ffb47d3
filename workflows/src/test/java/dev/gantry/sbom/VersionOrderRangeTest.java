package dev.gantry.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The properties triage's version ranges ({@code >=4.0.0,<4.18.2}) rely on: a total order that is
 * consistent (a range filter is only as good as its comparator), numbers compared as numbers,
 * pre-releases before their release, and the spellings ecosystems use for one version equal.
 */
class VersionOrderRangeTest {
  static final VersionOrder ORDER = VersionOrder.INSTANCE;

  /** Ascending; each inner list holds spellings of one version. */
  static final List<List<String>> ASCENDING = List.of(
      List.of("0.9.9"),
      List.of("1.0.0-alpha"),
      List.of("1.0.0-alpha.1"),
      List.of("1.0.0-beta", "1.0.0-BETA"),
      List.of("1.0.0-beta.2"),
      List.of("1.0.0-beta.11"),
      List.of("1.0.0-rc.1", "1.0.0-rc1", "1.0.0-RC1"),
      List.of("1.0.0", "v1.0.0", "V1.0.0", "1.0.0+build.7", "0:1.0.0"),
      List.of("1.0.1"),
      List.of("1.2.0-SNAPSHOT"),
      List.of("1.2.0"),
      List.of("1.9.0"),
      List.of("1.10.0"),
      List.of("1.17.1"),
      List.of("2.0.0~rc1"),
      List.of("2.0.0"),
      List.of("10.0.0"),
      List.of("1:0.1.0"),
      List.of("2:0.0.1"));

  @Test
  void versionsSortInTheirEcosystemsOrderAndSpellingsOfOneVersionAreEqual() {
    for (int i = 0; i < ASCENDING.size(); i++) {
      for (int j = 0; j < ASCENDING.size(); j++) {
        for (String a : ASCENDING.get(i)) {
          for (String b : ASCENDING.get(j)) {
            assertThat(Integer.signum(ORDER.compare(a, b)))
                .as("compare(%s, %s)", a, b)
                .isEqualTo(Integer.compare(i, j));
          }
        }
      }
    }
  }

  @Test
  void sortingAShuffledListGivesTheAscendingOrder() {
    List<String> expected = ASCENDING.stream().map(List::getFirst).toList();
    List<String> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new Random(7));
    shuffled.sort(ORDER);
    assertThat(shuffled).containsExactlyElementsOf(expected);
  }

  @Test
  void theOrderIsTotalAntisymmetricAndTransitiveOverMixedSpellings() {
    List<String> corpus = new ArrayList<>();
    ASCENDING.forEach(corpus::addAll);
    corpus.addAll(List.of("1", "1.0", "1.0.0.0", "1.0a", "1.0.beta", "2024.01.15", "r2", "abc", "", "1..2", "1.-2", "v", "0:", "12:1",
        "3.0.11-1~deb12u2", "7.88.1-10+deb12u5", "1.2.3-0.3.7", "1.2.3-x.7.z.92", "20250101000000"));
    for (String a : corpus) {
      assertThat(ORDER.compare(a, a)).as(a).isZero();
      for (String b : corpus) {
        assertThat(Integer.signum(ORDER.compare(a, b))).as("compare(%s, %s)", a, b).isEqualTo(-Integer.signum(ORDER.compare(b, a)));
        for (String c : corpus) {
          if (ORDER.compare(a, b) <= 0 && ORDER.compare(b, c) <= 0) {
            assertThat(ORDER.compare(a, c)).as("%s <= %s <= %s", a, b, c).isLessThanOrEqualTo(0);
          }
        }
      }
    }
  }

  @Test
  void aHalfOpenRangeKeepsItsLowerBoundAndDropsItsUpperBound() {
    List<String> releases = List.of("3.21.0", "4.0.0-rc.1", "4.0.0", "4.9.1", "4.17.1", "4.18.2-beta", "4.18.2", "4.18.3", "5.0.0-beta.1");
    List<String> inRange = releases.stream()
        .filter(v -> ORDER.compare(v, "4.0.0") >= 0 && ORDER.compare(v, "4.18.2") < 0)
        .toList();
    assertThat(inRange).containsExactly("4.0.0", "4.9.1", "4.17.1", "4.18.2-beta");
  }

  @Test
  void nullSortsFirstAndEqualsOnlyItself() {
    assertThat(ORDER.compare(null, null)).isZero();
    assertThat(ORDER.compare(null, "0")).isNegative();
    assertThat(ORDER.compare("0", null)).isPositive();
  }
}
