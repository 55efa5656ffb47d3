package dev.gantry.api;

import dev.gantry.model.Digests;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.ServiceSpec;
import dev.gantry.rollback.RollbackRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.temporal.api.common.v1.WorkflowExecution;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Services and their environments: where each stands, roll back, clear a hold. */
@RestController
@RequestMapping("/api/v1/services")
public class ServiceController {
  private final ServiceDirectory services;
  private final CatalogQueries catalog;
  private final RollbackStarter rollbacks;

  public ServiceController(ServiceDirectory services, CatalogQueries catalog, RollbackStarter rollbacks) {
    this.services = services;
    this.catalog = catalog;
    this.rollbacks = rollbacks;
  }

  public record EnvironmentSummary(String name, int approvals, String approverGroup, CatalogQueries.Pinned current, CatalogQueries.Pinned lastKnownGood, CatalogQueries.HoldView hold) {}

  public record ServiceSummary(String name, String image, List<EnvironmentSummary> environments) {}

  public record RollbackBody(String digest, String reason) {}

  public record RollbackStarted(String id, String runId, String service, String environment, String digest, String status) {}

  /** The 409 a rollback gets while another one of the same environment runs (RFC 9457, with extension members). */
  @Schema(name = "RollbackRunning")
  public record RollbackRunningProblem(
      @Schema(format = "uri", example = "https://gantry.dev/problems/RollbackRunning") String type,
      String title,
      int status,
      String detail,
      @Schema(format = "uri-reference") String instance,
      @Schema(description = "the running rollback's workflow id, rollback/<service>/<environment>") String id,
      @Schema(description = "its run id") String runId,
      @Schema(description = "the digest it pins; absent until it has chosen one") String digest,
      @Schema(description = "ROLLING_BACK (choosing, re-verifying, pinning), VERIFYING (pinned, waiting until live), "
          + "or its outcome (PROMOTED, FAILED, REFUSED) when it has recorded one but did not close within the wait")
      String state) {}

  @Operation(summary = "List services and what each environment runs")
  @GetMapping
  public List<ServiceSummary> list() {
    return services.all().stream()
        .map(s -> new ServiceSummary(s.name(), s.image(), s.environments().stream().map(e -> {
          CatalogQueries.EnvironmentStatus st = catalog.environment(s.name(), e.name(), 0);
          return new EnvironmentSummary(e.name(), e.requiredApprovals(), e.approverGroup(), st.current(), st.lastKnownGood(), st.hold());
        }).toList()))
        .toList();
  }

  @Operation(summary = "Current digest, last known good, hold and history of one environment")
  @GetMapping("/{service}/environments/{environment}")
  public CatalogQueries.EnvironmentStatus environment(@PathVariable String service, @PathVariable String environment) {
    environmentSpec(service, environment);
    return catalog.environment(service, environment, 100);
  }

  @Operation(summary = "Roll an environment back (role oncall): to last known good before the current digest, or to a digest promoted there before; sets a hold")
  @ApiResponse(responseCode = "202", description = "rollback started; follow it at the environment's URL (Location)",
      headers = @Header(name = "Location", description = "the environment", schema = @Schema(type = "string")))
  @ApiResponse(responseCode = "409", description = "another rollback of this environment is running and has not recorded its outcome "
      + "(one that has is waited for, briefly, and then this one starts): the problem names it",
      headers = @Header(name = "Location", description = "the environment", schema = @Schema(type = "string")),
      content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = RollbackRunningProblem.class)))
  @PostMapping("/{service}/environments/{environment}/rollbacks")
  public ResponseEntity<RollbackStarted> rollback(
      @PathVariable String service, @PathVariable String environment, @RequestBody(required = false) RollbackBody body, Authentication auth) {
    EnvironmentSpec env = environmentSpec(service, environment);
    if (body == null || body.reason() == null || body.reason().isBlank()) {
      throw ApiProblem.badRequest("InvalidRequest", "a rollback needs a reason: {\"reason\": \"...\", \"digest\": optional}");
    }
    String digest = body.digest() == null || body.digest().isBlank() ? null : body.digest();
    if (digest != null && !Digests.isDigest(digest)) {
      throw ApiProblem.badRequest("InvalidDigest", "digest must be sha256:<64 lowercase hex>, got '" + digest + "'");
    }
    if (digest != null && !catalog.promotedThere(service, environment, digest)) {
      throw new ApiProblem(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT, "NotPromotedHere",
          digest + " was never promoted into " + service + "/" + environment + " and verified healthy; roll back only to a digest that was");
    }
    ServiceSpec spec = services.service(service);
    WorkflowExecution run =
        rollbacks.start(new RollbackRequest(service, spec.image(), env, digest, Identity.of(auth).name(), body.reason()));
    return ResponseEntity.accepted()
        .location(URI.create("/api/v1/services/" + service + "/environments/" + environment))
        .body(new RollbackStarted(run.getWorkflowId(), run.getRunId(), service, environment, digest, "STARTED"));
  }

  @Operation(summary = "Clear the hold on an environment (role oncall)")
  @DeleteMapping("/{service}/environments/{environment}/hold")
  public CatalogQueries.EnvironmentStatus clearHold(@PathVariable String service, @PathVariable String environment) {
    environmentSpec(service, environment);
    if (!catalog.clearHold(service, environment)) {
      throw ApiProblem.conflict("NoHold", service + "/" + environment + " has no hold to clear");
    }
    return catalog.environment(service, environment, 100);
  }

  private EnvironmentSpec environmentSpec(String service, String environment) {
    ServiceSpec spec = services.service(service);
    if (spec == null) {
      throw ApiProblem.notFound("UnknownService", "no service '" + service + "'");
    }
    EnvironmentSpec env = spec.environment(environment);
    if (env == null) {
      throw ApiProblem.notFound("UnknownEnvironment", "service " + service + " has no environment '" + environment + "'");
    }
    return env;
  }
}
