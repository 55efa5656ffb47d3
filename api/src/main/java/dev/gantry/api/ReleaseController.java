package dev.gantry.api;

import dev.gantry.model.Digests;
import dev.gantry.api.identity.CiTokens;
import dev.gantry.model.ServiceSpec;
import dev.gantry.release.CiRun;
import dev.gantry.release.Decision;
import dev.gantry.release.EnvironmentView;
import dev.gantry.release.Registered;
import dev.gantry.release.ReleaseClient;
import dev.gantry.release.ReleaseRequest;
import dev.gantry.release.ReleaseView;
import dev.gantry.release.ReleaseWorkflow;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import dev.gantry.model.FailureTypes;
import dev.gantry.model.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.net.URI;
import java.util.List;
import java.util.function.Function;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Releases: start one (CI), show it, approve or reject an environment. */
@RestController
@RequestMapping("/api/v1/releases")
public class ReleaseController {
  private static final Logger log = LoggerFactory.getLogger(ReleaseController.class);
  private final WorkflowClient client;
  private final ServiceDirectory services;
  private final CatalogQueries catalog;
  private final CiTokens ciTokens;

  public ReleaseController(WorkflowClient client, ServiceDirectory services, CatalogQueries catalog, CiTokens ciTokens) {
    this.client = client;
    this.services = services;
    this.catalog = catalog;
    this.ciTokens = ciTokens;
  }

  public record StartRelease(String service, String commit, String tag, String author) {}

  /**
   * @param evidenceBundle sha256 of the evidence bundle reviewed (the environment's {@code
   *     evidenceBundle} in the release view); required where the environment has gates
   */
  public record ApprovalBody(String comment, String evidenceBundle) {}

  public record RejectionBody(String reason) {}

  @Operation(summary = "Start a release (role ci, or a CI OIDC token the service's ci rules accept, whose sha is the commit); 201 when created, 200 when it already exists")
  @ApiResponse(responseCode = "201", description = "release created")
  @ApiResponse(responseCode = "200", description = "the release already existed; this is it")
  @PostMapping
  public ResponseEntity<ReleaseView> start(@RequestBody StartRelease body, Authentication auth) {
    if (body == null) {
      throw ApiProblem.badRequest("InvalidRequest", "a JSON body {service, commit, tag?, author} is required");
    }
    ServiceSpec service = service(body.service());
    commit(body.commit());
    String tag = body.tag() == null || body.tag().isBlank() ? Digests.defaultTag(body.commit()) : body.tag();
    if (!Digests.isTag(tag)) {
      throw ApiProblem.badRequest("InvalidTag", "tag '" + tag + "' is not a valid OCI tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})");
    }
    if (body.author() == null || body.author().isBlank()) {
      throw ApiProblem.badRequest("InvalidRequest", "author is required: the commit's author, who may not approve its release");
    }
    String by = Identity.of(auth).name();
    // a CI token acts only for a service whose ci rules it satisfies, and only for its own commit
    CiRun ciRun = ciTokens.authorize(auth, service.name(), body.commit());
    Registered r;
    try {
      r = new ReleaseClient(client).start(new ReleaseRequest(body.commit(), tag, body.author(), by, service, ciRun));
    } catch (WorkflowException | ApplicationFailure e) {
      // a refusal (tag not found, digest conflict, registry not allowed) is an answer: one line, no stack
      ApplicationFailure refusal = Failures.application(e);
      if (refusal != null && refusal.isNonRetryable() && !FailureTypes.REGISTRY_UNAVAILABLE.equals(refusal.getType())) {
        log.info("release refused: service={} commit={} tag={} by={} reason={}: {}",
            service.name(), body.commit(), tag, by, refusal.getType(), oneLine(refusal.getOriginalMessage()));
      }
      throw e;
    }
    URI location = URI.create("/api/v1/releases/" + service.name() + "/" + body.commit());
    return r.created() ? ResponseEntity.created(location).body(r.release()) : ResponseEntity.ok().location(location).body(r.release());
  }

  @Operation(summary = "Show a release and where each environment stands")
  @GetMapping("/{service}/{commit}")
  public ReleaseView show(@PathVariable String service, @PathVariable String commit) {
    ServiceSpec spec = service(service);
    commit(commit);
    try {
      return client.newWorkflowStub(ReleaseWorkflow.class, ReleaseRequest.workflowId(service, commit)).view();
    } catch (WorkflowNotFoundException e) {
      return catalog.recordedRelease(spec, commit)
          .orElseThrow(() -> ApiProblem.notFound("UnknownRelease", "no release of " + service + " for commit " + commit));
    }
  }

