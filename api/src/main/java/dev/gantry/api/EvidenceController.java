package dev.gantry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.api.identity.CiTokens;
import dev.gantry.evidence.EvidenceIntake;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.InvalidEvidenceException;
import dev.gantry.model.Digests;
import dev.gantry.model.ObjectStore;
import dev.gantry.release.ReleaseRequest;
import dev.gantry.release.ReleaseWorkflow;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Evidence: CI uploads what it did not attach to the registry; anyone signed in reads a release's
 * records, the gates that used them, the stored documents and the SBOM's components.
 */
@RestController
@RequestMapping("/api/v1")
public class EvidenceController {
  private static final Logger log = LoggerFactory.getLogger(EvidenceController.class);
  /** Base64 inflates by a third: room for a 64 MiB document plus the envelope. */
  static final long MAX_UPLOAD_BYTES = 90L * 1024 * 1024;
  /** The wrapper is read as strictly as the documents will be: bounded depth, no duplicate keys. */
  private static final ObjectMapper BODY =
      new ObjectMapper(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                  .maxNestingDepth(128).maxStringLength((int) MAX_UPLOAD_BYTES).maxDocumentLength(MAX_UPLOAD_BYTES).build())
              .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build());

  private final JdbcClient jdbc;
  private final ObjectStore store;
  private final EvidenceIntake intake;
  private final WorkflowClient client;
  private final ServiceDirectory services;
  private final CatalogQueries catalog;
  private final CiTokens ciTokens;

  public EvidenceController(
      JdbcClient jdbc, ObjectStore store, EvidenceIntake intake, WorkflowClient client, ServiceDirectory services, CatalogQueries catalog,
      CiTokens ciTokens) {
    this.ciTokens = ciTokens;
    this.jdbc = jdbc;
    this.store = store;
    this.intake = intake;
    this.client = client;
    this.services = services;
    this.catalog = catalog;
  }

  @Schema(description = "One evidence document. content: the document as JSON, or a base64 string of its bytes")
  public record Upload(
      @Schema(allowableValues = {"PROVENANCE", "SBOM", "SCAN", "VEX", "LOCKFILE"}) String type,
      @Schema(example = "application/vnd.cyclonedx+json") String mediaType,
      @Schema(oneOf = {Object.class, String.class}) Object content) {}

  public record Uploaded(String sha256, String type, String mediaType, long size, boolean created, String location) {}

  public record GateUse(String environment, String bundle, String gate, String outcome, List<String> reasons) {}

  public record Record(String sha256, String type, String mediaType, String source, long size, String predicateType,
      List<String> subjects, Instant addedAt, List<GateUse> gates) {}

  public record Bundle(String environment, String sha256, String outcome, String policyDigest, Instant assessedAt) {}

  public record ReleaseEvidence(String service, String commit, List<Record> evidence, List<Bundle> bundles) {}

  public record ComponentView(String purl, String name, String version, String type, List<String> licenses) {}

  public record ComponentPage(String service, String commit, long total, List<ComponentView> components, String next) {}

  @Operation(
      summary = "Upload an evidence document for a release (role ci); 201 when new, 200 when the release already had it",
      requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
          required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = Upload.class))))
  @ApiResponse(responseCode = "201", description = "stored; the release re-runs its gates")
  @ApiResponse(responseCode = "200", description = "the release already had exactly this document")
  @ApiResponse(responseCode = "413", description = "the upload is larger than the limit")
  @PostMapping("/releases/{service}/{commit}/evidence")
  public ResponseEntity<Uploaded> upload(
      @PathVariable String service, @PathVariable String commit, HttpServletRequest request, Authentication auth) throws IOException {
    release(service, commit);
    ciTokens.authorize(auth, service, commit);
    if (request.getContentLengthLong() > MAX_UPLOAD_BYTES) {
      throw new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "EvidenceTooLarge",
          "the upload is " + request.getContentLengthLong() + " bytes; the limit is " + MAX_UPLOAD_BYTES);
    }
    Upload body = parse(request);
    EvidenceType type;
    try {
      type = body.type() == null ? null : EvidenceType.valueOf(body.type());
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("InvalidEvidenceType", "type '" + body.type() + "' is not one of PROVENANCE, SBOM, SCAN, VEX, LOCKFILE");
    }
    byte[] content = content(body.content());
    EvidenceIntake.Received r;
    try {
      r = intake.receive(service, commit, type, body.mediaType(), content, Identity.of(auth).name());
    } catch (InvalidEvidenceException e) {
      throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "InvalidEvidence", e.getMessage());
    }
    notifyRelease(service, commit);
    String location = "/api/v1/evidence/" + r.sha256();
    Uploaded out = new Uploaded(r.sha256(), r.type().name(), r.mediaType(), r.size(), r.created(), location);
    return r.created() ? ResponseEntity.created(URI.create(location)).body(out) : ResponseEntity.ok().location(URI.create(location)).body(out);
  }

  private static Upload parse(HttpServletRequest request) throws IOException {
    byte[] bytes;
    try (InputStream in = request.getInputStream()) {
      bytes = in.readNBytes((int) MAX_UPLOAD_BYTES + 1);
    }
    if (bytes.length > MAX_UPLOAD_BYTES) {
      throw new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "EvidenceTooLarge", "the upload is larger than the limit of " + MAX_UPLOAD_BYTES + " bytes");
    }
    JsonNode json;
    try {
      json = bytes.length == 0 ? null : BODY.readTree(bytes);
    } catch (IOException e) {
      throw ApiProblem.badRequest("InvalidRequest", "the body is not JSON: " + firstLine(e.getMessage()));
    }
    if (json == null || !json.isObject()) {
      throw ApiProblem.badRequest("InvalidRequest", "a JSON body {type, mediaType, content} is required");
    }
    JsonNode content = json.get("content");
    if (content == null || content.isNull()) {
      throw ApiProblem.badRequest("InvalidRequest", "content is required: the document as JSON, or its bytes as a base64 string");
    }
    return new Upload(text(json, "type"), text(json, "mediaType"), content);
  }

  private static byte[] content(Object content) {
    JsonNode node = (JsonNode) content;
    if (node.isTextual()) {
      try {
        return Base64.getMimeDecoder().decode(node.asText());
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest("InvalidRequest", "content is a string but not base64: " + e.getMessage());
      }
    }
    if (node.isObject() || node.isArray()) {
      return node.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    throw ApiProblem.badRequest("InvalidRequest", "content must be a JSON document or a base64 string");
  }

  /** The release re-runs its gates; a release that has ended keeps the record for the reader. */
  private void notifyRelease(String service, String commit) {
    try {
      client.newWorkflowStub(ReleaseWorkflow.class, ReleaseRequest.workflowId(service, commit)).evidenceAdded();
    } catch (WorkflowNotFoundException e) {
      log.info("evidence for {}/{} stored; the release is no longer running", service, commit);
    }
  }

  @Operation(summary = "A release's evidence: each record, where it came from, and the gates that used it")
  @GetMapping("/releases/{service}/{commit}/evidence")
  public ReleaseEvidence list(@PathVariable String service, @PathVariable String commit) {
    release(service, commit);
    Map<String, List<GateUse>> uses = new LinkedHashMap<>();
    jdbc.sql("""
            SELECT b.environment, b.bundle_sha256, v.gate, v.outcome, v.reasons::text, v.evidence
            FROM evidence_bundles b JOIN gate_verdicts v ON v.bundle_sha256 = b.bundle_sha256
            WHERE b.service = :service AND b.commit = :commit ORDER BY b.environment, v.gate""")
        .param("service", service)
        .param("commit", commit)
        .query((rs, n) -> {
          GateUse use = new GateUse(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), CatalogQueries.reasons(rs.getString(5)));
          for (String sha : (String[]) rs.getArray(6).getArray()) {
            uses.computeIfAbsent(sha, k -> new ArrayList<>()).add(use);
          }
          return use;
        })
        .list();
    List<Record> records = jdbc.sql("""
            SELECT e.sha256, e.type, e.media_type, r.source, e.size, e.predicate_type, e.subject_digests, r.added_at
            FROM release_evidence r JOIN evidence e ON e.sha256 = r.sha256
            WHERE r.service = :service AND r.commit = :commit ORDER BY r.added_at, e.sha256""")
        .param("service", service)
        .param("commit", commit)
        .query((rs, n) -> new Record(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6),
            Arrays.asList((String[]) rs.getArray(7).getArray()), rs.getTimestamp(8).toInstant(), uses.getOrDefault(rs.getString(1), List.of())))
        .list();
    List<Bundle> bundles = jdbc.sql("""
            SELECT environment, bundle_sha256, outcome, policy_sha256, assessed_at FROM evidence_bundles
            WHERE service = :service AND commit = :commit ORDER BY environment""")
        .param("service", service)
        .param("commit", commit)
        .query((rs, n) -> new Bundle(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant()))
        .list();
    return new ReleaseEvidence(service, commit, records, bundles);
  }

  @Operation(summary = "One evidence record exactly as stored (canonical JSON; its sha256 is its name)")
  @GetMapping(value = "/evidence/{sha256}", produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<byte[]> document(@PathVariable String sha256) {
    String id = sha256.startsWith("sha256:") ? sha256 : "sha256:" + sha256;
    if (!ObjectStore.isId(id)) {
      throw ApiProblem.badRequest("InvalidDigest", "an evidence record is named sha256:<64 lowercase hex>, got '" + sha256 + "'");
    }
    boolean indexed = jdbc.sql("SELECT count(*) FROM evidence WHERE sha256 = :sha").param("sha", id).query(Long.class).single() > 0;
    if (!indexed) {
      throw ApiProblem.notFound("UnknownEvidence", "no evidence record " + id);
    }
    byte[] content = store.get(id).orElseThrow(() -> ApiProblem.notFound("UnknownEvidence", "evidence " + id + " is indexed but missing from the object store"));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(content);
  }

  @Operation(summary = "The components of the release's SBOM (as the gate accepted it), by purl, a page at a time")
  @GetMapping("/releases/{service}/{commit}/sbom/components")
  public ComponentPage components(
      @PathVariable String service, @PathVariable String commit,
      @RequestParam(defaultValue = "100") int limit, @RequestParam(required = false) String after) {
    release(service, commit);
    if (limit < 1 || limit > 1000) {
      throw ApiProblem.badRequest("InvalidLimit", "limit must be between 1 and 1000");
    }
    long total = jdbc.sql("""
            SELECT count(*) FROM release_components rc JOIN releases r ON r.id = rc.release_id
            WHERE r.service = :service AND r.commit = :commit""")
        .param("service", service).param("commit", commit).query(Long.class).single();
    record Row(String key, ComponentView view) {}
    List<Row> rows = jdbc.sql("""
            SELECT c.key, c.purl, c.name, c.version, c.type, c.licenses FROM release_components rc
            JOIN releases r ON r.id = rc.release_id JOIN components c ON c.id = rc.component_id
            WHERE r.service = :service AND r.commit = :commit AND (CAST(:after AS text) IS NULL OR c.key > :after)
            ORDER BY c.key LIMIT :limit""")
        .param("service", service).param("commit", commit).param("after", after).param("limit", limit + 1)
        .query((ResultSet rs, int n) -> new Row(rs.getString(1), new ComponentView(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            Arrays.asList((String[]) rs.getArray(6).getArray()))))
        .list();
    // the cursor is the component's index key, exactly what the query orders by
    String next = rows.size() > limit ? rows.get(limit - 1).key() : null;
    List<ComponentView> page = rows.stream().limit(limit).map(Row::view).toList();
    return new ComponentPage(service, commit, total, page, next);
  }

  private void release(String service, String commit) {
    if (services.service(service) == null) {
      throw ApiProblem.notFound("UnknownService", "no service '" + service + "'");
    }
    if (!Digests.isCommit(commit)) {
      throw ApiProblem.badRequest("InvalidCommit", "commit must be 40 lowercase hex characters (a full git SHA-1), got '" + commit + "'");
    }
    if (!catalog.releaseKnown(service, commit)) {
      throw ApiProblem.notFound("UnknownRelease", "no release of " + service + " for commit " + commit + "; start it before uploading evidence");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
