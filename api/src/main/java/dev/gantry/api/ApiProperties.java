package dev.gantry.api;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the API needs from {@code gantry.*}: services with their environments' policy, and (in
 * embedded mode) the users allowed in.
 */
@ConfigurationProperties("gantry")
public record ApiProperties(List<Service> services, List<User> users) {

  public record Service(String name, String image, List<Environment> environments) {}

  /**
   * @param approvals approvals needed (0: promoted automatically)
   * @param approverGroup the group whose members may decide
   */
  public record Environment(
      String name,
      Integer approvals,
      String approverGroup,
      Duration approvalTimeout,
      GitOps gitops,
      String healthUrl,
      Duration liveTimeout,
      Duration soakTime,
      Duration pollInterval) {}

  public record GitOps(String repository, String branch, String file, String path) {}

  /**
   * @param password in Spring Security's {@code {id}hash} form, e.g. {@code {bcrypt}...} or {@code
   *     {noop}alice} (demo only)
   * @param roles {@code ci} may start releases, {@code oncall} may roll back and clear holds
   */
  public record User(String name, String password, List<String> roles, List<String> groups) {}
}
