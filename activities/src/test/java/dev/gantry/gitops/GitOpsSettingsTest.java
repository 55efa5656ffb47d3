package dev.gantry.gitops;

import dev.gantry.access.Credentials;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GitOpsSettingsTest {

  @Test
  void credentialsAreLookedUpPerRepositoryAndNeverPrinted() {
    GitOpsSettings settings =
        GitOpsSettings.defaults(Path.of("/var/lib/gantry/gitops"))
            .withCredentials("https://git.example.com/shop/deploy.git", "gantry-bot", "s3cr3t-token");

    assertThat(settings.credentialsFor("https://git.example.com/shop/deploy.git"))
        .hasValueSatisfying(c -> assertThat(c.password()).isEqualTo("s3cr3t-token"));
    assertThat(settings.credentialsFor("https://git.example.com/other.git")).isEmpty();
    assertThat(settings.toString()).contains("gantry-bot").doesNotContain("s3cr3t-token");
  }

  @Test
  void needsAtLeastOnePushAttempt() {
    assertThatThrownBy(() -> GitOpsSettings.defaults(Path.of("/tmp")).withMaxPushAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
