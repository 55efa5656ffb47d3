package dev.gantry.server;

import dev.gantry.evaluation.EvaluationCompletions;
import dev.gantry.evaluation.EvaluationResults;
import dev.gantry.evidence.EvidenceIntake;
import dev.gantry.evidence.EvidenceStore;
import dev.gantry.model.ObjectStore;
import io.temporal.client.WorkflowClient;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the API hands to the activities' side: uploaded evidence and evaluation callbacks. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${gantry.roles:api,worker}'.contains('api')")
public class EvidenceConfiguration {

  @Bean
  EvidenceIntake evidenceIntake(DataSource dataSource, ObjectStore objects) {
    return new EvidenceStore(dataSource, objects);
  }

  @Bean
  EvaluationResults evaluationResults(DataSource dataSource, WorkflowClient client) {
    return new EvaluationCompletions(dataSource, client.newActivityCompletionClient());
  }
}
