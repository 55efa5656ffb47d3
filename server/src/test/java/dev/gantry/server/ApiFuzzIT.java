package dev.gantry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schemathesis generates requests from the served OpenAPI document against the running jar: no
 * 5xx, every status and content type documented, every error a problem document. A fixed seed
 * keeps the run repeatable.
 */
class ApiFuzzIT {
  private static final String INSTALL = "deploy/ci/install-schemathesis.sh (python3 -m venv ~/.cache/gantry/venv && ~/.cache/gantry/venv/bin/pip install schemathesis==4.32.5)";

  static Path schemathesis() {
    String configured = System.getenv("GANTRY_SCHEMATHESIS");
    Path candidate = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".cache", "gantry", "venv", "bin", "schemathesis");
    if (!Files.isExecutable(candidate)) {
      throw new IllegalStateException("schemathesis not found at " + candidate + ": install it with " + INSTALL);
    }
    return candidate;
  }

  @Test
  void theApiAnswersEveryGeneratedRequestAsDocumented(@TempDir Path data) throws Exception {
    Path st = schemathesis();
    Path log = Path.of("target", "api-fuzz-gantry.log");
    Files.createDirectories(log.getParent());
    try (GantryProcess gantry = new GantryProcess(data, log).start()) {
      Path report = Path.of("target", "api-fuzz-schemathesis.log");
      Process run = new ProcessBuilder(List.of(
              st.toString(), "run", gantry.base() + "/v3/api-docs",
              "--auth", "oncall:oncall",
              "--seed", "20261122",
              "--max-examples", "25",
              "--request-timeout", "20",
              "--checks", "not_a_server_error,status_code_conformance,content_type_conformance"))
          .redirectErrorStream(true)
          .redirectOutput(report.toFile())
          .start();
      assertThat(run.waitFor(8, TimeUnit.MINUTES)).as("schemathesis finished within 8 minutes").isTrue();
      List<String> lines = Files.readAllLines(report);
      lines.stream().filter(l -> l.contains("generated") || l.contains("passed") || l.contains("failed")).forEach(l -> System.out.println("FIGURE: schemathesis " + l.trim()));
      assertThat(run.exitValue()).as("schemathesis found failures; see %s", report.toAbsolutePath()).isZero();
    }
  }
}
