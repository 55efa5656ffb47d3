package dev.gantry.api;

import dev.gantry.model.Digests;
import dev.gantry.model.EnvironmentSpec;
import dev.gantry.model.GitOpsTarget;
import dev.gantry.model.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configured services as the policy snapshots releases carry. Checked once at start, so a
 * misconfigured service stops Gantry instead of failing a release later.
 */
public class ServiceDirectory {
  private final Map<String, ServiceSpec> services = new LinkedHashMap<>();

  public ServiceDirectory(ApiProperties props) {
    List<ApiProperties.User> users = props.users() == null ? List.of() : props.users();
    for (ApiProperties.Service s : props.services() == null ? List.<ApiProperties.Service>of() : props.services()) {
      require(Digests.isName(s.name()), "service name '" + s.name() + "' must be a DNS label");
      require(s.image() != null && !s.image().isBlank(), "service " + s.name() + " has no image repository");
      require(s.environments() != null && !s.environments().isEmpty(), "service " + s.name() + " has no environments");
      List<EnvironmentSpec> envs = new ArrayList<>();
      for (ApiProperties.Environment e : s.environments()) {
        String where = "service " + s.name() + " environment " + e.name();
        require(Digests.isName(e.name()), where + ": name must be a DNS label");
        int approvals = e.approvals() == null ? 0 : e.approvals();
        require(approvals >= 0, where + ": approvals must be 0 or more");
        require(approvals == 0 || e.approverGroup() != null, where + ": approvals need an approver-group");
        ApiProperties.GitOps g = Objects.requireNonNull(e.gitops(), where + ": gitops is required");
        require(g.repository() != null && g.file() != null, where + ": gitops.repository and gitops.file are required");
        require(e.healthUrl() != null, where + ": health-url is required");
        List<String> members =
            e.approverGroup() == null
                ? List.of()
                : users.stream().filter(u -> u.groups() != null && u.groups().contains(e.approverGroup())).map(ApiProperties.User::name).toList();
        envs.add(
            new EnvironmentSpec(
                e.name(),
                approvals,
                e.approverGroup(),
                members,
                or(e.approvalTimeout(), Duration.ofHours(72)),
                new GitOpsTarget(g.repository(), g.branch() == null ? "main" : g.branch(), g.file(), g.path() == null ? "image.digest" : g.path()),
                e.healthUrl(),
                or(e.liveTimeout(), Duration.ofMinutes(10)),
                or(e.soakTime(), Duration.ofMinutes(5)),
                or(e.pollInterval(), Duration.ofSeconds(5)),
                null));
      }
      services.put(s.name(), new ServiceSpec(s.name(), s.image(), List.copyOf(envs)));
    }
  }

  private static Duration or(Duration d, Duration fallback) {
    return d == null ? fallback : d;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException("gantry.services: " + message);
    }
  }

  public ServiceSpec service(String name) {
    return services.get(name);
  }

  public List<ServiceSpec> all() {
    return List.copyOf(services.values());
  }
}
