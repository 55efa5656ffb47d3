package dev.gantry.server.demo;

import dev.gantry.gitops.YamlDigestEditor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * DEMO STAND-IN FOR A CLUSTER. It "runs" whatever digest each environment's values file pins on
 * the GitOps repository's main branch and reports it on a health endpoint, the way an Argo CD
 * sync plus a readiness probe would. Tell it to turn unhealthy to watch Gantry compensate.
 */
// only with the demo: component scanning would otherwise start it in every Gantry and fail
@ConditionalOnProperty(name = "gantry.demo.enabled", havingValue = "true")
@RestController
@RequestMapping("/demo/cluster")
public class DemoCluster {
  private final Path gitops;
  private final List<String> environments;
  private final Set<String> unhealthy = ConcurrentHashMap.newKeySet();

  public DemoCluster(Path gitops, List<String> environments) {
    this.gitops = gitops;
    this.environments = environments;
  }

  public record Health(String environment, String digest, boolean healthy, String note) {}

  @GetMapping
  public Map<String, Health> all() {
    Map<String, Health> out = new LinkedHashMap<>();
    environments.forEach(e -> out.put(e, health(e)));
    return out;
  }

  @GetMapping("/{environment}/health")
  public Health health(@PathVariable String environment) {
    known(environment);
    String digest = deployed(environment);
    boolean healthy = digest != null && !unhealthy.contains(environment);
    return new Health(environment, digest, healthy,
        "demo stand-in for a cluster: runs what values-" + environment + ".yaml pins on main" + (unhealthy.contains(environment) ? "; told to be unhealthy" : ""));
  }

  @PostMapping("/{environment}/unhealthy")
  public Health turnUnhealthy(@PathVariable String environment) {
    known(environment);
    unhealthy.add(environment);
    return health(environment);
  }

  @PostMapping("/{environment}/healthy")
  public Health turnHealthy(@PathVariable String environment) {
    known(environment);
    unhealthy.remove(environment);
    return health(environment);
  }

  private void known(String environment) {
    if (!environments.contains(environment)) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "the demo cluster has no environment " + environment + "; it has " + environments);
    }
  }

  private String deployed(String environment) {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(gitops.toFile()).setMustExist(true).build();
        RevWalk walk = new RevWalk(repo)) {
      ObjectId head = repo.resolve("refs/heads/main");
      if (head == null) {
        return null;
      }
      try (TreeWalk tree = TreeWalk.forPath(repo, "values-" + environment + ".yaml", walk.parseCommit(head).getTree())) {
        if (tree == null) {
          return null;
        }
        String yaml = new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        String digest = YamlDigestEditor.read(yaml, "image.digest");
        return digest == null || digest.isBlank() ? null : digest;
      }
    } catch (IOException e) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "demo cluster cannot read " + gitops + ": " + e.getMessage(), e);
    }
  }
}
