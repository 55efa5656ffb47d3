package dev.gantry.worker;

import dev.gantry.audit.AuditActivitiesImpl;
import dev.gantry.catalog.CatalogActivitiesImpl;
import dev.gantry.catalog.ComponentIndex;
import dev.gantry.evaluation.EvaluationActivitiesImpl;
import dev.gantry.evaluation.EvaluationGate;
import dev.gantry.evaluation.EvaluationSettings;
import dev.gantry.evidence.EvidenceActivitiesImpl;
import dev.gantry.evidence.EvidenceStore;
import dev.gantry.evidence.Gate;
import dev.gantry.lockfile.LockfileGate;
import dev.gantry.provenance.ProvenanceGate;
import dev.gantry.sbom.DependencyDiffGate;
import dev.gantry.sbom.SbomGate;
import dev.gantry.scan.ScanGate;
import dev.gantry.registry.Attachments;
import dev.gantry.signing.SignatureGate;
import dev.gantry.signing.Signer;
import dev.gantry.signing.Signers;
import dev.gantry.signing.SigningActivitiesImpl;
import java.time.Clock;
import dev.gantry.model.ObjectStore;
import dev.gantry.gitops.GitOpsActivitiesImpl;
import dev.gantry.gitops.GitOpsSettings;
import dev.gantry.health.HealthActivitiesImpl;
import dev.gantry.model.TaskQueues;
import dev.gantry.promotion.LaneActivitiesImpl;
import dev.gantry.promotion.PromotionLaneWorkflowImpl;
import dev.gantry.promotion.PromotionWorkflowImpl;
import dev.gantry.registry.RegistryActivitiesImpl;
import dev.gantry.registry.RegistrySettings;
import dev.gantry.release.ReleaseWorkflowImpl;
import dev.gantry.rollback.RollbackWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Hosts the Temporal worker: Gantry's workflows and one activity implementation per system. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkerProperties.class)
public class WorkerConfiguration {

  @Bean
  RegistrySettings registrySettings(WorkerProperties props) {
    WorkerProperties.Registries r = props.registries();
    Map<String, dev.gantry.access.Credentials> credentials = new HashMap<>();
    if (r != null && r.credentials() != null) {
      r.credentials().forEach((host, c) -> credentials.put(host, new dev.gantry.access.Credentials(c.username(), c.password())));
    }
    return new RegistrySettings(
        r == null || r.allowed() == null ? List.of() : r.allowed(),
        r == null || r.insecure() == null ? new HashSet<>() : new HashSet<>(r.insecure()),
        credentials,
        r == null ? null : r.timeout());
  }

  @Bean
  GitOpsSettings gitOpsSettings(WorkerProperties props) {
    WorkerProperties.GitOps g = props.gitops();
    Path workDir = g != null && g.workDir() != null ? g.workDir() : props.dataDir().resolve("gitops-work");
    GitOpsSettings settings = GitOpsSettings.defaults(workDir);
    if (g != null) {
      settings =
          new GitOpsSettings(
              workDir,
              g.authorName() != null ? g.authorName() : settings.authorName(),
              g.authorEmail() != null ? g.authorEmail() : settings.authorEmail(),
              g.maxPushAttempts() != null ? g.maxPushAttempts() : settings.maxPushAttempts(),
              settings.credentials());
      if (g.credentials() != null) {
        for (var e : g.credentials().entrySet()) {
          settings = settings.withCredentials(e.getKey(), e.getValue().username(), e.getValue().password());
        }
      }
    }
    return settings;
  }

  static EvaluationSettings evaluationSettings(WorkerProperties props) {
    WorkerProperties.Evaluation e = props.evaluation();
    if (e == null || e.callbackBase() == null) {
      throw new IllegalStateException("gantry.evaluation.callback-base is required: the URL evaluators send results to");
    }
    EvaluationSettings settings = EvaluationSettings.defaults(e.callbackBase());
    return e.pollInterval() == null ? settings : new EvaluationSettings(settings.callbackBase(), e.pollInterval(), settings.requestTimeout());
  }

  /** Gantry's signing key, read at start so a bad key or password stops Gantry rather than a release. */
  static Signer signer(WorkerProperties props) {
    WorkerProperties.Signing s = props.signing();
    if (s == null) {
      return null;
    }
    try {
      return Signers.fromConfig(s.key(), s.password() == null ? null : s.password().toCharArray(), s.kmsEndpoint(), s.kmsRegion());
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static List<java.security.PublicKey> previousKeys(WorkerProperties props) {
    if (props.signing() == null || props.signing().previousKeys() == null) {
      return List.of();
    }
    List<java.security.PublicKey> keys = new java.util.ArrayList<>();
    for (String entry : props.signing().previousKeys()) {
      try {
        String pem = entry.contains("-----BEGIN") ? entry : java.nio.file.Files.readString(Path.of(entry.trim()));
        keys.add(dev.gantry.evidence.PublicKeys.fromPem(pem));
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw new IllegalStateException("gantry.signing.previous-keys: " + (entry.contains("-----BEGIN") ? "an inline key" : entry)
            + " cannot be read: " + e.getMessage(), e);
      }
    }
    return List.copyOf(keys);
  }

  /**
   * The gates the evidence activity runs, in the order their verdicts appear in a bundle; each runs
   * where the environment's policy requires it. Adding a gate is one line here.
   */
  static List<Gate> gates(RegistrySettings registry, ComponentIndex components) {
    return List.of(
        new SignatureGate(registry),
        new ProvenanceGate(),
        new SbomGate(components),
        new LockfileGate(),
        new DependencyDiffGate(),
        new ScanGate(components),
        new EvaluationGate());
  }

  @Bean
  GantryWorker gantryWorker(
      WorkflowClient client, WorkerProperties props, RegistrySettings registry, GitOpsSettings gitops, DataSource dataSource,
      ObjectStore objects) {
    WorkerProperties.Worker w = props.worker();
    WorkerFactory factory =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder()
                .setUsingVirtualWorkflowThreads(true)
                .setWorkflowCacheSize(w != null && w.workflowCacheSize() != null ? w.workflowCacheSize() : 600)
                .build());
    Worker worker =
        factory.newWorker(
            TaskQueues.GANTRY,
            WorkerOptions.newBuilder().setUsingVirtualThreadsOnActivityWorker(true).build());
    worker.registerWorkflowImplementationTypes(
        ReleaseWorkflowImpl.class, PromotionWorkflowImpl.class, PromotionLaneWorkflowImpl.class, RollbackWorkflowImpl.class);
    EvidenceStore evidence = new EvidenceStore(dataSource, objects);
    worker.registerActivitiesImplementations(
        new RegistryActivitiesImpl(registry),
        new GitOpsActivitiesImpl(gitops),
        new HealthActivitiesImpl(),
        new CatalogActivitiesImpl(dataSource),
        new AuditActivitiesImpl(dataSource, objects),
        new LaneActivitiesImpl(client),
        new EvidenceActivitiesImpl(
            dataSource,
            evidence,
            ref -> Attachments.list(ref, registry, Attachments.Limits.DEFAULT),
            gates(registry, new ComponentIndex(dataSource)),
            Clock.systemUTC()),
        new EvaluationActivitiesImpl(dataSource, evaluationSettings(props)),
        new SigningActivitiesImpl(
            registry,
            signer(props),
            previousKeys(props),
            evidence::get,
            props.signing() == null ? null : props.signing().verifierId()));
    WarmUp.replay(worker);
    Duration grace = w != null && w.shutdownGrace() != null ? w.shutdownGrace() : Duration.ofSeconds(30);
    return new GantryWorker(factory, grace);
  }
}
