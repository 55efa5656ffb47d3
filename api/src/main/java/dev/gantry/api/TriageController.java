package dev.gantry.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import javax.sql.DataSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Triage for security and on-call engineers: which releases and environments contain a package or vulnerability. */
@RestController
@RequestMapping("/api/v1/triage")
public class TriageController {
  private final TriageQueries triage;

  public TriageController(DataSource dataSource) {
    this.triage = new TriageQueries(dataSource);
  }

  @Operation(summary = "Releases containing a package or affected by a vulnerability, newest first, and the environments running one of them (role oncall or ci)")
  @GetMapping
  public TriageQueries.TriageResult triage(
      @Parameter(description = "a package URL: with a version, that version (any qualifiers unless given); without, every version. e.g. pkg:npm/express@4.17.1")
          @RequestParam(required = false) String purl,
      @Parameter(description = "a component name as the SBOM gives it, e.g. express")
          @RequestParam(required = false) String name,
      @Parameter(description = "with name: a version (4.17.1, =4.17.1) or comma-separated comparators (>=4.0.0,<4.18.2)")
          @RequestParam(required = false) String version,
      @Parameter(description = "a vulnerability id from the stored scan findings, e.g. CVE-2024-1234")
          @RequestParam(required = false) String vulnerability,
      @Parameter(description = "releases per page, 1 to 1000")
          @RequestParam(defaultValue = "" + TriageQueries.DEFAULT_LIMIT) int limit,
      @Parameter(description = "nextCursor of the previous page")
          @RequestParam(required = false) String cursor) {
    return triage.triage(TriageQuestions.question(purl, name, version, vulnerability), limit, cursor);
  }
}
