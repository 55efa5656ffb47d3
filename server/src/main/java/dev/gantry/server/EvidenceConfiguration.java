package dev.gantry.server;

import dev.gantry.evaluation.EvaluationCompletions;
import dev.gantry.evaluation.EvaluationResults;
import dev.gantry.evidence.EvidenceCheck;
import dev.gantry.evidence.EvidenceIntake;
import dev.gantry.evidence.EvidenceStore;
import dev.gantry.evidence.EvidenceType;
import dev.gantry.evidence.EvidenceUploads;
import dev.gantry.lockfile.LockfileGate;
import dev.gantry.model.ObjectStore;
import dev.gantry.provenance.ProvenanceGate;
import dev.gantry.sbom.SbomGate;
import dev.gantry.scan.ScanReports;
import dev.gantry.scan.Vex;
import io.temporal.client.WorkflowClient;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the API hands to the activities' side: uploaded evidence and evaluation callbacks. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${gantry.roles:api,worker}'.contains('api')")
public class EvidenceConfiguration {

  /**
   * Uploads are judged on arrival by the parser of the gate that reads them; a type with no check
   * here is written by Gantry only.
   */
  static List<EvidenceCheck> uploadChecks() {
    return List.of(
        EvidenceCheck.of(EvidenceType.PROVENANCE, ProvenanceGate::check),
        EvidenceCheck.of(EvidenceType.SBOM, SbomGate::check),
        EvidenceCheck.of(EvidenceType.SCAN, ScanReports::parse),
        EvidenceCheck.of(EvidenceType.VEX, Vex::parse),
        EvidenceCheck.of(EvidenceType.LOCKFILE, LockfileGate::check));
  }

  @Bean
  EvidenceIntake evidenceIntake(DataSource dataSource, ObjectStore objects) {
    return new EvidenceUploads(new EvidenceStore(dataSource, objects), uploadChecks());
  }

  @Bean
  EvaluationResults evaluationResults(DataSource dataSource, WorkflowClient client) {
    return new EvaluationCompletions(dataSource, client.newActivityCompletionClient());
  }
}
