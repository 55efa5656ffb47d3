package dev.gantry.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DockerRegistryProcessTest {
  @Test
  void aMissingBinaryFailsWithTheInstallCommand() {
    assertThatThrownBy(() -> DockerRegistryProcess.start(Path.of("/nonexistent/docker-registry"), ""))
        .isInstanceOf(AssertionError.class)
        .hasMessage("docker-registry not found: install it with 'apt-get install -y docker-registry'");
  }

  @Test
  void servesTheDistributionApiUntilClosed() throws Exception {
    URI base;
    try (var registry = DockerRegistryProcess.start();
        var client = HttpClient.newHttpClient()) {
      base = registry.baseUri();
      var response =
          client.send(
              HttpRequest.newBuilder(base.resolve("/v2/")).build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    try (var client = HttpClient.newHttpClient()) {
      assertThatThrownBy(
              () ->
                  client.send(
                      HttpRequest.newBuilder(base.resolve("/v2/")).build(),
                      HttpResponse.BodyHandlers.discarding()))
          .isInstanceOf(java.io.IOException.class);
    }
  }
}
