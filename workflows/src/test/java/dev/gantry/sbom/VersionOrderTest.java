package dev.gantry.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VersionOrderTest {
  private static final VersionOrder ORDER = VersionOrder.INSTANCE;

  private static void assertBefore(String lower, String higher) {
    assertThat(ORDER.compare(lower, higher)).as("%s < %s", lower, higher).isNegative();
    assertThat(ORDER.compare(higher, lower)).as("%s > %s", higher, lower).isPositive();
  }

  @Test
  void numericSegmentsCompareAsNumbers() {
    assertBefore("1.2.9", "1.2.10");
    assertBefore("1.9", "1.10.0");
    assertBefore("1.0", "1.0.1");
    assertBefore("2.36-9", "2.36-10");
    assertBefore("1.36.1-r9", "1.36.1-r15"); // Alpine revisions
  }

  @Test
  void preReleasesSortBeforeTheirRelease() {
    assertBefore("1.0.0-rc1", "1.0.0");
    assertBefore("1.0.0-alpha", "1.0.0-beta");
    assertBefore("1.0.0-beta.2", "1.0.0-beta.11");
    assertBefore("1.0.0-beta.11", "1.0.0-rc.1");
    assertBefore("2.0.dev3", "2.0a1"); // PEP 440
    assertBefore("2.0a1", "2.0b1");
    assertBefore("2.0rc1", "2.0");
    assertBefore("3.1.0-M2", "3.1.0-RC1"); // Maven milestones, case-insensitive
    assertBefore("3.1.0-RC1", "3.1.0-SNAPSHOT");
    assertBefore("3.1.0-SNAPSHOT", "3.1.0");
  }

  @Test
  void otherTextSortsAfterTheRelease() {
    assertBefore("1.1.1", "1.1.1k"); // OpenSSL patch letters
    assertBefore("1.1.1k", "1.1.1w");
    assertBefore("8.4", "8.4p1"); // OpenSSH
    assertBefore("1.0", "1.0.post1");
    assertBefore("2.30-1", "2.30-1ubuntu2");
    assertThat(ORDER.compare("5.3.2.Final", "5.3.2")).isZero();
    assertThat(ORDER.compare("1.0-GA", "1.0")).isZero();
  }

  @Test
  void tildeMarksAPreRelease() {
    assertBefore("1.0~rc1", "1.0");
    assertBefore("1.0~git20200101", "1.0");
  }

  @Test
  void epochDominates() {
    assertBefore("2.0", "1:1.0");
    assertBefore("1:9.9", "2:0.1");
    assertThat(ORDER.compare("0:1.0", "1.0")).isZero();
  }

  @Test
  void leadingVIsDropped() {
    assertThat(ORDER.compare("v1.8.0", "1.8.0")).isZero();
    assertBefore("v1.8.0", "1.8.1");
    assertBefore("v0.0.0-20230516145632-8ccac152c651", "v0.1.0"); // Go pseudo-version
  }

  @Test
  void buildMetadataIsIgnoredButCanBreakATieForADiff() {
    assertThat(ORDER.compare("1.0.0+build.5", "1.0.0")).isZero();
    assertThat(ORDER.compare("1.0.0+build.5", "1.0.0+build.7")).isZero();
    assertBefore("1.0.0+build.9", "1.0.1");

    // a Debian security update looks like build metadata; the diff still sees it as newer
    assertThat(ORDER.compareWithBuild("2.36-9+deb12u4", "2.36-9+deb12u5")).isNegative();
    assertThat(ORDER.compareWithBuild("2.0.5-1", "2.0.5-1+deb10u1")).isNegative();
    assertThat(ORDER.compareWithBuild("2.0.5-1+deb10u1", "2.0.5-1")).isPositive();
    assertThat(ORDER.compareWithBuild("v1.0", "1.0")).isZero();
  }

  @Test
  void sortsConsistentlyWithNullsFirst() {
    List<String> expected =
        Arrays.asList(null, "0.9", "1.0.0-alpha", "1.0.0-beta.2", "1.0.0-rc1", "1.0.0", "1.0.0-1", "1.0.1", "1.1.1", "1.1.1k", "1.2.10", "1:0.1");
    List<String> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new Random(4));

    shuffled.sort(ORDER);

    assertThat(shuffled).containsExactlyElementsOf(expected);
  }
}
