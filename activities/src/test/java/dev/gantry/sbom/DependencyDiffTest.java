package dev.gantry.sbom;

import static dev.gantry.sbom.SbomFixtures.load;
import static dev.gantry.sbom.SbomFixtures.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.SbomPolicy;
import dev.gantry.sbom.DependencyDiff.Change;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyDiffTest {
  private static final String LOCK_A = "72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676";
  private static final String LOCK_B = "6f1001d5c1afd303ba68339d134dee4d1221bd81e3a821c361a487c57adffc09";

  private static Sbom parse(JsonNode bom) {
    return SbomParser.parse(raw(bom), SbomPolicy.defaults());
  }

  private static ObjectNode component(ObjectNode bom, String name) {
    for (JsonNode c : bom.get("components")) {
      if (c.path("name").asText().equals(name)) {
        return (ObjectNode) c;
      }
    }
    throw new AssertionError("no component " + name);
  }

  private static void setVersion(ObjectNode bom, String name, String version, String purl) {
    component(bom, name).put("version", version).put("purl", purl);
  }

  private static Sbom sbom(String sha, Component... components) {
    return new Sbom(Sbom.CYCLONEDX, "1.6", List.of(), List.of(components), sha);
  }

  private static Component lib(String purl, String name, String version, String... licenses) {
    return new Component(purl, name, version, "library", List.of(licenses), Map.of());
  }

  @Test
  void diffsTwoSyftSbomsOfOneService() {
    ObjectNode before = load("syft-cyclonedx-1.6.json");
    ObjectNode after = load("syft-cyclonedx-1.6.json");
    setVersion(after, "express", "4.19.2", "pkg:npm/express@4.19.2");
    setVersion(after, "lodash", "4.17.20", "pkg:npm/lodash@4.17.20");
    setVersion(after, "libc6", "2.36-9+deb12u7", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12");
    ArrayNode components = (ArrayNode) after.get("components");
    components.remove(3); // argparse
    ObjectNode leftPad = components.addObject().put("type", "library").put("name", "left-pad").put("version", "1.3.0").put("purl", "pkg:npm/left-pad@1.3.0");
    leftPad.putArray("licenses").addObject().put("expression", "MIT OR GPL-3.0-only");

    Sbom previous = parse(before);
    Sbom current = parse(after);
    DependencyDiff diff = DependencyDiff.of(previous, current, List.of(), List.of());

    assertThat(diff.previousSbom()).isEqualTo(previous.sha256());
    assertThat(diff.currentSbom()).isEqualTo(current.sha256());
    assertThat(diff.added()).containsExactly(new Change("left-pad", "pkg:npm/left-pad@1.3.0", null, "1.3.0"));
    assertThat(diff.removed()).containsExactly(new Change("argparse", "pkg:npm/argparse@2.0.1", "2.0.1", null));
    assertThat(diff.upgraded()).containsExactlyInAnyOrder(
        new Change("express", "pkg:npm/express@4.19.2", "4.18.2", "4.19.2"),
        new Change("libc6", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12", "2.36-9+deb12u4", "2.36-9+deb12u7"));
    assertThat(diff.downgraded()).containsExactly(new Change("lodash", "pkg:npm/lodash@4.17.20", "4.17.21", "4.17.20"));
    // argparse took Python-2.0 away; left-pad brings a new expression
    assertThat(diff.newLicenses()).containsExactly(Map.entry("MIT OR GPL-3.0-only", List.of("left-pad@1.3.0")));
    assertThat(diff.summary()).isEqualTo("1 added, 1 removed, 2 upgraded, 1 downgrade, new licenses: MIT OR GPL-3.0-only");
  }

  @Test
  void matchesByPurlIgnoringQualifiersAndEncoding() {
    Sbom previous = sbom("sha256:p",
        lib("pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12", "tzdata", "2024a-0+deb12u1"),
        lib("pkg:npm/%40types/node@20.11.30", "@types/node", "20.11.30"));
    Sbom current = sbom("sha256:c",
        lib("pkg:deb/debian/tzdata@2025b-0%2Bdeb12u1?arch=all&distro=debian-12&package-id=9c1e", "tzdata", "2025b-0+deb12u1"),
        lib("pkg:npm/@types/node@20.12.7", "node-types-renamed", "20.12.7"));

    DependencyDiff diff = DependencyDiff.of(previous, current, List.of(), List.of());

    assertThat(diff.upgraded()).extracting(Change::from, Change::to)
        .containsExactly(tuple("2024a-0+deb12u1", "2025b-0+deb12u1"), tuple("20.11.30", "20.12.7"));
    assertThat(diff.added()).isEmpty();
    assertThat(diff.removed()).isEmpty();
  }

  @Test
  void fallsBackToTypeAndNameWithoutAPurl() {
    Component debian12 = new Component(null, "debian", "12", "operating-system", List.of(), Map.of());
    Component debian13 = new Component(null, "debian", "13", "operating-system", List.of(), Map.of());
    Component debianLib = lib(null, "debian", "1.0");

    DependencyDiff diff = DependencyDiff.of(sbom("sha256:p", debian12), sbom("sha256:c", debian13, debianLib), List.of(), List.of());

    assertThat(diff.upgraded()).containsExactly(new Change("debian", null, "12", "13"));
    assertThat(diff.added()).containsExactly(new Change("debian", null, null, "1.0")); // another type: another component
  }

  @Test
  void pairsSeveralVersionsOfOnePackage() {
    Sbom previous = sbom("sha256:p", lib("pkg:npm/semver@5.7.2", "semver", "5.7.2"), lib("pkg:npm/semver@7.5.4", "semver", "7.5.4"));
    Sbom current = sbom("sha256:c", lib("pkg:npm/semver@7.5.4", "semver", "7.5.4"), lib("pkg:npm/semver@6.3.1", "semver", "6.3.1"),
        lib("pkg:npm/semver@7.6.0", "semver", "7.6.0"));

    DependencyDiff diff = DependencyDiff.of(previous, current, List.of(), List.of());

    assertThat(diff.upgraded()).containsExactly(new Change("semver", "pkg:npm/semver@6.3.1", "5.7.2", "6.3.1"));
    assertThat(diff.added()).containsExactly(new Change("semver", "pkg:npm/semver@7.6.0", null, "7.6.0"));
    assertThat(diff.removed()).isEmpty();
  }

  @Test
  void firstReleaseAddsEverythingAndEveryLicenseIsNew() {
    Sbom current = parse(load("trivy-cyclonedx-1.5.json"));

    DependencyDiff diff = DependencyDiff.of(null, current, List.of(), List.of(new LockfileDigest("go.sum", LOCK_A, "sha256:l")));

    assertThat(diff.firstRelease()).isTrue();
    assertThat(diff.previousSbom()).isNull();
    assertThat(diff.added()).hasSize(4);
    assertThat(diff.newLicenses()).containsOnlyKeys("Apache-2.0", "GPL-2.0-only");
    assertThat(diff.newLicenses().get("Apache-2.0")).containsExactly("github.com/spf13/cobra@v1.8.0", "libssl3@3.1.4-r5");
    assertThat(diff.lockfileChanged()).isFalse(); // nothing to compare with
    assertThat(diff.summary()).isEqualTo("first release: 4 components, nothing to compare with, new licenses: Apache-2.0, GPL-2.0-only");
  }

  @Test
  void flagsALockfileThatChangedWhileTheSbomDidNot() {
    Sbom previous = parse(load("syft-cyclonedx-1.6.json"));
    Sbom current = parse(load("syft-spdx-2.3.json").put("name", "rebuilt")); // same packages, other document
    List<LockfileDigest> before = List.of(new LockfileDigest("package-lock.json", LOCK_A, "sha256:l1"));
    List<LockfileDigest> after = List.of(new LockfileDigest("package-lock.json", LOCK_B, "sha256:l2"));

    DependencyDiff same = DependencyDiff.of(previous, parse(load("syft-cyclonedx-1.6.json").put("serialNumber", "urn:uuid:1d8f5a2e-0c6b-4f7e-9a31-5b2d8c0e7f14")), before, after);
    assertThat(same.componentsChanged()).isFalse();
    assertThat(same.lockfileChanged()).isTrue();
    assertThat(same.changedLockfiles()).containsExactly("package-lock.json");
    assertThat(same.lockfileChangedWithSameSbom()).isTrue();

    DependencyDiff changed = DependencyDiff.of(previous, current, before, after); // SPDX lacks 4 components
    assertThat(changed.lockfileChanged()).isTrue();
    assertThat(changed.lockfileChangedWithSameSbom()).isFalse();

    DependencyDiff unchanged = DependencyDiff.of(previous, current, before, before);
    assertThat(unchanged.lockfileChanged()).isFalse();
  }

  @Test
  void storesAsACanonicalDependencyDiffDocument() {
    Sbom previous = sbom("sha256:" + LOCK_A, lib("pkg:npm/lodash@4.17.21", "lodash", "4.17.21", "MIT"));
    Sbom current = sbom("sha256:" + LOCK_B, lib("pkg:npm/lodash@4.17.20", "lodash", "4.17.20", "MIT"), lib("pkg:npm/chalk@5.3.0", "chalk", "5.3.0", "MIT"));

    ObjectNode json = DependencyDiff.of(previous, current, List.of(), List.of()).toJson();

    assertThat(json.get("type").asText()).isEqualTo("DEPENDENCY_DIFF");
    assertThat(json.get("schema").asText()).isEqualTo(DependencyDiff.SCHEMA);
    assertThat(json.get("previousSbom").asText()).isEqualTo("sha256:" + LOCK_A);
    assertThat(json.get("currentSbom").asText()).isEqualTo("sha256:" + LOCK_B);
    assertThat(json.get("summary").asText()).isEqualTo("1 added, 1 downgrade, no new licenses");
    assertThat(json.get("added").get(0).get("name").asText()).isEqualTo("chalk");
    assertThat(json.get("added").get(0).get("from").isNull()).isTrue();
    assertThat(json.get("downgraded").get(0).get("to").asText()).isEqualTo("4.17.20");
    assertThat(json.get("lockfiles").get("changed").asBoolean()).isFalse();
    // same inputs, same identity
    assertThat(Json.contentId(json)).isEqualTo(Json.contentId(DependencyDiff.of(previous, current, List.of(), List.of()).toJson()));
    assertThat(Json.read(Json.canonical(json), "diff")).isEqualTo(json);
  }
}