  @Operation(summary = "List releases, newest first")
  @GetMapping
  public List<CatalogQueries.ReleaseSummary> list(
      @RequestParam(required = false) String service, @RequestParam(defaultValue = "50") int limit) {
    if (service != null) {
      service(service);
    }
    if (limit < 1 || limit > 500) {
      throw ApiProblem.badRequest("InvalidLimit", "limit must be between 1 and 500");
    }
    return catalog.releases(service, limit);
  }

  @Operation(summary = "Approve an environment of a release as the authenticated user")
  @PostMapping("/{service}/{commit}/environments/{environment}/approvals")
  public EnvironmentView approve(
      @PathVariable String service, @PathVariable String commit, @PathVariable String environment,
      @RequestBody(required = false) ApprovalBody body, Authentication auth) {
    Identity who = Identity.of(auth);
    // a person signed in with single sign-on: the approval keeps the token's issuer and subject beside the display name
    var sso = auth instanceof org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken t ? t.getToken() : null;
    Decision decision = new Decision(environment(service, environment), who.name(), who.groups(),
        body == null ? null : body.comment(), body == null ? null : body.evidenceBundle(),
        sso == null ? null : sso.getClaimAsString("iss"), sso == null ? null : sso.getSubject());
    return decide("approval", service, commit, decision, r -> r.approve(decision));
  }

  @Operation(summary = "Reject an environment of a release (and the later ones)")
  @PostMapping("/{service}/{commit}/environments/{environment}/rejections")
  public EnvironmentView reject(
      @PathVariable String service, @PathVariable String commit, @PathVariable String environment,
      @RequestBody(required = false) RejectionBody body, Authentication auth) {
    if (body == null || body.reason() == null || body.reason().isBlank()) {
      throw ApiProblem.badRequest("InvalidRequest", "a rejection needs a reason: {\"reason\": \"...\"}");
    }
    Identity who = Identity.of(auth);
    Decision decision = new Decision(environment(service, environment), who.name(), who.groups(), body.reason());
    return decide("rejection", service, commit, decision, r -> r.reject(decision));
  }

  /**
   * A decision the release's validator refuses (not an approver, stale evidence bundle, not
   * waiting) is an expected answer: one INFO line with who, what and why, then the problem
   * document. Anything else goes on to {@link Problems}, which logs real faults with their trace.
   */
  private <T> T decide(String what, String service, String commit, Decision decision, Function<ReleaseWorkflow, T> call) {
    try {
      return release(service, commit, call);
    } catch (WorkflowUpdateException e) {
      if (Failures.refusedByValidator(e)) {
        log.info("{} refused: service={} release={} environment={} by={} reason={}: {}",
            what, service, commit, decision.environment(), decision.by(), Failures.type(e), oneLine(Failures.reason(e)));
      }
      throw e;
    }
  }

  /** A reason as one log line: it may quote what the client sent, so no control characters and a bound. */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 500));
    for (int i = 0; i < s.length() && b.length() < 500; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > 500 ? b + "…" : b.toString();
  }

  private <T> T release(String service, String commit, Function<ReleaseWorkflow, T> call) {
    service(service);
    commit(commit);
    ReleaseWorkflow release = client.newWorkflowStub(ReleaseWorkflow.class, ReleaseRequest.workflowId(service, commit));
    try {
      return call.apply(release);
    } catch (WorkflowNotFoundException e) {
      // an update to a release that has ended reads as "not found"; say which
      ReleaseView view;
      try {
        view = release.view();
      } catch (WorkflowNotFoundException gone) {
        throw ApiProblem.notFound("UnknownRelease", "no release of " + service + " for commit " + commit);
      }
      throw ApiProblem.conflict("ReleaseEnded", "the release has ended (" + view.status() + "); nothing is waiting for a decision");
    }
  }

  private ServiceSpec service(String name) {
    if (name == null || name.isBlank()) {
      throw ApiProblem.badRequest("InvalidRequest", "service is required");
    }
    ServiceSpec spec = services.service(name);
    if (spec == null) {
      throw ApiProblem.notFound("UnknownService", "no service '" + name + "'; known: " + services.all().stream().map(ServiceSpec::name).toList());
    }
    return spec;
  }

  private String environment(String service, String environment) {
    if (service(service).environment(environment) == null) {
      throw ApiProblem.notFound("UnknownEnvironment", "service " + service + " has no environment '" + environment + "'");
    }
    return environment;
  }

  private static void commit(String commit) {
    if (!Digests.isCommit(commit)) {
      throw ApiProblem.badRequest("InvalidCommit", "commit must be 40 lowercase hex characters (a full git SHA-1), got '" + commit + "'");
    }
  }
}
