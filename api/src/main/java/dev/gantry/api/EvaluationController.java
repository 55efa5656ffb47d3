package dev.gantry.api;

import dev.gantry.evaluation.AlreadyCompletedException;
import dev.gantry.evaluation.EvaluationResults;
import dev.gantry.evaluation.EvaluationGoneException;
import dev.gantry.evaluation.EvaluationRefusal;
import dev.gantry.evaluation.EvaluationUnavailableException;
import dev.gantry.evaluation.InvalidMetricsException;
import dev.gantry.evaluation.UnknownTokenException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Evaluation results. The token in the path is the evaluator's only credential (evaluators hold no
 * Gantry account): the security chain lets this one POST through unauthenticated, and a token
 * that is not shaped like one is unknown before anything is looked up.
 */
@RestController
@RequestMapping("/api/v1/evaluations")
public class EvaluationController {
  private static final Logger log = LoggerFactory.getLogger(EvaluationController.class);
  private final EvaluationResults completions;

  public EvaluationController(EvaluationResults completions) {
    this.completions = completions;
  }

  /** The body an evaluator sends; documentation only (the body is read with a size limit). */
  public record ResultBody(Map<String, Double> metrics) {}

  public record CompletionView(String token, String status, Map<String, Double> metrics) {}

  @Operation(
      summary = "Deliver an evaluation result (the token is the credential; no sign-in)",
      description = "Body {\"metrics\": {name: number}}: at most 100 finite numbers named [A-Za-z0-9_.:-]{1,100}. "
          + "Repeating an accepted result answers 200 again; a different one is refused with 409.",
      security = {},
      requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
          required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = ResultBody.class))))
  @ApiResponse(responseCode = "200", description = "the result was accepted (now or before) and the release continues")
  @ApiResponse(responseCode = "410", description = "nothing waits for this result any more: too late, or the evaluation ended")
  @PostMapping("/{token}")
  public CompletionView complete(@PathVariable String token, HttpServletRequest request, Authentication auth) throws IOException {
    EvaluationResults.Completed done;
    try (InputStream body = request.getInputStream()) {
      done = completions.complete(token, body, by(request, auth));
    } catch (EvaluationRefusal e) {
      throw switch (e) {
        case UnknownTokenException u -> ApiProblem.notFound("UnknownEvaluation", u.getMessage());
        case InvalidMetricsException i -> ApiProblem.badRequest("InvalidMetrics", i.getMessage());
        case AlreadyCompletedException a -> ApiProblem.conflict("EvaluationAlreadyCompleted", a.getMessage());
        case EvaluationGoneException g -> new ApiProblem(HttpStatus.GONE, "EvaluationGone", g.getMessage());
      };
    } catch (EvaluationUnavailableException e) {
      // the cause names database or Temporal internals: logged, not told to an unauthenticated caller
      log.error("could not deliver an evaluation result", e);
      throw new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "EvaluationUnavailable", "the result could not be recorded right now; send it again");
    }
    return new CompletionView(done.token(), "COMPLETED", done.metrics());
  }

  /** Who delivered it, for the record: a signed-in caller by name, otherwise where it came from. */
  private static String by(HttpServletRequest request, Authentication auth) {
    if (auth != null && auth.isAuthenticated() && !(auth instanceof AnonymousAuthenticationToken)) {
      return auth.getName();
    }
    return "evaluator at " + request.getRemoteAddr();
  }
}
