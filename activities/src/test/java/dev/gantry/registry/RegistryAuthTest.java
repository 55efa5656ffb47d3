package dev.gantry.registry;

import dev.gantry.access.Credentials;
import static dev.gantry.registry.Failures.nonRetryable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.model.FailureTypes;
import dev.gantry.model.ImageRef;
import dev.gantry.testsupport.DockerRegistryProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** Basic (htpasswd) and Bearer token auth against a real docker-registry. */
class RegistryAuthTest {
  private static final String USER = "ci";
  private static final String PASSWORD = "s3cret-pass";

  private static RegistrySettings settings(DockerRegistryProcess registry, Credentials creds) {
    RegistrySettings s =
        RegistrySettings.allowing(registry.host()).withInsecure(registry.host());
    return creds == null ? s : s.withCredentials(registry.host(), creds);
  }

  private static OciImageWriter image(String version) {
    return new OciImageWriter().file("app/version", version);
  }

  @Nested
  class Basic {
    @TempDir Path dir;

    private DockerRegistryProcess start() throws Exception {
      // distribution reads bcrypt entries only
      String hash = new BCryptPasswordEncoder().encode(PASSWORD);
      Path htpasswd = Files.writeString(dir.resolve("htpasswd"), USER + ":" + hash + "\n");
      return DockerRegistryProcess.start(
          """
          auth:
            htpasswd:
              realm: gantry-test
              path: %s
          """
              .formatted(htpasswd));
    }

    @Test
    void theRightCredentialsResolve() throws Exception {
      try (var registry = start()) {
        var creds = settings(registry, new Credentials(USER, PASSWORD));
        String pushed = image("1").push(new ImageRef(registry.host() + "/app", "v1"), creds);

        var activities = new RegistryActivitiesImpl(creds);
        assertThat(activities.resolve(new ImageRef(registry.host() + "/app", "v1")))
            .isEqualTo(pushed);
        assertThat(activities.exists(new ImageRef(registry.host() + "/app", pushed))).isTrue();
      }
    }

    @Test
    void wrongOrMissingCredentialsAreAuthenticationFailures() throws Exception {
      try (var registry = start()) {
        ImageRef ref = new ImageRef(registry.host() + "/app", "v1");
        var wrong =
            new RegistryActivitiesImpl(settings(registry, new Credentials(USER, "wrong")));
        var none = new RegistryActivitiesImpl(settings(registry, null));

        var f = nonRetryable(FailureTypes.REGISTRY_AUTH, () -> wrong.resolve(ref));
        assertThat(f.getOriginalMessage()).contains(registry.host()).doesNotContain("wrong");
        nonRetryable(FailureTypes.REGISTRY_AUTH, () -> none.resolve(ref));
      }
    }
  }

  @Nested
  class Bearer {
    @TempDir Path dir;

    @Test
    void tokensFromTheRealmAreUsedAndCachedPerScope() throws Exception {
      try (var tokens = new TokenServer(dir, USER, PASSWORD);
          var registry = DockerRegistryProcess.start(tokens.registryConfig())) {
        var creds = settings(registry, new Credentials(USER, PASSWORD));
        String pushed = image("1").push(new ImageRef(registry.host() + "/team/app", "v1"), creds);
        int afterPush = tokens.issued();
        assertThat(afterPush).isPositive();

        var activities = new RegistryActivitiesImpl(creds);
        ImageRef ref = new ImageRef(registry.host() + "/team/app", "v1");
        assertThat(activities.resolve(ref)).isEqualTo(pushed);
        assertThat(tokens.issued()).isEqualTo(afterPush + 1);

        assertThat(activities.resolve(ref)).isEqualTo(pushed);
        assertThat(activities.exists(new ImageRef(registry.host() + "/team/app", pushed))).isTrue();
        assertThat(tokens.issued()).as("the pull token is reused").isEqualTo(afterPush + 1);

        nonRetryable(
            FailureTypes.TAG_NOT_FOUND,
            () -> activities.resolve(new ImageRef(registry.host() + "/team/app", "v2")));
      }
    }

    @Test
    void credentialsTheTokenServerRefusesAreAuthenticationFailures() throws Exception {
      try (var tokens = new TokenServer(dir, USER, PASSWORD);
          var registry = DockerRegistryProcess.start(tokens.registryConfig())) {
        ImageRef ref = new ImageRef(registry.host() + "/team/app", "v1");
        var wrong =
            new RegistryActivitiesImpl(settings(registry, new Credentials(USER, "wrong")));
        var none = new RegistryActivitiesImpl(settings(registry, null));

        var f = nonRetryable(FailureTypes.REGISTRY_AUTH, () -> wrong.resolve(ref));
        assertThat(f.getOriginalMessage()).contains("token");
        nonRetryable(FailureTypes.REGISTRY_AUTH, () -> none.resolve(ref));
        assertThat(tokens.issued()).isZero();
      }
    }

    @Test
    void aTokenTheRegistryDoesNotTrustIsAnAuthenticationFailure() throws Exception {
      try (var tokens = new TokenServer(dir, USER, PASSWORD);
          var registry = DockerRegistryProcess.start(tokens.registryConfig())) {
        var mallory =
            new RegistryActivitiesImpl(
                settings(registry, new Credentials(TokenServer.UNTRUSTED_USER, PASSWORD)));

        var f =
            nonRetryable(
                FailureTypes.REGISTRY_AUTH,
                () -> mallory.resolve(new ImageRef(registry.host() + "/team/app", "v1")));
        assertThat(f.getOriginalMessage()).contains("401");
        assertThat(tokens.issued()).isEqualTo(1);
      }
    }
  }
}
