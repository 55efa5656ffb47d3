package dev.gantry.server.demo;

import dev.gantry.api.CatalogQueries;
import dev.gantry.api.ServiceDirectory;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.ServiceSpec;
import dev.gantry.release.ReleaseClient;
import dev.gantry.release.ReleaseRequest;
import dev.gantry.server.GantryProperties;
import io.temporal.client.WorkflowClient;
import java.util.List;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The demo: its images and GitOps repository, the cluster stand-in, the first release. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gantry.demo.enabled", havingValue = "true")
public class DemoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(DemoConfiguration.class);

  // made before the worker polls: releases need the images and the repository to exist
  @Bean
  DemoEnvironment demoEnvironment(GantryProperties props) throws java.io.IOException, GitAPIException {
    return new DemoEnvironment(props.dataDir());
  }

  @Bean
  DemoCluster demoCluster(DemoEnvironment demo, ServiceDirectory services) {
    ServiceSpec spec = services.service(DemoEnvironment.SERVICE);
    return new DemoCluster(demo.gitopsRepository(), spec.environments().stream().map(EnvironmentSpec::name).toList());
  }

  @Bean
  DemoEvaluator demoEvaluator() {
    return new DemoEvaluator();
  }

  @Bean
  ApplicationListener<ApplicationReadyEvent> demoStarter(
      DemoEnvironment demo, ServiceDirectory services, CatalogQueries catalog, WorkflowClient client, GantryProperties props) {
    return event -> {
      DemoEnvironment.Build first = demo.builds().getFirst();
      ServiceSpec spec = services.service(DemoEnvironment.SERVICE);
      if (!catalog.releaseKnown(spec.name(), first.commit())) {
        new ReleaseClient(client).start(new ReleaseRequest(first.commit(), first.tag(), "erin", "ci", spec));
        log.info("demo: started the first release {} of {}", first.commit(), spec.name());
      }
      // the build whose scan reports a HIGH vulnerability: refused at dev's gates, with reasons
      DemoEnvironment.Build vulnerable = demo.builds().get(DemoEvidence.VULNERABLE - 1);
      if (!catalog.releaseKnown(spec.name(), vulnerable.commit())) {
        new ReleaseClient(client).start(new ReleaseRequest(vulnerable.commit(), vulnerable.tag(), "frank", "ci", spec));
        log.info("demo: started release {} of {}, whose scan fails", vulnerable.commit(), spec.name());
      }
      int port = ((WebServerApplicationContext) event.getApplicationContext()).getWebServer().getPort();
      System.out.println(banner("http://127.0.0.1:" + port, props, demo.builds()));
    };
  }

  static String banner(String base, GantryProperties props, List<DemoEnvironment.Build> builds) {
    String api = base + "/api/v1";
    String c1 = builds.get(0).commit();
    String c2 = builds.get(1).commit();
    String c4 = builds.get(DemoEvidence.VULNERABLE - 1).commit();
    String bundle = "$(curl -s -u alice:alice " + api + "/releases/storefront/" + c1
        + " | python3 -c 'import json,sys; print({e[\"name\"]: e.get(\"evidenceBundle\") for e in json.load(sys.stdin)[\"environments\"]}[sys.argv[1]])' ENV)";
    String json = "-H 'Content-Type: application/json'";
    boolean embedded = props.temporal().embedded();
    return String.join("\n",
        "",
        "==================================================================================",
        embedded ? " Gantry demo, embedded mode" : " Gantry demo, durable mode",
        "   API       " + api + "      OpenAPI " + base + "/v3/api-docs",
        embedded
            ? "   Temporal  127.0.0.1:" + props.temporal().port() + " (in-process test server: WORKFLOW STATE LIVES IN MEMORY)"
            : "   Temporal  " + props.temporal().target() + ", namespace " + props.temporal().namespace() + " (a real server: releases survive restarts)",
        "   Data      " + props.dataDir(),
        "   Cluster   " + base + "/demo/cluster  (a demo stand-in that runs what the GitOps repo pins)",
        "",
        " Demo users, FOR THE DEMO ONLY: each password is the user's name",
        "   ci (role ci: starts releases)      alice, bob (group approvers: staging)",
        "   oncall (role oncall: rolls back)   carol, dave (group release-managers: production, 2 needed)",
        "   sam (role security: triage)",
        "",
        " Release 1 (" + c1.substring(0, 12) + ") is on its way to dev; its provenance, SBOM and scan are attached to",
        " the image and checked by each environment's gates. Release 4 (" + c4.substring(0, 12) + ") is refused: its scan reports a HIGH CVE.",
        "   # show them, with each gate's verdict, and the evidence behind release 4's refusal",
        "   curl -s -u alice:alice " + api + "/releases/storefront/" + c1,
        "   curl -s -u alice:alice " + api + "/releases/storefront/" + c4,
        "   curl -s -u alice:alice " + api + "/releases/storefront/" + c4 + "/evidence",
        "   # which releases, and which environments, contain lodash 4.17.20? (or ?vulnerability=CVE-2021-23337)",
        "   curl -s -u sam:sam '" + api + "/triage?purl=pkg:npm/lodash@4.17.20'",
        "   # approve release 1 into staging, then production (two release managers) once staging shows PROMOTED",
        "   # (it goes live and soaks for a few seconds first; until then production answers 409 NotWaitingForApproval).",
        "   # An approval names the evidence bundle reviewed (environments[].evidenceBundle in the release view):",
        "   B=" + bundle.replace("ENV", "staging"),
        "   curl -s -u alice:alice -X POST " + api + "/releases/storefront/" + c1 + "/environments/staging/approvals " + json + " -d '{\"comment\":\"looks good\",\"evidenceBundle\":\"'$B'\"}'",
        "   B=" + bundle.replace("ENV", "production"),
        "   curl -s -u carol:carol -X POST " + api + "/releases/storefront/" + c1 + "/environments/production/approvals " + json + " -d '{\"evidenceBundle\":\"'$B'\"}'",
        "   curl -s -u dave:dave   -X POST " + api + "/releases/storefront/" + c1 + "/environments/production/approvals " + json + " -d '{\"evidenceBundle\":\"'$B'\"}'",
        "   # start the next release, as CI does after a merge",
        "   curl -s -u ci:ci -X POST " + api + "/releases " + json + " -d '{\"service\":\"storefront\",\"commit\":\"" + c2 + "\",\"author\":\"erin\"}'",
        "   # make staging unhealthy, approve release 2 there, and watch Gantry put release 1 back",
        "   curl -s -X POST " + base + "/demo/cluster/staging/unhealthy",
        "   B=" + bundle.replace(c1, c2).replace("ENV", "staging"),
        "   curl -s -u bob:bob -X POST " + api + "/releases/storefront/" + c2 + "/environments/staging/approvals " + json + " -d '{\"evidenceBundle\":\"'$B'\"}'",
        "   # roll dev back by hand (sets a hold), look at it, clear the hold",
        "   curl -s -u oncall:oncall -X POST " + api + "/services/storefront/environments/dev/rollbacks " + json + " -d '{\"reason\":\"demo rollback\"}'",
        "   curl -s -u oncall:oncall " + api + "/services/storefront/environments/dev",
        "   curl -s -u oncall:oncall -X DELETE " + api + "/services/storefront/environments/dev/hold",
        "==================================================================================",
        "");
  }
}
