package dev.gantry.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * DEMO STAND-IN FOR AN EVALUATION SERVICE. It accepts the request (202, no status location) and
 * a moment later delivers its metrics to the callback Gantry sent, the way a real evaluation job
 * would when it finishes: Gantry's evaluation activity completes asynchronously.
 */
// only with the demo: component scanning would otherwise start it in every Gantry and fail
@ConditionalOnProperty(name = "gantry.demo.enabled", havingValue = "true")
@RestController
@RequestMapping("/demo/evaluator")
public class DemoEvaluator {
  private static final Logger log = LoggerFactory.getLogger(DemoEvaluator.class);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @io.swagger.v3.oas.annotations.Operation(summary = "Demo stand-in: accept an evaluation request, call back with metrics later")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "202", description = "accepted; the result goes to the request's callback")
  @PostMapping
  public ResponseEntity<Void> evaluate(@RequestBody String body) {
    JsonNode request;
    try {
      request = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
    } catch (java.io.IOException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the demo evaluator takes Gantry's evaluation request (JSON)");
    }
    String callback = request.path("callback").asText(null);
    String digest = request.path("digest").asText("");
    if (callback == null || !callback.startsWith("http://127.0.0.1:")) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the demo evaluator calls back only to a loopback callback URL");
    }
    // a fixed score per digest: the demo's builds evaluate the same way every time
    int h = Math.abs(digest.hashCode());
    String result = "{\"metrics\":{\"accuracy\":" + (0.93 + (h % 40) / 1000.0) + ",\"p99_latency_ms\":" + (110 + h % 30) + "}}";
    CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS).execute(() -> {
      try {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create(callback)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(result)).build(),
            HttpResponse.BodyHandlers.ofString());
        log.info("demo evaluator: delivered {} for {}: {}", result, digest, r.statusCode());
      } catch (Exception e) {
        log.warn("demo evaluator: could not deliver the result for {}: {}", digest, e.toString());
      }
    });
    return ResponseEntity.accepted().build();
  }
}
