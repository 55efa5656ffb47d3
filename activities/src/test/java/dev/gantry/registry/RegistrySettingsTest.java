package dev.gantry.registry;

import dev.gantry.access.Credentials;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.model.ImageRef;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistrySettingsTest {
  private final RegistrySettings settings =
      new RegistrySettings(
          List.of("Registry.Example.com:5000/", "oci:/srv/images/"),
          Set.of("registry.example.com:5000"),
          Map.of("REGISTRY.example.com:5000", new Credentials("ci", "hunter2")),
          null);

  @Test
  void hostsMatchWithoutRegardToCaseOrATrailingSlash() {
    assertThat(settings.isAllowed(new ImageRef("registry.example.com:5000/team/app", "v1"))).isTrue();
    assertThat(settings.isAllowed(new ImageRef("registry.example.com/team/app", "v1"))).isFalse();
    assertThat(settings.isAllowed(new ImageRef("registry.example.com:5001/app", "v1"))).isFalse();
    assertThat(settings.isAllowed(new ImageRef("evil.com/registry.example.com:5000/app", "v1")))
        .isFalse();
    assertThat(settings.isInsecure("REGISTRY.EXAMPLE.COM:5000")).isTrue();
    assertThat(settings.credentialsFor("registry.example.com:5000")).isPresent();
    assertThat(settings.timeout()).isEqualTo(RegistrySettings.DEFAULT_TIMEOUT);
  }

  @Test
  void layoutsAreAllowedAtOrUnderAnAllowedDirectory() {
    assertThat(settings.isAllowed(new ImageRef("oci:/srv/images", "v1"))).isTrue();
    assertThat(settings.isAllowed(new ImageRef("oci:/srv/images/app", "v1"))).isTrue();
    assertThat(settings.isAllowed(new ImageRef("oci:/srv/images/./app/../other", "v1"))).isTrue();
    assertThat(settings.isAllowed(new ImageRef("oci:/srv/images/../secrets", "v1"))).isFalse();
    assertThat(settings.isAllowed(new ImageRef("oci:/srv/images-2", "v1"))).isFalse();
    assertThat(settings.isAllowed(new ImageRef("oci:srv/images", "v1"))).isFalse();
    // a layout entry never allows a host and the other way round
    assertThat(RegistrySettings.allowing("oci:/srv").isAllowed(new ImageRef("oci:/srv", "v1")))
        .isTrue();
    assertThat(RegistrySettings.allowing("/srv").isAllowed(new ImageRef("oci:/srv", "v1")))
        .isFalse();
  }

  @Test
  void passwordsStayOutOfToString() {
    assertThat(settings.toString()).contains("ci").doesNotContain("hunter2");
  }

  @Test
  void challengesAreParsedWithQuotedCommas() {
    var c =
        RegistryAuth.Challenge.parse(
            List.of(
                "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\","
                    + "scope=\"repository:team/app:pull,push\""));
    assertThat(c.isBasic()).isFalse();
    assertThat(c.params())
        .containsEntry("realm", "https://auth.example.com/token")
        .containsEntry("service", "registry.example.com")
        .containsEntry("scope", "repository:team/app:pull,push");

    assertThat(RegistryAuth.Challenge.parse(List.of("Negotiate", "Basic realm=\"x\"")).isBasic())
        .isTrue();
    assertThat(RegistryAuth.Challenge.parse(List.of("Negotiate abc"))).isNull();
  }
}
