package dev.gantry.lockfile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.evidence.EvidenceDocument;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.Json;
import dev.gantry.evidence.LockfileDigest;
import dev.gantry.evidence.LockfilePolicy;
import dev.gantry.evidence.Outcome;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LockfileGateTest {
  private static final String NPM_LOCK = "72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676";
  private static final String OTHER = "6f1001d5c1afd303ba68339d134dee4d1221bd81e3a821c361a487c57adffc09";
  private static final String PROVENANCE = "sha256:444e4e937895e3a0cbd82a43f41a501e96cc782c449ee3e4235e7750177e07d3";

  private static EvidenceDocument record(String path, String sha256) {
    ObjectNode json = Json.WRITER.createObjectNode().put("path", path).put("sha256", sha256);
    return record(json);
  }

  private static EvidenceDocument record(JsonNode json) {
    return new EvidenceDocument(Json.contentId(json), EvidenceType.LOCKFILE, "application/json", "upload:ci", json);
  }

  @Test
  void passesACiLockfileRecord() {
    EvidenceDocument doc = record("package-lock.json", NPM_LOCK);

    LockfileGate.Result result = LockfileGate.evaluate(new LockfilePolicy("package-lock.json"), List.of(doc), List.of());

    assertThat(result.verdict().gate()).isEqualTo("lockfile");
    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().reasons()).containsExactly("package-lock.json sha256:" + NPM_LOCK + " from CI (required)");
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256());
    assertThat(result.lockfiles()).containsExactly(new LockfileDigest("package-lock.json", NPM_LOCK, doc.sha256()));
  }

  @Test
  void nothingIsMissing() {
    LockfileGate.Result result = LockfileGate.evaluate(new LockfilePolicy(null), List.of(), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.MISSING);
    assertThat(result.verdict().reasons()).singleElement().asString().startsWith("no lockfile digest");
    assertThat(result.lockfiles()).isEmpty();
  }

  @Test
  void aRequiredPathThatNobodyNamedIsMissing() {
    LockfileGate.Result result = LockfileGate.evaluate(new LockfilePolicy("package-lock.json"), List.of(record("go.sum", NPM_LOCK)), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.MISSING);
    assertThat(result.verdict().reasons()).containsExactly("no lockfile digest for package-lock.json (the policy requires it); found go.sum");
  }

  @Test
  void failsWhenCiAndProvenanceDisagree() {
    EvidenceDocument doc = record("package-lock.json", NPM_LOCK);

    LockfileGate.Result result = LockfileGate.evaluate(
        new LockfilePolicy("package-lock.json"), List.of(doc), List.of(new LockfileDigest("package-lock.json", OTHER, PROVENANCE)));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).containsExactly(
        "CI says package-lock.json is sha256:" + NPM_LOCK + " (" + doc.sha256() + "), provenance says sha256:" + OTHER + " (" + PROVENANCE + ")");
    assertThat(result.verdict().evidence()).containsExactly(doc.sha256(), PROVENANCE);
    assertThat(result.lockfiles()).isEmpty();
  }

  @Test
  void ciAndProvenanceAgreeingIsOneLockfile() {
    EvidenceDocument doc = record("./package-lock.json", NPM_LOCK);

    LockfileGate.Result result = LockfileGate.evaluate(
        new LockfilePolicy("package-lock.json"), List.of(doc), List.of(new LockfileDigest("package-lock.json", "sha256:" + NPM_LOCK.toUpperCase(), PROVENANCE)));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.verdict().reasons()).containsExactly("package-lock.json sha256:" + NPM_LOCK + " from CI, matching the provenance (required)");
    assertThat(result.lockfiles()).containsExactly(new LockfileDigest("package-lock.json", NPM_LOCK, doc.sha256()));
  }

  @Test
  void provenanceAloneIsEnough() {
    LockfileGate.Result result = LockfileGate.evaluate(null, List.of(), List.of(new LockfileDigest("services/checkout/go.sum", OTHER, PROVENANCE)));

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.PASS);
    assertThat(result.lockfiles()).containsExactly(new LockfileDigest("services/checkout/go.sum", OTHER, PROVENANCE));
    assertThat(result.verdict().reasons()).containsExactly("services/checkout/go.sum sha256:" + OTHER + " from the provenance");
  }

  @Test
  void twoCiRecordsDisagreeingFail() {
    LockfileGate.Result result = LockfileGate.evaluate(
        null, List.of(record("yarn.lock", NPM_LOCK), record("yarn.lock", OTHER)), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString().startsWith("two CI lockfile records disagree about yarn.lock");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/src/package-lock.json | 72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676 | must be relative",
        "C:\\\\repo\\\\package-lock.json | 72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676 | must be relative",
        "app/../../etc/passwd | 72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676 | must not contain ..",
        "package-lock.json | 72DFCF5ECF3071339A1D4DD668B166055EC251324352E20FAB2A2882A4563676 | 64 lowercase hex",
        "package-lock.json | sha256:72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676 | 64 lowercase hex",
        "package-lock.json | 72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a456367 | 64 lowercase hex",
        "./ | 72dfcf5ecf3071339a1d4dd668b166055ec251324352e20fab2a2882a4563676 | does not name a file",
      })
  void refusesMalformedRecords(String path, String sha256, String reason) {
    EvidenceDocument bad = record(path, sha256);

    LockfileGate.Result result = LockfileGate.evaluate(null, List.of(record("go.sum", OTHER), bad), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).singleElement().asString().startsWith("lockfile record " + bad.sha256()).contains(reason);
  }

  @Test
  void refusesRecordsThatAreNotPathAndDigest() {
    ObjectNode noPath = Json.WRITER.createObjectNode().put("sha256", NPM_LOCK);
    ObjectNode numberDigest = Json.WRITER.createObjectNode().put("path", "go.sum").put("sha256", 42);
    JsonNode array = Json.WRITER.createArrayNode().add("go.sum");

    LockfileGate.Result result = LockfileGate.evaluate(null, List.of(record(noPath), record(numberDigest), record(array)), List.of());

    assertThat(result.verdict().outcome()).isEqualTo(Outcome.FAIL);
    assertThat(result.verdict().reasons()).satisfiesExactly(
        r -> assertThat(r).endsWith("has no path"),
        r -> assertThat(r).endsWith("has no sha256"),
        r -> assertThat(r).contains("is not a JSON object"));
  }
}
